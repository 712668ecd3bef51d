"""API v2: a product's reviews (filtered, sorted, in keyset pages) and its summary; a voter's vote
and a report with its reason. Each view validates, calls one read or service, and answers; the
common valid read does not come here at all: the hot path answers it with the same read
(``reviews.hot``)."""

from datetime import UTC

import orjson
from rest_framework import status, viewsets
from rest_framework.authentication import TokenAuthentication
from rest_framework.decorators import action
from rest_framework.permissions import IsAdminUser
from rest_framework.response import Response

from atelier.authentication import AdminSessionAuthentication
from atelier.ratelimits.limits import rate_limited
from reviews import services
from reviews.exceptions import ReviewNotFound
from reviews.http import (
    SHOPPER_HEADER,
    VOTER_HEADER,
    answer_response,
    idempotent,
    list_voter,
    product_id_parse,
    read_response,
    review_id_parse,
    v2_reporter,
    v2_voter,
)
from reviews.idempotency import Answer
from reviews.negotiation import JSONOnlyNegotiation
from reviews.v2 import reads, schema
from reviews.v2.filters import review_filters
from reviews.v2.serializers import (
    ReplyInputSerializer,
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
        page = ReviewPageInputSerializer.page_request(request.query_params, filters)
        voter = list_voter(request.headers.get(VOTER_HEADER), request.headers.get(SHOPPER_HEADER))
        read = reads.review_page(filters=filters, page=page, voter=voter)
        return read_response(request, read)

    @schema.PRODUCT_SUMMARY
    @action(detail=True, methods=["get"], url_path="summary")
    def summary(self, request, product_id: str):
        filters = review_filters(product_id_parse(product_id), request.query_params)
        return read_response(request, reads.product_summary(filters=filters))


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
        voter = v2_voter(request)
        up = VoteInputSerializer.validated(request.data)["value"] == "up"

        def write() -> Answer:
            vote = services.review_vote_set(review_id=pk, voter=voter, up=up)
            if vote is None:
                raise ReviewNotFound()
            my_vote = "up" if vote.up else "none"
            body = {"review_id": pk, "my_vote": my_vote, "helpfulness": vote.helpfulness}
            return Answer(status=status.HTTP_200_OK, body=orjson.dumps(body))

        return answer_response(idempotent(request, write, client=voter, body=request.data))

    @schema.REVIEW_RESPONSE_SET
    @action(
        detail=True,
        methods=["put"],
        url_path="response",
        url_name="response",  # (not the method's name: DRF's views keep their answer as .response)
        # A back office's DRF token (first: its 401 names the Token scheme), or the admin's own
        # session with its CSRF token.
        authentication_classes=[TokenAuthentication, AdminSessionAuthentication],
        permission_classes=[IsAdminUser],
    )
    def reply(self, request, review_id: str):
        pk = review_id_parse(review_id)
        text = ReplyInputSerializer.validated(request.data)["response"]
        reply = services.review_respond(review_id=pk, response=text)
        if reply is None:
            raise ReviewNotFound()
        responded_at = reply.responded_at
        body = {
            "review_id": pk,
            "response": reply.response,
            "responded_at": None if responded_at is None else iso_millis(responded_at),
        }
        return Response(body)

    @schema.REVIEW_REPORT_ADD
    @action(detail=True, methods=["post"], url_path="reports")
    @rate_limited("v2-reports")
    def reports(self, request, review_id: str):
        pk = review_id_parse(review_id)
        reporter = v2_reporter(request)
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


def iso_millis(moment) -> str:
    """A time as the API writes its dates: ISO 8601 in UTC, to the millisecond, with a Z."""
    return (
        moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.") + f"{moment.microsecond // 1000:03d}Z"
    )
