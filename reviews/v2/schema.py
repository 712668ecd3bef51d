"""API v2's OpenAPI description: the output shapes (the views render JSON themselves), and each
operation's parameters, headers, answers and examples, in the legacy schema's style
(``reviews.schema``)."""

from drf_spectacular.utils import OpenApiExample, OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework import serializers

from atelier.ids import INT4_MAX
from reviews.parsers import BODY_BYTES_MAX
from reviews.patterns import whole_number_pattern
from reviews.schema import (
    IDEMPOTENCY_KEY,
    RATE_LIMIT_HEADERS,
    RATE_LIMITED,
    RETRY_AFTER,
    REVIEW_ID,
    SHOPPER_REFUSED,
    SHOPPER_TOKEN,
    UNAVAILABLE,
    URI_TOO_LONG,
    AverageOutputField,
    ReviewOutputSerializer,
    error,
)
from reviews.v2.filters import SEARCH_LENGTH_MAX, ReviewFilterSet
from reviews.v2.serializers import (
    NOTE_LENGTH_MAX,
    REPLY_LENGTH_MAX,
    REPORT_REASONS_STORED,
    VOTE_VALUES,
    ReplyInputSerializer,
    ReportCreateInputSerializer,
    ReviewPageInputSerializer,
    VoteInputSerializer,
)
from reviews.voters import VOTER_TOKEN_LENGTH_MAX, VOTER_TOKEN_PATTERN

# -- the answers' shapes ---------------------------------------------------------------------


class CharacteristicRatingOutputSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    name = serializers.CharField()
    value = serializers.IntegerField(min_value=1, max_value=5)
    # A declared field: DRF's metaclass takes it out of the class, Field.label stays.
    label = serializers.CharField(  # type: ignore[assignment]
        allow_null=True, help_text="What the value means to a shopper."
    )


class V2ReviewOutputSerializer(ReviewOutputSerializer):
    responded_at = serializers.CharField(
        allow_null=True,
        help_text="When the store wrote its `response` (ISO 8601, UTC, ms); null without.",
    )
    verified_purchase = serializers.BooleanField(
        help_text="Posted by a signed shopper whose token lists the product among their purchases."
    )
    characteristics = CharacteristicRatingOutputSerializer(many=True)
    my_vote = serializers.ChoiceField(
        choices=["up", "none"], required=False, help_text="Only when the request has X-Voter."
    )


class V2ReviewPageOutputSerializer(serializers.Serializer):
    product_id = serializers.IntegerField()
    sort = serializers.CharField()
    filters = serializers.DictField(help_text="The filters applied, as parsed.")
    version = serializers.IntegerField(
        help_text="The product's aggregate version (a summary of the same moment has the same)."
    )
    total = serializers.IntegerField(help_text="Reviews in the filtered list now.")
    results = V2ReviewOutputSerializer(many=True)
    next = serializers.CharField(
        allow_null=True, help_text="Link to the next page; null at the end."
    )
    previous = serializers.CharField(
        allow_null=True, help_text="Link to the page before; null at the start."
    )


class DistributionOutputSerializer(serializers.Serializer):
    value = serializers.IntegerField(min_value=1, max_value=5)
    label = serializers.CharField(allow_null=True)  # type: ignore[assignment]
    count = serializers.IntegerField(min_value=0)


class CharacteristicSummaryOutputSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    name = serializers.CharField()
    count = serializers.IntegerField(min_value=0)
    average = AverageOutputField(allow_null=True)
    average_rounded = serializers.FloatField(allow_null=True)
    distribution = DistributionOutputSerializer(many=True)


class RecommendedOutputSerializer(serializers.Serializer):
    count = serializers.IntegerField(min_value=0)
    percentage = serializers.FloatField(
        allow_null=True, help_text="To one decimal; null with no review."
    )


class CountsOutputSerializer(serializers.Serializer):
    total = serializers.IntegerField(min_value=0)
    ratings = serializers.DictField(
        child=serializers.IntegerField(min_value=0), help_text='"1" to "5".'
    )
    average = AverageOutputField(allow_null=True)
    average_rounded = serializers.FloatField(allow_null=True, help_text="Half-up to one decimal.")
    recommended = RecommendedOutputSerializer()
    verified_purchases = serializers.IntegerField(
        min_value=0, help_text="How many of the reviews are verified purchases."
    )
    characteristics = CharacteristicSummaryOutputSerializer(many=True)


class SummaryOutputSerializer(CountsOutputSerializer):
    product_id = serializers.IntegerField()
    version = serializers.IntegerField(help_text="The product's aggregate version.")
    filters = serializers.DictField(required=False, help_text="Only with filters.")
    filtered = CountsOutputSerializer(
        required=False, help_text="The same counts over the filtered reviews."
    )


