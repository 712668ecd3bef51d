"""The OpenAPI description of the v2 writes (a voter's vote, a report with its reason), in the
legacy schema's style (``reviews.schema``): parameters, headers, answers and examples."""

from drf_spectacular.utils import OpenApiExample, OpenApiParameter, OpenApiResponse, extend_schema

from reviews.parsers import BODY_BYTES_MAX
from reviews.schema import (
    IDEMPOTENCY_KEY,
    RATE_LIMIT_HEADERS,
    RATE_LIMITED,
    REVIEW_ID,
    UNAVAILABLE,
    error,
)
from reviews.v2.writes_serializers import (
    NOTE_LENGTH_MAX,
    ReportCreateInputSerializer,
    ReportOutputSerializer,
    VoteInputSerializer,
    VoteOutputSerializer,
)
from reviews.voters import VOTER_TOKEN_LENGTH_MAX, VOTER_TOKEN_PATTERN

VOTER_TOKEN = {
    "type": "string",
    "minLength": 1,
    "maxLength": VOTER_TOKEN_LENGTH_MAX,
    "pattern": VOTER_TOKEN_PATTERN,
}
VOTER_TOKEN_EXAMPLE = "c1d6f0b2-5b8e-4a52-9a0e-2f6d7c1e9b43"
REPORT_EXAMPLE = {"reason": "spam", "note": "The same text is on ten products."}


def voter_header(*, required: bool, description: str) -> OpenApiParameter:
    return OpenApiParameter(
        "X-Voter",
        VOTER_TOKEN,
        OpenApiParameter.HEADER,
        required=required,
        description=description,
        examples=[OpenApiExample("A token", value=VOTER_TOKEN_EXAMPLE)],
    )


def write_errors(*, voter: str, body: str) -> dict:
    return {
        400: error(f"Malformed JSON, {voter}, or an invalid Idempotency-Key."),
        404: error("No review has this id."),
        413: error(f"Body larger than {BODY_BYTES_MAX // 1024} KiB."),
        415: error("Body not sent as application/json."),
        422: error(
            f"{body} (`errors` says what is wrong with each field), or an Idempotency-Key "
            "already used for another request."
        ),
        429: RATE_LIMITED,
        503: UNAVAILABLE,
    }


REVIEW_VOTE = extend_schema(
    summary="Set a voter's helpful vote on a review (once per voter; `none` takes it back)",
    description=(
        "The voter is the `X-Voter` token. `up` counts the vote once however often it is sent; "
        "`none` takes the voter's vote back (the count goes down only when there was one). "
        "`helpfulness` is the count the lists show. A reported review is a 404."
    ),
    request=VoteInputSerializer,
    parameters=[
        REVIEW_ID,
        voter_header(required=True, description="The voter: the token the storefront issued."),
        IDEMPOTENCY_KEY,
        *RATE_LIMIT_HEADERS,
    ],
    responses={
        200: VoteOutputSerializer,
        **write_errors(voter="a missing or invalid X-Voter", body='`value` not "up" or "none"'),
    },
    examples=[
        OpenApiExample("Vote", value={"value": "up"}, request_only=True),
        OpenApiExample("Take the vote back", value={"value": "none"}, request_only=True),
        OpenApiExample(
            "The vote and the count",
            value={"review_id": 1265, "my_vote": "up", "helpfulness": 12},
            response_only=True,
        ),
    ],
)
REVIEW_REPORT_CREATE = extend_schema(
    summary="Report a review with a reason (once per reporter; the first report hides it)",
    description=(
        "The reporter is the `X-Voter` token, or without one the client's address. The first "
        "report of a review hides it from the lists and the meta; a hidden review still takes "
        "reports for the moderators. 201 with the report when it is the reporter's first, 200 "
        "with the stored one (unchanged) when the reporter already reported the review."
    ),
    request=ReportCreateInputSerializer,
    parameters=[
        REVIEW_ID,
        voter_header(
            required=False, description="Optional: the reporter, else the client's address."
        ),
        IDEMPOTENCY_KEY,
        *RATE_LIMIT_HEADERS,
    ],
    responses={
        201: OpenApiResponse(ReportOutputSerializer, description="Reported."),
        200: OpenApiResponse(
            ReportOutputSerializer, description="Already reported by this reporter: the report."
        ),
        **write_errors(
            voter="an invalid X-Voter",
            body=f"An unknown `reason` or a `note` over {NOTE_LENGTH_MAX} characters",
        ),
    },
    examples=[
        OpenApiExample("Report", value=REPORT_EXAMPLE, request_only=True),
        OpenApiExample("Report without a note", value={"reason": "fake"}, request_only=True),
        OpenApiExample(
            "The report",
            value={"review_id": 1265, **REPORT_EXAMPLE},
            response_only=True,
        ),
    ],
)
