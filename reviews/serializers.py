"""Input serializers (query strings and POST bodies) and the output shapes the schema documents.

Input serializers only parse and check; a failure becomes a 422 whose ``detail`` is the message
the contract gives for that input (``reviews.exceptions.InputInvalid``). Output serializers never
run on the hot path (responses are rendered from plain data, see ``reviews.views``); they exist so
that the OpenAPI schema describes exactly what is sent, string-typed fields included.
"""

import re

from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from reviews.exceptions import INVALID_PRODUCT_ID, INVALID_REVIEW_BODY, InputInvalid
from reviews.models import INT4_MAX

SORTS = ("relevant", "newest", "helpful")
COUNT_MAX = 1000
# A product's reviews are served up to this depth in any sort: page * count <= DEPTH_MAX.
DEPTH_MAX = 10_000
PHOTOS_MAX = 5
# More keys than any product has characteristics (the data has at most six); checked before the
# values, so that a 10,000-key object costs nothing.
CHARACTERISTICS_KEYS_MAX = 50

_WHOLE_NUMBER = re.compile(r"-?[0-9]{1,20}")


class WholeNumberField(serializers.IntegerField):
    """A JSON integer or a string of ASCII digits; never a float, a boolean, ``5_000`` or ``١٢``."""

    default_error_messages = {"invalid": "A whole number is required."}

    def to_internal_value(self, data):
        if isinstance(data, int) and not isinstance(data, bool):
            return data
        if isinstance(data, str) and _WHOLE_NUMBER.fullmatch(data):
            return int(data)
        self.fail("invalid")


class InputSerializer(serializers.Serializer):
    """Validates one request's input; ``details`` maps a field to its 422 ``detail`` message."""

    details: dict[str, str] = {}
    fallback_detail = INVALID_REVIEW_BODY

    @classmethod
    def validated(cls, data) -> dict:
        quick = cls.quick_validated(data)
        if quick is not None:
            return quick
        serializer = cls(data=data)
        if not serializer.is_valid():
            errors = serializer.errors
            detail = next(
                (cls.details[field] for field in cls.details if field in errors),
                cls.fallback_detail,
            )
            raise InputInvalid(detail=detail, errors=errors)
        return serializer.validated_data

    @classmethod
    def quick_validated(cls, data) -> dict | None:
        """What ``validated`` returns for a plain, valid input, without building the serializer
        (DRF deep-copies every field per instance: a third of a review read's Python time).
        None sends the input to the serializer, which judges everything unusual or invalid."""
        return None

    def create(self, validated_data):  # pragma: no cover - input serializers never save
        raise NotImplementedError

    def update(self, instance, validated_data):  # pragma: no cover
        raise NotImplementedError


def product_id_field(**kwargs) -> WholeNumberField:
    return WholeNumberField(min_value=1, max_value=INT4_MAX, help_text="Product id.", **kwargs)


def quick_whole_number(query, name: str, default: int | None, maximum: int) -> int | None:
    """A query parameter of plain ASCII digits within 1..maximum (blank or absent: ``default``);
    None for anything else."""
    raw = query.get(name, "")
    if raw == "":
        return default
    if not (raw.isascii() and raw.isdigit() and len(raw) <= 10):
        return None
    value = int(raw)
    return value if 1 <= value <= maximum else None


class ProductMetaInputSerializer(InputSerializer):
    product_id = product_id_field()

    details = {"product_id": INVALID_PRODUCT_ID}

    @classmethod
    def quick_validated(cls, data) -> dict | None:
        product_id = quick_whole_number(data, "product_id", None, INT4_MAX)
        return None if product_id is None else {"product_id": product_id}


class ReviewListInputSerializer(InputSerializer):
    """The list's query string. An empty ``sort=``, ``page=`` or ``count=`` means the default
    (DRF reads a blank optional query parameter as absent)."""

    product_id = product_id_field()
    page = WholeNumberField(
        min_value=1, max_value=DEPTH_MAX, default=1, help_text="Page number, from 1."
    )
    count = WholeNumberField(
        min_value=1, max_value=COUNT_MAX, default=5, help_text="Reviews per page, 1 to 1000."
    )
    sort = serializers.ChoiceField(
        choices=SORTS,
        default="relevant",
        help_text="relevant (default), newest or helpful.",
    )

    details = {
        "product_id": INVALID_PRODUCT_ID,
        "page": (
            "Error: invalid page provided; page must be a whole number from 1 up,"
            f" with page * count at most {DEPTH_MAX}"
        ),
        "count": (
            f"Error: invalid count provided; count must be a whole number from 1 to {COUNT_MAX}"
        ),
        "sort": "Error: invalid sort provided; sort must be one of relevant, newest, helpful",
    }

    @classmethod
    def quick_validated(cls, data) -> dict | None:
        product_id = quick_whole_number(data, "product_id", None, INT4_MAX)
        page = quick_whole_number(data, "page", 1, DEPTH_MAX)
        count = quick_whole_number(data, "count", 5, COUNT_MAX)
        sort = data.get("sort", "") or "relevant"
        if None in (product_id, page, count) or sort not in SORTS or page * count > DEPTH_MAX:
            return None
        return {"product_id": product_id, "page": page, "count": count, "sort": sort}

    def validate(self, attrs):
        if attrs["page"] * attrs["count"] > DEPTH_MAX:
            raise serializers.ValidationError(
                {"page": [f"page * count must be at most {DEPTH_MAX}."]}
            )
        return attrs


