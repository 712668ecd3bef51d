"""The v2 writes on one review: a voter's helpful vote (``PUT .../vote``) and a report with its
reason (``POST .../reports``). Each validates the request, calls one service, and answers JSON."""

from rest_framework import status, viewsets
from rest_framework.decorators import action
from rest_framework.response import Response

from reviews import selectors, services
from reviews.exceptions import ReviewNotFound, VoterTokenMissing
from reviews.idempotency import Answer
from reviews.negotiation import JSONOnlyNegotiation
from reviews.selectors import Report, VoteState
from reviews.v2 import writes_schema
from reviews.v2.headers import request_voter
from reviews.v2.writes_serializers import ReportCreateInputSerializer, VoteInputSerializer
from reviews.views import idempotent, review_id_parse
from reviews.voters import anonymous_voter


class ReviewWriteViewSet(viewsets.ViewSet):
    content_negotiation_class = JSONOnlyNegotiation
    lookup_url_kwarg = "review_id"
    lookup_value_regex = "[^/]+"  # anything else than an id is a 404 in JSON (review_id_parse)

    @writes_schema.REVIEW_VOTE
    @action(detail=True, methods=["put"], url_path="vote")
    def vote(self, request, review_id: str):
        pk = review_id_parse(review_id)
        voter = request_voter(request)
        if voter is None:
            raise VoterTokenMissing()
        up = VoteInputSerializer.validated(request.data)["value"] == "up"
        made: list[VoteState] = []

        def write() -> Answer:
            vote = services.review_vote_set(review_id=pk, voter=voter, up=up)
            if vote is None:
                raise ReviewNotFound()
            made.append(vote)
            return Answer(status=status.HTTP_200_OK)

        answer = idempotent(request, write, body={"vote": request.data, "voter": voter})
        # A retried key: the vote as it stands now (a PUT's effect is its state).
        vote = made[0] if made else selectors.review_vote_get(review_id=pk, voter=voter)
        if vote is None:
            raise ReviewNotFound()
        body = {
            "review_id": pk,
            "my_vote": "up" if vote.up else "none",
            "helpfulness": vote.helpfulness,
        }
        return Response(body, status=answer.status)

    @writes_schema.REVIEW_REPORT_CREATE
    @action(detail=True, methods=["post"], url_path="reports")
    def reports(self, request, review_id: str):
        pk = review_id_parse(review_id)
        reporter = request_voter(request) or anonymous_voter(request)
        report = ReportCreateInputSerializer.validated(request.data)
        made: list[Report] = []

        def write() -> Answer:
            stored = services.review_report_add(
                review_id=pk, reporter=reporter, reason=report["reason"], note=report["note"]
            )
            if stored is None:
                raise ReviewNotFound()
            made.append(stored)
            return Answer(status=status.HTTP_201_CREATED if stored.new else status.HTTP_200_OK)

        answer = idempotent(request, write, body={"report": request.data, "reporter": reporter})
        # A retried key: the first answer's status, with the report as stored (it never changes).
        stored = made[0] if made else selectors.review_report_get(review_id=pk, reporter=reporter)
        if stored is None:
            raise ReviewNotFound()
        body = {"review_id": pk, "reason": stored.reason, "note": stored.note}
        return Response(body, status=answer.status)