class VoteOutputSerializer(serializers.Serializer):
    review_id = serializers.IntegerField()
    my_vote = serializers.ChoiceField(choices=VOTE_VALUES, help_text="The voter's vote now.")
    helpfulness = serializers.IntegerField(
        min_value=0, help_text="The review's helpful count, as the lists show it."
    )


class ReportOutputSerializer(serializers.Serializer):
    review_id = serializers.IntegerField()
    reason = serializers.ChoiceField(
        choices=REPORT_REASONS_STORED,
        help_text="`unspecified` for a report made through the legacy route.",
    )
    note = serializers.CharField(allow_blank=True)


# -- parameters and answers ----------------------------------------------------------------
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
        401: SHOPPER_REFUSED,
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


PRODUCT_ID = OpenApiParameter(
    "product_id",
    {"type": "string", "pattern": whole_number_pattern(INT4_MAX, optional=False)},
    OpenApiParameter.PATH,
    description="Product id.",
    # The demo data's (make run), whose reviews the example filters below find.
    examples=[OpenApiExample("a product of the demo data", value="245")],
)
VOTER = voter_header(
    required=False,
    description=(
        "Optional: the storefront's token for this shopper. With it each review says `my_vote`,"
        " and the answer is private (never cached for others)."
    ),
)


def boolean_choice(name: str) -> OpenApiParameter:
    return OpenApiParameter(
        name,
        str,
        enum=["true", "false", ""],
        description=ReviewFilterSet.base_filters[name].extra["help_text"] + " Empty: no filter.",
    )


FILTERS = [
    OpenApiParameter(
        "rating",
        {"type": "array", "items": {"type": "string", "enum": ["1", "2", "3", "4", "5"]}},
        explode=True,
        description=ReviewFilterSet.base_filters["rating"].extra["help_text"],
        examples=[OpenApiExample("4 and 5 stars", value=["4", "5"])],
    ),
    boolean_choice("recommend"),
    boolean_choice("with_photos"),
    boolean_choice("verified"),
    OpenApiParameter(
        "q",
        {"type": "string", "maxLength": SEARCH_LENGTH_MAX, "pattern": "^[^\\x00]*$"},
        description=ReviewFilterSet.base_filters["q"].extra["help_text"],
        examples=[OpenApiExample("a word", value="fit")],
    ),
]
INVALID_FILTERS = error(
    "A filter, sort, limit or cursor that is not valid (or given twice); `errors` says which."
)
NOT_A_PRODUCT_ID = error("The path's product id is not a whole number in the id range.")