class CharacteristicRatingsField(serializers.DictField):
    """``{"<characteristic id>": 1..5}``; the ids are checked against the product by the service."""

    child = WholeNumberField(min_value=1, max_value=5)
    default_error_messages = {
        "too_many": f"At most {CHARACTERISTICS_KEYS_MAX} characteristics can be rated.",
        "bad_key": "Keys must be characteristic ids (positive whole numbers), not {name!r}.",
    }

    def to_internal_value(self, data):
        if isinstance(data, dict) and len(data) > CHARACTERISTICS_KEYS_MAX:
            self.fail("too_many")
        ratings = super().to_internal_value(data)
        parsed = {}
        for key, value in ratings.items():
            if not _WHOLE_NUMBER.fullmatch(key) or not 1 <= int(key) <= INT4_MAX:
                self.fail("bad_key", name=key[:40])
            parsed[int(key)] = value
        return parsed


class TextField(serializers.CharField):
    """A JSON string, kept exactly as written (DRF would also take 5 for "5" and trim spaces)."""

    default_error_messages = {"not_a_string": "A string is required."}

    def __init__(self, **kwargs):
        kwargs.setdefault("trim_whitespace", False)
        super().__init__(**kwargs)

    def to_internal_value(self, data):
        if not isinstance(data, str):
            self.fail("not_a_string")
        return super().to_internal_value(data)


class NotBlankTextField(TextField):
    """Refused when it is empty or only whitespace."""

    def to_internal_value(self, data):
        value = super().to_internal_value(data)
        if not value.strip():
            self.fail("blank")
        return value


class StrictBooleanField(serializers.BooleanField):
    """A JSON ``true`` or ``false``; never 0, 1, ``"yes"`` or ``"true"``."""

    default_error_messages = {"invalid": "Must be true or false."}

    def to_internal_value(self, data):
        if data is True or data is False:
            return data
        self.fail("invalid")


# A plain file name (what one real client sends): no colon (so no scheme), no control character or
# backslash, and not an absolute or protocol-relative path. Anything else must be an http(s) URL
# with a host: never javascript:, data:, file: or vbscript:, which a page showing it would follow.
_PLAIN_FILE_NAME = re.compile(r"[^\s:/\\][^:\\\x00-\x1f\x7f]*")
_HTTP_URL = re.compile(r"https?://[^\s/?#@\\]+(?:[/?#][^\s\\]*)?", re.IGNORECASE)


class PhotoField(NotBlankTextField):
    default_error_messages = {
        "not_a_photo": "A photo is an http(s) URL or a plain file name.",
    }

    def to_internal_value(self, data):
        value = super().to_internal_value(data)
        if not (_PLAIN_FILE_NAME.fullmatch(value) or _HTTP_URL.fullmatch(value)):
            self.fail("not_a_photo")
        return value


class ReviewCreateInputSerializer(InputSerializer):
    """The POST body. Unknown keys are ignored, so ``reported``, ``helpfulness``, ``date``,
    ``response`` and ``review_id`` can never be set by a client."""

    product_id = product_id_field()
    rating = WholeNumberField(min_value=1, max_value=5)
    summary = TextField(max_length=255, allow_blank=True, required=False, default="")
    body = NotBlankTextField(min_length=1, max_length=1000)
    recommend = StrictBooleanField()
    name = NotBlankTextField(min_length=1, max_length=60)
    email = serializers.EmailField(max_length=60)
    photos = serializers.ListField(
        child=PhotoField(max_length=2048),
        max_length=PHOTOS_MAX,
        required=False,
        default=list,
        help_text="Photo URLs (or file names), at most 5.",
    )
    characteristics = CharacteristicRatingsField(
        required=False,
        default=dict,
        help_text='Ratings 1..5 keyed by characteristic id of this product: {"240661": 4}.',
    )
    # Every invalid entry, product_id included, answers INVALID_REVIEW_BODY (the fallback).


# Output shapes, for the schema only (OpenAPI 3.1: JSON Schema types, patterns, key names).


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
    errors = serializers.DictField(
        required=False, help_text="What is wrong with each field (validation errors only)."
    )
