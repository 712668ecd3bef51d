"""What the HTTP cache holds of reviews, by tag, and its invalidation when a write commits.

A product's list pages and meta carry the tag ``p<product id>``, a review's detail ``r<review id>``;
every cached answer also carries its product's race key (``race_key``). Services call
``invalidate_on_commit`` inside their transaction: the purge goes out once the transaction has
committed (at once outside one), before the service returns and so before any response is sent.
"""

from collections.abc import Iterable

from django.db import transaction

from atelier.httpcache import RACE_KEY_ALL, purger

# Products whose purges the cache records apart: a miss is not stored when a purge of a product
# with the same key arrived while it was fetched. More keys, fewer misses left uncached by a write
# to another product; the cache looks a key up in a list, so not too many.
RACE_KEYS = 1000
# A change to more products than this drops every object instead of purging each product.
PRODUCTS_PURGED_ONE_BY_ONE_MAX = 500


def product_tag(product_id: int) -> str:
    return f"p{product_id}"


def review_tag(review_id: int) -> str:
    return f"r{review_id}"


def race_key(product_id: int) -> str:
    return str(product_id % RACE_KEYS)


def invalidate_on_commit(
    *, products: Iterable[int] = (), reviews: Iterable[tuple[int, int]] = ()
) -> None:
    """Purge the cached lists and meta of ``products`` and the details of ``reviews`` (pairs of
    review id and product id) once the current transaction commits."""
    by_product: dict[int, list[str]] = {product_id: [] for product_id in products}
    for review_id, product_id in reviews:
        by_product.setdefault(product_id, []).append(review_tag(review_id))
    if not by_product:
        return
    if len(by_product) > PRODUCTS_PURGED_ONE_BY_ONE_MAX:
        transaction.on_commit(invalidate_all_now)
        return
    transaction.on_commit(lambda: _purge(by_product))


def invalidate_all_on_commit() -> None:
    """Drop every cached answer once the current transaction commits (bulk loads)."""
    transaction.on_commit(invalidate_all_now)


def invalidate_all_now() -> None:
    purger().purge(tags=[], race_key=RACE_KEY_ALL)


def _purge(by_product: dict[int, list[str]]) -> None:
    for product_id, review_tags in sorted(by_product.items()):
        purger().purge(tags=[product_tag(product_id), *review_tags], race_key=race_key(product_id))