# -- the operations ----------------------------------------------------------------------------
REVIEW_PAGE = extend_schema(
    summary="A product's reviews: filtered, sorted, in keyset pages (v2)",
    description=(
        "Pages follow `next` and `previous`. The first page pins a snapshot: reviews posted later"
        " never appear on later pages, and a review whose sort key does not change while a shopper"
        " pages appears exactly once."
    ),
    parameters=[PRODUCT_ID, *FILTERS, ReviewPageInputSerializer, VOTER, SHOPPER_TOKEN, RETRY_AFTER],
    responses={
        200: V2ReviewPageOutputSerializer,
        400: error("An X-Voter header that is not a voter token."),
        401: SHOPPER_REFUSED,
        404: NOT_A_PRODUCT_ID,
        (414, "text/html"): URI_TOO_LONG,
        422: INVALID_FILTERS,
        503: UNAVAILABLE,
    },
    examples=[
        OpenApiExample(
            "newest 4- and 5-star reviews with photos",
            response_only=True,
            value={
                "product_id": 5,
                "sort": "newest",
                "filters": {"rating": [4, 5], "with_photos": "true"},
                "version": 81231,
                "total": 2,
                "results": [],
                "next": None,
                "previous": None,
            },
        )
    ],
)
PRODUCT_SUMMARY = extend_schema(
    summary="A product's rating histogram, recommendations and characteristic distributions (v2)",
    description="With the list's filters, `filtered` has the same counts over those reviews.",
    parameters=[PRODUCT_ID, *FILTERS, RETRY_AFTER],
    examples=[
        OpenApiExample(
            "a product with one characteristic, filtered to 5 stars",
            response_only=True,
            value={
                "product_id": 5,
                "version": 81231,
                "total": 4,
                "ratings": {"1": 0, "2": 0, "3": 1, "4": 1, "5": 2},
                "average": "4.2500000000000000",
                "average_rounded": 4.3,
                "recommended": {"count": 3, "percentage": 75.0},
                "verified_purchases": 1,
                "characteristics": [
                    {
                        "id": 14,
                        "name": "Fit",
                        "count": 4,
                        "average": "3.0000000000000000",
                        "average_rounded": 3.0,
                        "distribution": [
                            {"value": 1, "label": "Runs tight", "count": 0},
                            {"value": 2, "label": "Runs slightly tight", "count": 1},
                            {"value": 3, "label": "Perfect", "count": 2},
                            {"value": 4, "label": "Runs slightly loose", "count": 1},
                            {"value": 5, "label": "Runs loose", "count": 0},
                        ],
                    }
                ],
                "filters": {"rating": [5]},
                "filtered": {
                    "total": 2,
                    "ratings": {"1": 0, "2": 0, "3": 0, "4": 0, "5": 2},
                    "average": "5.0000000000000000",
                    "average_rounded": 5.0,
                    "recommended": {"count": 2, "percentage": 100.0},
                    "verified_purchases": 1,
                    "characteristics": [
                        {
                            "id": 14,
                            "name": "Fit",
                            "count": 2,
                            "average": "3.0000000000000000",
                            "average_rounded": 3.0,
                            "distribution": [
                                {"value": 1, "label": "Runs tight", "count": 0},
                                {"value": 2, "label": "Runs slightly tight", "count": 0},
                                {"value": 3, "label": "Perfect", "count": 2},
                                {"value": 4, "label": "Runs slightly loose", "count": 0},
                                {"value": 5, "label": "Runs loose", "count": 0},
                            ],
                        }
                    ],
                },
            },
        )
    ],
    responses={
        200: SummaryOutputSerializer,
        404: NOT_A_PRODUCT_ID,
        (414, "text/html"): URI_TOO_LONG,
        422: INVALID_FILTERS,
        503: UNAVAILABLE,
    },
)
REVIEW_VOTE = extend_schema(
    summary="Set a voter's helpful vote on a review (once per voter; `none` takes it back)",
    description=(
        "The voter is the signed shopper (`X-Shopper-Token`) when the store signs them, else the "
        "`X-Voter` token. `up` counts the vote once however often it is sent; "
        "`none` takes the voter's vote back (the count goes down only when there was one). "
        "`helpfulness` is the count the lists show. A reported review is a 404."
    ),
    request=VoteInputSerializer,
    parameters=[
        REVIEW_ID,
        voter_header(
            required=True,
            description="The voter: the token the storefront issued (unless it signs shoppers).",
        ),
        SHOPPER_TOKEN,
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
REVIEW_REPORT_ADD = extend_schema(
    summary="Report a review with a reason (once per reporter; the first report hides it)",
    description=(
        "The reporter is the signed shopper (`X-Shopper-Token`) when the store signs them, else "
        "the client's address. A report queues the review for a moderator and hides it from the "
        "lists and the meta within the product's daily bound; a hidden review is then a 404, "
        "as a missing one. 201 with the report when it is the reporter's first, 200 with the "
        "stored one (unchanged) when the reporter already reported the review."
    ),
    request=ReportCreateInputSerializer,
    parameters=[
        REVIEW_ID,
        voter_header(required=False, description="Optional: checked, never the reporter."),
        SHOPPER_TOKEN,
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


class ReplyOutputSerializer(serializers.Serializer):
    review_id = serializers.IntegerField()
    response = serializers.CharField(allow_null=True)
    responded_at = serializers.CharField(allow_null=True, help_text="ISO 8601, UTC; null without.")


REVIEW_RESPONSE_SET = extend_schema(
    summary="Write (or clear, with null) the store's public reply to a review (staff only)",
    description=(
        "Store staff only: `Authorization: Token <key>` (a DRF token of a staff account, "
        "`manage.py drf_create_token <username>`), or the admin's session with its CSRF token "
        "(`X-CSRFToken`). The reply shows as `response` in both APIs "
        "and `responded_at` in v2; the cache drops the review's answers."
    ),
    request=ReplyInputSerializer,
    parameters=[REVIEW_ID],
    responses={
        200: ReplyOutputSerializer,
        400: error("Malformed JSON."),
        401: error("No token, or not a valid one."),
        403: error("The token's account is not store staff."),
        404: error("No review has this id."),
        415: error("Body not sent as application/json."),
        422: error(f"`response` not text of at most {REPLY_LENGTH_MAX} characters, or null."),
        503: UNAVAILABLE,
    },
    examples=[
        OpenApiExample(
            "Reply", value={"response": "Thank you! The fit runs small."}, request_only=True
        ),
        OpenApiExample("Clear the reply", value={"response": None}, request_only=True),
    ],
)
