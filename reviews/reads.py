"""The legacy API's cacheable reads, each once: from checked input to what the answer shows and
where the HTTP cache files it. The views (``reviews.views``) answer with them through Django, the
hot path (``reviews.hot``) without it."""

import orjson

from reviews import selectors
from reviews.http import Read
from reviews.invalidation import counts_filing, list_filing, review_filing


def review_list(*, product_id: int, page: int, count: int, sort: str) -> Read:
    """A page of the product's reviews (``page`` from 1; the answer counts from 0)."""
    found = selectors.review_list(product_id=product_id, page=page, count=count, sort=sort)
    body = orjson.dumps(
        {
            "product": str(product_id),
            "page": page - 1,
            "count": count,
            "results": orjson.Fragment(found.results),
        }
    )
    filing = list_filing(
        product_id,
        ranked_by_votes=sort in selectors.RANKED_BY_VOTES,
        review_ids=found.review_ids,
    )
    return Read(body, filing)


def product_meta(*, product_id: int) -> Read:
    body = orjson.dumps(selectors.product_meta_get(product_id=product_id))
    return Read(body, counts_filing(product_id))


def review_detail(*, review_id: int) -> Read | None:
    """The review as a list shows it, or None when there is none or it is reported."""
    found = selectors.review_get(review_id=review_id)
    if found is None:
        return None
    product_id, review = found
    return Read(review.encode(), review_filing(review_id, product_id))
