"""The public API's OpenAPI description: what drf-spectacular cannot read from the views and the
input serializers. The output shapes (serializers used by the schema only: the views render JSON
themselves), the parameters, headers and answers of each operation, the extension that writes
query numbers as digit patterns, and the hooks run over the generated document."""

from drf_spectacular.extensions import OpenApiSerializerFieldExtension
from drf_spectacular.utils import (
    OpenApiExample,
    OpenApiParameter,
    OpenApiResponse,
    extend_schema,
    extend_schema_field,
    extend_schema_serializer,
)
from rest_framework import serializers

from reviews.patterns import whole_number_pattern
from reviews.serializers import (
    ProductMetaInputSerializer,
    ReviewCreateInputSerializer,
    ReviewListInputSerializer,
)

# -- the answers' shapes (OpenAPI 3.1: JSON Schema types, patterns, key names) ----------------


@extend_schema_field(
    {
        "type": "string",
        "pattern": r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$",
        "example": "2021-06-19T03:41:21.467Z",
        "description": "UTC, with milliseconds (JavaScript toISOString()).",
    }
)
class IsoDateOutputField(serializers.CharField):
    pass


@extend_schema_field(
    {
        "type": "string",
        "pattern": r"^\d+\.\d{16}$",
        "example": "3.2105263157894737",
        "description": "Average rating with exactly 16 decimals (half-up), null when unrated.",
    }
)
class AverageOutputField(serializers.CharField):
    pass


def counts_schema(keys: list[str], description: str) -> dict:
    """Counts written as strings, with only the keys whose count is above zero."""
    return {
        "type": "object",
        "propertyNames": {"enum": keys},
        "additionalProperties": {"type": "string", "pattern": r"^[1-9]\d*$"},
        "description": description,
    }


@extend_schema_field(counts_schema(["1", "2", "3", "4", "5"], "Review count per rating."))
class RatingCountsOutputField(serializers.DictField):
    pass


@extend_schema_field(counts_schema(["false", "true"], "Review count per recommendation."))
class RecommendCountsOutputField(serializers.DictField):
    pass


class PhotoOutputSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    url = serializers.CharField()


class ReviewOutputSerializer(serializers.Serializer):
    review_id = serializers.IntegerField()
    rating = serializers.IntegerField(min_value=1, max_value=5)
    summary = serializers.CharField()
    recommend = serializers.BooleanField()
    response = serializers.CharField(allow_null=True)
    body = serializers.CharField()
    date = IsoDateOutputField()
    reviewer_name = serializers.CharField()
    helpfulness = serializers.IntegerField(min_value=0)
    photos = PhotoOutputSerializer(many=True)


@extend_schema_serializer(many=False)  # the list action answers one object, not an array
class ReviewListOutputSerializer(serializers.Serializer):
    product = serializers.CharField(help_text="The product id, as a string.")
    page = serializers.IntegerField(help_text="The requested page minus one.")
    count = serializers.IntegerField(help_text="The requested page size.")
    results = ReviewOutputSerializer(many=True)


class CharacteristicOutputSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    value = AverageOutputField(allow_null=True)


class ProductMetaOutputSerializer(serializers.Serializer):
    product_id = serializers.CharField(help_text="The product id, as a string.")
    ratings = RatingCountsOutputField()
    recommended = RecommendCountsOutputField()
    characteristics = serializers.DictField(
        child=CharacteristicOutputSerializer(), help_text="Keyed by characteristic name."
    )


class ErrorOutputSerializer(serializers.Serializer):
    detail = serializers.CharField()
    # A declared field: DRF's metaclass takes it out of the class, Serializer.errors stays.
    errors = serializers.DictField(  # type: ignore[assignment]
        required=False, help_text="What is wrong with each field (validation errors only)."
    )


# -- parameters, headers and answers --------------------------------------------------------
def error(description: str) -> OpenApiResponse:
    return OpenApiResponse(ErrorOutputSerializer, description=description)


INVALID_QUERY = error(
    "Invalid product_id, page, count or sort (or one given twice); `detail` says which."
)
URI_TOO_LONG = OpenApiResponse(str, description="A request line over 4 KiB (an HTML page).")
UNAVAILABLE = error("The database cannot be reached; retry after `Retry-After` seconds.")
REVIEW_ID = OpenApiParameter("review_id", int, OpenApiParameter.PATH, description="Review id.")
LOCATION = OpenApiParameter(
    "Location", str, OpenApiParameter.HEADER, response=[201], description="/reviews/<id>"
)
RETRY_AFTER = OpenApiParameter(
    "Retry-After", int, OpenApiParameter.HEADER, response=[503], description="Seconds."
)
NO_CONTENT = OpenApiResponse(description="Done; empty body.")
NOT_FOUND = error("No review has this id.")


