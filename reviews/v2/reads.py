"""API v2's cacheable reads, each once: from checked input to what the answer shows and where the
HTTP cache files it. The views (``reviews.v2.views``) answer with them through Django, the hot
path (``reviews.hot``) without it."""

from urllib.parse import urlencode

import orjson

from reviews.http import Read
from reviews.invalidation import counts_filing, list_filing
from reviews.v2 import selectors
from reviews.v2.cursors import Cursor, PageRequest
from reviews.v2.document import summary_document
from reviews.v2.selectors import ReviewFilters


def review_page(*, filters: ReviewFilters, page: PageRequest, voter: str | None) -> Read:
    """A page of the product's filtered reviews; with ``voter``, their votes on it, for them
    alone."""
    found = selectors.review_page(filters=filters, page=page, voter=voter)
    pk = filters.product_id
    body = orjson.dumps(
        {
            "product_id": pk,
            "sort": page.sort.name,
            "filters": filters.given(),
            "version": found.version,
            "total": found.total,
            "results": orjson.Fragment(found.results),
            "next": page_link(filters, page, found.next),
            "previous": page_link(filters, page, found.previous),
        }
    )
    if voter is not None:  # the voter's own votes: never shared through a cache
        return Read(body, None)
    filing = list_filing(pk, ranked_by_votes=page.sort.ranked_by_votes, review_ids=found.review_ids)
    return Read(body, filing)


def page_link(filters: ReviewFilters, page: PageRequest, cursor: Cursor | None) -> str | None:
    """The link to another page of the same list: its filters, sort and size, and the cursor
    (relative, so that a cached answer never names another host)."""
    if cursor is None:
        return None
    query = [
        (name, value)
        for name, given in filters.given().items()
        for value in (given if isinstance(given, list) else [given])
    ]
    query += [("sort", page.sort.name), ("limit", page.limit), ("cursor", cursor.encode())]
    return f"/v2/products/{filters.product_id}/reviews?{urlencode(query)}"


def product_summary(*, filters: ReviewFilters) -> Read:
    body = orjson.dumps(summary_document(selectors.product_summary_get(filters=filters)))
    return Read(body, counts_filing(filters.product_id))
