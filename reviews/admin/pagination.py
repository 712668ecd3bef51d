"""A paginator for admin changelists over tables of millions of rows: it never counts them all.

Django's paginator runs ``SELECT COUNT(*)`` on every changelist render, a full scan of the table.
This one counts exactly only what is cheap to count and estimates the rest.
"""

import json
from functools import cached_property

from django.core.paginator import Paginator
from django.db import connections
from django.db.models import QuerySet


class EstimatedCountPaginator(Paginator):
    """Exact counts up to ``exact_up_to`` rows, estimates beyond, and at most ``max_pages`` pages.

    - No filter at all: the table's row estimate (``pg_class.reltuples``, kept by ANALYZE and
      autovacuum), unless the table is small or has never been analyzed.
    - With filters: a bounded count (``count(*)`` over ``LIMIT exact_up_to + 1``) that stops
      early; when it hits the bound, the planner's estimate of the filtered rows (``EXPLAIN``).
    - Deep pages cost an ever larger OFFSET, so only the first ``max_pages`` pages are served:
      beyond that a moderator narrows the list with search or filters.
    """

    exact_up_to = 1_000
    max_pages = 200

    @cached_property
    def count(self) -> int:
        assert isinstance(self.object_list, QuerySet)  # a changelist pages its queryset
        queryset = self.object_list.order_by()
        if not queryset.query.where:
            estimate = self._table_estimate(queryset)
            if estimate > self.exact_up_to:
                return estimate
        bounded = queryset[: self.exact_up_to + 1].count()
        if bounded <= self.exact_up_to:
            return bounded
        return max(self._planner_estimate(queryset), bounded)

    @cached_property
    def num_pages(self) -> int:
        return min(super().num_pages, self.max_pages)

    @staticmethod
    def _table_estimate(queryset) -> int:
        """``reltuples``: -1 when never analyzed (then the bounded count decides)."""
        with connections[queryset.db].cursor() as cursor:
            cursor.execute(
                "SELECT reltuples::bigint FROM pg_class WHERE oid = %s::regclass",
                [queryset.model._meta.db_table],
            )
            row = cursor.fetchone()
        return row[0] if row else -1

    @staticmethod
    def _planner_estimate(queryset) -> int:
        sql, params = queryset.query.sql_with_params()
        with connections[queryset.db].cursor() as cursor:
            cursor.execute(f"EXPLAIN (FORMAT JSON) {sql}", params)
            plan = cursor.fetchone()[0]
        if isinstance(plan, str):
            plan = json.loads(plan)
        return int(plan[0]["Plan"]["Plan Rows"])