RATE_LIMITED = error(
    "Too many requests from this client; retry after `Retry-After` seconds (`RateLimit` says "
    "how many remain in the window, `RateLimit-Policy` what the limit is)."
)
RATE_LIMIT_HEADERS = [
    OpenApiParameter(
        "RateLimit-Policy",
        str,
        OpenApiParameter.HEADER,
        response=True,
        description='The limit, as in the IETF draft: `"reviews-post";q=20;w=3600`.',
    ),
    OpenApiParameter(
        "RateLimit",
        str,
        OpenApiParameter.HEADER,
        response=True,
        description='What remains, and seconds to the next window: `"reviews-post";r=19;t=1712`.',
    ),
    OpenApiParameter(
        "Retry-After", int, OpenApiParameter.HEADER, response=[429, 503], description="Seconds."
    ),
]
SHOPPER_TOKEN = OpenApiParameter(
    "X-Shopper-Token",
    str,
    OpenApiParameter.HEADER,
    description=(
        "When the store signs its shoppers (ATELIER_SHOPPER_TOKEN_SECRET): the JWT (HS256) the "
        "storefront issued, with `sub` (the shopper) and `exp`, and optionally "
        "`verified_purchases`. Ignored when the store signs none."
    ),
)
SHOPPER_REFUSED = error(
    "The store signs its shoppers, and X-Shopper-Token is missing (where required) or not one "
    "it signed (forged, expired, without `sub` or `exp`)."
)
IDEMPOTENCY_KEY = OpenApiParameter(
    "Idempotency-Key",
    # 1 to 255 printable ASCII characters (spaces inside only: HTTP trims them at the ends)
    {"type": "string", "minLength": 1, "maxLength": 255, "pattern": "^[!-~]([ -~]*[!-~])?$"},
    OpenApiParameter.HEADER,
    description=(
        "Optional. A retry with the same key and body gets the first answer again instead of a "
        "second write (kept 24 h); the same key with another body is 422."
    ),
)
IDEMPOTENCY_ERRORS = {
    400: error("Malformed JSON, or an Idempotency-Key that is not 1 to 255 printable characters."),
    422: error(
        "Invalid entries (`errors` says what is wrong with each field), or an Idempotency-Key "
        "already used for another request."
    ),
}


def review_update_schema(summary: str, *, idempotent: bool = False):
    """A PUT on one review: no body, 204 when done, 404 for an unknown id, 429 past the client's
    limit."""
    errors = IDEMPOTENCY_ERRORS if idempotent else {}
    return extend_schema(
        summary=summary,
        request=None,
        parameters=[REVIEW_ID, *RATE_LIMIT_HEADERS, *([IDEMPOTENCY_KEY] if idempotent else [])],
        responses={
            204: NO_CONTENT,
            **errors,
            404: NOT_FOUND,
            429: RATE_LIMITED,
            503: UNAVAILABLE,
        },
    )


# -- the operations ------------------------------------------------------------------------------
REVIEW_LIST = extend_schema(
    summary="A page of a product's reviews",
    parameters=[ReviewListInputSerializer, RETRY_AFTER],
    responses={
        200: ReviewListOutputSerializer,
        (414, "text/html"): URI_TOO_LONG,
        422: INVALID_QUERY,
        503: UNAVAILABLE,
    },
)
PRODUCT_META = extend_schema(
    summary="A product's rating counts, recommend counts and characteristic averages",
    parameters=[ProductMetaInputSerializer, RETRY_AFTER],
    responses={
        200: ProductMetaOutputSerializer,
        (414, "text/html"): URI_TOO_LONG,
        422: INVALID_QUERY,
        503: UNAVAILABLE,
    },
)
# A review the demo data takes as it is (`make run`: product 245 rates Size 845 and Comfort 847),
# so that the docs' "Try it out" posts one instead of a 422.
REVIEW_EXAMPLE = {
    "product_id": 245,
    "rating": 5,
    "summary": "Great",
    "body": "Fits well.",
    "recommend": True,
    "name": "jackson11",
    "email": "jackson11@example.com",
    "photos": ["https://example.com/a.jpg"],
    "characteristics": {"845": 4, "847": 5},
}

REVIEW_CREATE = extend_schema(
    summary="Post a review",
    request=ReviewCreateInputSerializer,
    examples=[OpenApiExample("A review of the demo data's product 245", value=REVIEW_EXAMPLE)],
    parameters=[LOCATION, *RATE_LIMIT_HEADERS, IDEMPOTENCY_KEY, SHOPPER_TOKEN],
    responses={
        (201, "text/plain"): OpenApiResponse(
            str, description="The text `Created`; `Location` names the new review."
        ),
        **IDEMPOTENCY_ERRORS,
        401: SHOPPER_REFUSED,
        409: error("The signed shopper has already reviewed this product."),
        413: error("Body larger than 256 KiB."),
        415: error("Body not sent as application/json."),
        429: RATE_LIMITED,
        503: UNAVAILABLE,
    },
)
REVIEW_RETRIEVE = extend_schema(
    summary="One review, as it appears in the list (the Location of a posted review)",
    parameters=[REVIEW_ID, RETRY_AFTER],
    responses={200: ReviewOutputSerializer, 404: NOT_FOUND, 503: UNAVAILABLE},
)
REVIEW_HELPFUL = review_update_schema(
    "Mark a review helpful (counted once per client; 204 every time)", idempotent=True
)
REVIEW_REPORT = review_update_schema("Report a review (hides it from lists and meta; idempotent)")


# -- how query numbers are described, and touches to the generated document ---------------
class QueryWholeNumberFieldExtension(OpenApiSerializerFieldExtension):
    target_class = "reviews.serializers.QueryWholeNumberField"

    def map_serializer_field(self, auto_schema, direction):
        field = self.target
        schema = {
            "type": "string",
            "pattern": whole_number_pattern(field.max_value, optional=not field.required),
        }
        if not field.required:
            schema["default"] = str(field.default)
        return schema


# Bodies whose unknown keys are ignored rather than refused (the contract's clients send extras).
OPEN_BODIES = ("ReviewCreateInput", "VoteInput", "ReportCreateInput")


def unknown_keys_allowed(result, generator, request, public):
    """Say outright that these bodies take keys they do not name (JSON Schema's default, which
    fuzzers otherwise read as "no other keys")."""
    schemas = result.get("components", {}).get("schemas", {})
    for name in OPEN_BODIES:
        if name in schemas:
            schemas[name]["additionalProperties"] = True
    return result
