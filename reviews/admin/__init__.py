"""The moderation admin: the queue of reported reviews and the actions a moderator takes on them,
and read-only views of characteristics and the meta aggregates.

Every page stays fast on millions of reviews: no full COUNT(*), exact-match searches on indexed
columns, filters on a handful of values, one query for a page's photos.
"""

from reviews.admin import derived, moderation  # noqa: F401  (registers the ModelAdmins)
