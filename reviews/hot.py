"""The reads the hot path answers without Django (``atelier.hotpath``), by URL name: the legacy
list, meta and review, the v2 list and summary. Each checks its input with the same quick checks
the views start with and answers with the same read; whatever those checks leave to the views (an
input that does not validate, a malformed voter token, a shopper token the store did not sign) it
leaves to Django, by returning None.
"""

from rest_framework.exceptions import APIException

from atelier.hotpath import HotRead, Reply, Request
from atelier.ids import whole_number_from_text
from reviews import reads
from reviews.http import SHOPPER_HEADER, VOTER_HEADER, list_voter, read_reply
from reviews.serializers import ProductMetaInputSerializer, ReviewListInputSerializer
from reviews.v2 import reads as v2_reads
from reviews.v2.filters import quick_review_filters
from reviews.v2.selectors import ReviewFilters
from reviews.v2.serializers import ReviewPageInputSerializer


def review_list(request: Request) -> Reply | None:
    params = ReviewListInputSerializer.quick(request.query)
    if params is None:
        return None
    return reply(request, reads.review_list(**params))


def product_meta(request: Request) -> Reply | None:
    params = ProductMetaInputSerializer.quick(request.query)
    if params is None:
        return None
    return reply(request, reads.product_meta(product_id=params["product_id"]))


def review_detail(request: Request) -> Reply | None:
    review_id = whole_number_from_text(request.kwargs["review_id"])
    read = None if review_id is None else reads.review_detail(review_id=review_id)
    return None if read is None else reply(request, read)  # Django answers its 404


def review_page(request: Request) -> Reply | None:
    filters = product_filters(request)
    if filters is None:
        return None
    page = ReviewPageInputSerializer.quick_page_request(request.query, filters)
    if page is None:
        return None
    try:
        voter = list_voter(request.header(VOTER_HEADER), request.header(SHOPPER_HEADER))
    except APIException:
        return None  # Django answers the 400 or 401
    return reply(request, v2_reads.review_page(filters=filters, page=page, voter=voter))


def product_summary(request: Request) -> Reply | None:
    filters = product_filters(request)
    if filters is None:
        return None
    return reply(request, v2_reads.product_summary(filters=filters))


def product_filters(request: Request) -> ReviewFilters | None:
    """The v2 read's product and plain filters; None for anything the views judge."""
    product_id = whole_number_from_text(request.kwargs["product_id"])
    return None if product_id is None else quick_review_filters(product_id, request.query)


def reply(request: Request, read: reads.Read) -> Reply:
    return read_reply(read, request.header("If-None-Match") or "")


# By URL name (reviews/urls.py, reviews/v2/urls.py), with the Allow header DRF gives each route.
READS = {
    "reviews": HotRead(review_list, allow="GET, POST, HEAD, OPTIONS"),
    "reviews-meta": HotRead(product_meta, allow="GET, HEAD, OPTIONS"),
    "reviews-detail": HotRead(review_detail, allow="GET, HEAD, OPTIONS"),
    "v2-products-reviews": HotRead(review_page, allow="GET, HEAD, OPTIONS"),
    "v2-products-summary": HotRead(product_summary, allow="GET, HEAD, OPTIONS"),
}
