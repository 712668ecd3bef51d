"""API v2: a product's reviews (filtered, sorted, in keyset pages) and its summary; a voter's vote
and a report with its reason. Each view validates, calls one selector or service, and answers."""

from urllib.parse import urlencode

import orjson
from rest_framework import status, viewsets
from rest_framework.decorators import action

from atelier.ratelimits.limits import rate_limited
from reviews import services
from reviews.exceptions import ReviewNotFound
from reviews.http import (
    answer_response,
    cacheable_response,
    client_voter,
    idempotent,
    private_response,
    product_id_parse,
    request_voter,
    review_id_parse,
    voter_required,
)
from reviews.idempotency import Answer
from reviews.invalidation import counts_filing, list_filing
from reviews.negotiation import JSONOnlyNegotiation
from reviews.v2 import schema, selectors
from reviews.v2.cursors import Cursor, PageRequest
from reviews.v2.document import summary_document
from reviews.v2.filters import review_filters
from reviews.v2.selectors import ReviewFilters
from reviews.v2.serializers import (
    ReportCreateInputSerializer,
    ReviewPageInputSerializer,
    VoteInputSerializer,
)


class ProductViewSet(viewsets.ViewSet):
    """/v2/products/<product_id>/reviews and /summary."""

    content_negotiation_class = JSONOnlyNegotiation
    lookup_field = "product_id"
    lookup_value_regex = "[^/]+"

    @schema.REVIEW_PAGE
    @action(detail=True, methods=["get"], url_path="reviews")
    def reviews(self, request, product_id: str):
        filters = review_filters(product_id_parse(product_id), request.query_params)
        page_request = ReviewPageInputSerializer.page_request(request.query_params, filters)
        voter = request_voter(request)
        page = selectors.review_page(filters=filters, page=page_request, voter=voter)
        pk = filters.product_id
        body = orjson.dumps(
            {
                "product_id": pk,
                "sort": page_request.sort.name,
                "filters": filters.given(),
                "version": page.version,
                "total": page.total,
                "results": orjson.Fragment(page.results),
                "next": page_link(filters, page_request, page.next),
                "previous": page_link(filters, page_request, page.previous),
            }
        )
        if voter is not None:  # the voter's own votes: never shared through a cache
            return private_response(body)
        filing = list_filing(
            pk, ranked_by_votes=page_request.sort.ranked_by_votes, review_ids=page.review_ids
        )
        return cacheable_response(request, body, filing)

    @schema.PRODUCT_SUMMARY
    @action(detail=True, methods=["get"], url_path="summary")
    def summary(self, request, product_id: str):
        filters = review_filters(product_id_parse(product_id), request.query_params)
        body = orjson.dumps(summary_document(selectors.product_summary_get(filters=filters)))
        return cacheable_response(request, body, counts_filing(filters.product_id))


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


class ReviewViewSet(viewsets.ViewSet):
    """/v2/reviews/<review_id>/vote and /reports."""

    content_negotiation_class = JSONOnlyNegotiation
    lookup_url_kwarg = "review_id"
    lookup_value_regex = "[^/]+"  # anything else than an id is a 404 in JSON (review_id_parse)

    @schema.REVIEW_VOTE
    @action(detail=True, methods=["put"], url_path="vote")
    @rate_limited("v2-vote")
    def vote(self, request, review_id: str):
        pk = review_id_parse(review_id)
        voter = voter_required(request)
        up = VoteInputSerializer.validated(request.data)["value"] == "up"

        def write() -> Answer:
            vote = services.review_vote_set(review_id=pk, voter=voter, up=up)
            if vote is None:
                raise ReviewNotFound()
            my_vote = "up" if vote.up else "none"
            body = {"review_id": pk, "my_vote": my_vote, "helpfulness": vote.helpfulness}
            return Answer(status=status.HTTP_200_OK, body=orjson.dumps(body))

        return answer_response(idempotent(request, write, client=voter, body=request.data))

    @schema.REVIEW_REPORT_ADD
    @action(detail=True, methods=["post"], url_path="reports")
    @rate_limited("v2-reports")
    def reports(self, request, review_id: str):
        pk = review_id_parse(review_id)
        reporter = request_voter(request) or client_voter(request)
        report = ReportCreateInputSerializer.validated(request.data)

        def write() -> Answer:
            stored = services.review_report_add(
                review_id=pk, reporter=reporter, reason=report["reason"], note=report["note"]
            )
            if stored is None:
                raise ReviewNotFound()
            body = {"review_id": pk, "reason": stored.reason, "note": stored.note}
            created = status.HTTP_201_CREATED if stored.new else status.HTTP_200_OK
            return Answer(status=created, body=orjson.dumps(body))

        return answer_response(idempotent(request, write, client=reporter, body=request.data))
