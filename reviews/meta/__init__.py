"""Meta: what ``GET /reviews/meta`` answers, and the aggregate tables it is read from
(``product_meta``, ``characteristic_meta``, kept exact by the triggers of migration 0002).

- ``document``: the meta document's shape and exact formatting (the 16-decimal averages);
- ``rebuild``: rebuild the aggregate tables set-wise from the base tables, and verify them
  (``manage.py refresh_meta``, ``verify_meta``);
- ``fill``: fill an empty aggregate table in one pass, after a first bulk load.
"""
