"""What the HTTP cache holds of reviews, by tag, and what each write purges once it commits.

Each cached answer carries the tags of what it shows, so that a write purges only its share:

- ``c<product>``: the product's counts (the legacy meta, the v2 summary);
- ``l<product>``: every list page of the product (legacy and v2);
- ``v<product>``: the list pages a helpful vote on any of the product's reviews may reorder: those
  sorted by helpfulness or relevance;
- ``r<review>``: the review's detail and every list page that shows it, or ``a<product>`` on a
  page too long to name each of its reviews.

So a new, hidden, restored or removed review purges ``c``, ``l`` and its ``r``; a helpful vote
its ``r``, ``v`` and ``a``; a store response its ``r`` and ``a``. Every answer also carries a race
key (``race_key``): its product's, the counts' apart from the rest. Services call the
``invalidate_*_on_commit`` functions inside their transaction: the purges are recorded in the
purge outbox with the write (atelier.purges), and go out once the transaction has committed (at
once outside one), before the service returns and so before any response is sent.
"""

from collections.abc import Iterable
from dataclasses import dataclass

from django.db import transaction

from atelier.db import purge_position
from atelier.httpcache import RACE_KEY_ALL, purger
from atelier.purges import outbox

# Products whose purges the cache records apart: a miss is not stored when a purge of a product
# with the same key arrived while it was fetched. More keys, fewer misses left uncached by a write
# to another product; the cache looks a key up in a list, so not too many.
RACE_KEYS = 1000
# A change to more products than this drops every object instead of purging each product.
PRODUCTS_PURGED_ONE_BY_ONE_MAX = 500


# A list page of more reviews than this is tagged a<product> instead of naming each review.
TAGGED_REVIEWS_MAX = 100


@dataclass(frozen=True)
class Filing:
    """Where the cache files an answer: its tags, and the race key its purges record."""

    tags: list[str]
    race_key: str


def counts_filing(product_id: int) -> Filing:
    """A product's counts: its meta, its summary."""
    return Filing([f"c{product_id}"], race_key(product_id, counts=True))


def list_filing(product_id: int, *, ranked_by_votes: bool, review_ids: list[int]) -> Filing:
    """A list page of the product showing ``review_ids``, in a sort that does or does not depend
    on helpful votes."""
    tags = [f"l{product_id}"]
    if ranked_by_votes:
        tags.append(f"v{product_id}")
    if len(review_ids) > TAGGED_REVIEWS_MAX:
        tags.append(f"a{product_id}")
    else:
        tags += [review_tag(review_id) for review_id in review_ids]
    return Filing(tags, race_key(product_id))


def review_filing(review_id: int, product_id: int) -> Filing:
    """A review's detail."""
    return Filing([review_tag(review_id)], race_key(product_id))


def review_tag(review_id: int) -> str:
    """The tag of a review's detail and of every list page that names it."""
    return f"r{review_id}"


def race_key(product_id: int, *, counts: bool = False) -> str:
    """The race key of a product's counts, or of its lists and reviews: a purge of one does not
    keep the other's young objects from being served (deploy/varnish/atelier.vcl)."""
    key = str(product_id % RACE_KEYS)
    return f"c{key}" if counts else key


def invalidate_on_commit(
    *, products: Iterable[int] = (), reviews: Iterable[tuple[int, int]] = ()
) -> None:
    """Purge what counts or lists the reviews of ``products``, and what shows ``reviews`` (pairs
    of review id and product id), once the current transaction commits: a review came, went or
    changed what it counts for."""
    _purge_on_commit(products, reviews, counts=True, product_kinds=["l"])


def invalidate_votes_on_commit(*, reviews: Iterable[tuple[int, int]]) -> None:
    """Purge what shows ``reviews`` and the lists their helpfulness ranks: their helpful count
    changed, and nothing else."""
    _purge_on_commit((), reviews, counts=False, product_kinds=["v", "a"])


def invalidate_review_on_commit(*, reviews: Iterable[tuple[int, int]]) -> None:
    """Purge what shows ``reviews``: something they show changed (the store's response), not
    where they rank nor what they count for."""
    _purge_on_commit((), reviews, counts=False, product_kinds=["a"])


def _purge_on_commit(
    products: Iterable[int],
    reviews: Iterable[tuple[int, int]],
    *,
    counts: bool,
    product_kinds: list[str],
) -> None:
    """Once the transaction commits, purge per product: its counts (under their own race key)
    when ``counts``, then its ``product_kinds`` of list tags with its reviews' tags."""
    by_product: dict[int, list[str]] = {product_id: [] for product_id in products}
    for review_id, product_id in reviews:
        by_product.setdefault(product_id, []).append(review_tag(review_id))
    if not by_product:
        return
    if len(by_product) > PRODUCTS_PURGED_ONE_BY_ONE_MAX:
        invalidate_all_on_commit()
        return
    purges: list[Filing] = []
    for product_id, review_tags in sorted(by_product.items()):
        if counts:
            purges.append(counts_filing(product_id))
        tags = [f"{kind}{product_id}" for kind in product_kinds] + review_tags
        if tags:
            purges.append(Filing(tags, race_key(product_id)))
    outbox.record((filing.tags, filing.race_key) for filing in purges)
    transaction.on_commit(lambda: _purge(purges))


def invalidate_all_on_commit() -> None:
    """Drop every cached answer once the current transaction commits (bulk loads)."""
    outbox.record_everything()
    transaction.on_commit(_purge_all)


def invalidate_all_now() -> None:
    """Drop every cached answer now (outside a transaction: a test, an operator's fix)."""
    with transaction.atomic():
        invalidate_all_on_commit()


def _purge_all() -> None:
    purger().purge(tags=[], race_key=RACE_KEY_ALL, position=purge_position())


def _purge(purges: list[Filing]) -> None:
    position = purge_position()  # after the write committed: the replicas' fence (atelier.db)
    for filing in purges:
        purger().purge(tags=filing.tags, race_key=filing.race_key, position=position)
