"""The legacy API's input serializers (query strings and POST bodies), and the fields both APIs'
inputs are made of. They only parse and check: a failure is a 422 whose ``detail`` is the message
the contract gives for that input (``reviews.exceptions.InputInvalid``). The answers' shapes are
described in ``reviews.schema``."""

import re
from collections.abc import Iterable, Mapping

from django.core.validators import RegexValidator
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from atelier.ids import INT4_MAX, positive_int4, whole_number_from_text
from reviews.exceptions import INVALID_PRODUCT_ID, INVALID_REVIEW_BODY, InputInvalid
from reviews.patterns import whole_number_pattern

REVIEW_LIST_SORTS = ("relevant", "newest", "helpful")
COUNT_MAX = 1000
# A product's reviews are served up to this depth in any sort: page * count <= DEPTH_MAX.
DEPTH_MAX = 10_000
PHOTOS_MAX = 5
# More keys than any product has characteristics (the data has at most six); checked before the
# values, so that a 10,000-key object costs nothing.
CHARACTERISTICS_KEYS_MAX = 50

_WHOLE_NUMBER = re.compile(r"-?[0-9]{1,20}")


class WholeNumberField(serializers.IntegerField):
    """A JSON integer (``5``, or ``5.0``: JSON has one number type) or a string of ASCII digits;
    never a fraction, a boolean, ``5_000`` or ``١٢``."""

    default_error_messages = {"invalid": "A whole number is required."}

    def to_internal_value(self, data):
        if isinstance(data, int) and not isinstance(data, bool):
            return data
        if isinstance(data, float) and data.is_integer():
            return int(data)
        if isinstance(data, str) and _WHOLE_NUMBER.fullmatch(data):
            return int(data)
        self.fail("invalid")


class InputSerializer(serializers.Serializer):
    """Validates one request's input; ``details`` maps a field to its 422 ``detail`` message."""

    details: dict[str, str] = {}
    fallback_detail = INVALID_REVIEW_BODY

    @classmethod
    def validated(cls, data) -> dict:
        if hasattr(data, "getlist"):  # a query string: each parameter at most once
            repeats_refuse(data, cls._declared_fields, cls.details, cls.fallback_detail)
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

    @classmethod
    def quick(cls, query) -> dict | None:
        """What ``validated`` returns for a plain, valid query string, or None for one that only
        ``validated`` judges (a parameter given twice, anything ``quick_validated`` leaves)."""
        if any(len(query.getlist(name)) > 1 for name in cls._declared_fields):
            return None
        return cls.quick_validated(query)

    def create(self, validated_data):  # pragma: no cover - input serializers never save
        raise NotImplementedError

    def update(self, instance, validated_data):  # pragma: no cover
        raise NotImplementedError


def repeats_refuse(
    query, names: Iterable[str], details: Mapping[str, str], fallback_detail: str
) -> None:
    """``?product_id=1&product_id=2`` names two products: a 422 naming each parameter of
    ``names`` given more than once (``detail`` the first one's), never a guess at which."""
    repeated = [name for name in names if len(query.getlist(name)) > 1]
    if repeated:
        raise InputInvalid(
            detail=details.get(repeated[0], fallback_detail),
            errors={name: ["Given more than once; give it once."] for name in repeated},
        )


class QueryWholeNumberField(WholeNumberField):
    """A whole number in a query string: ASCII digits only (``5.0`` is not one there). Its schema
    is a string pattern (reviews.schema), which says exactly that."""

    def to_internal_value(self, data):
        if not isinstance(data, str):
            self.fail("invalid")
        return super().to_internal_value(data)


def product_id_field(*, query: bool = False, **kwargs) -> WholeNumberField:
    field = QueryWholeNumberField if query else WholeNumberField
    return field(min_value=1, max_value=INT4_MAX, help_text="Product id.", **kwargs)


def quick_whole_number(query, name: str, default: int | None, maximum: int) -> int | None:
    """A query parameter of plain ASCII digits within 1..maximum (blank or absent: ``default``);
    None for anything else."""
    raw = query.get(name, "")
    return default if raw == "" else whole_number_from_text(raw, maximum)


class ProductMetaInputSerializer(InputSerializer):
    product_id = product_id_field(query=True)

    details = {"product_id": INVALID_PRODUCT_ID}

    @classmethod
    def quick_validated(cls, data) -> dict | None:
        product_id = quick_whole_number(data, "product_id", None, INT4_MAX)
        return None if product_id is None else {"product_id": product_id}


class SortField(serializers.ChoiceField):
    """A sort name; ``sort=`` (empty) is the default, as for the other parameters."""

    def __init__(self, **kwargs):
        super().__init__(allow_blank=True, **kwargs)

    def to_internal_value(self, data):
        return super().to_internal_value(data) or self.default


class ReviewListInputSerializer(InputSerializer):
    """The list's query string. An empty ``sort=``, ``page=`` or ``count=`` means the default
    (DRF reads a blank optional query parameter as absent)."""

    product_id = product_id_field(query=True)
    page = QueryWholeNumberField(
        min_value=1,
        max_value=DEPTH_MAX,
        default=1,
        help_text=f"Page number, from 1; page * count is at most {DEPTH_MAX} (422 beyond).",
    )
    count = QueryWholeNumberField(
        min_value=1, max_value=COUNT_MAX, default=5, help_text="Reviews per page, 1 to 1000."
    )
    sort = SortField(
        choices=REVIEW_LIST_SORTS,
        default="relevant",
        help_text="relevant (default), newest or helpful; empty means relevant.",
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
        if product_id is None or page is None or count is None:
            return None
        if sort not in REVIEW_LIST_SORTS or page * count > DEPTH_MAX:
            return None
        return {"product_id": product_id, "page": page, "count": count, "sort": sort}

    def validate(self, attrs):
        if attrs["page"] * attrs["count"] > DEPTH_MAX:
            raise serializers.ValidationError(
                {"page": [f"page * count must be at most {DEPTH_MAX}."]}
            )
        return attrs


# A characteristic id as an object key: up to 20 digits, of a number in 1..INT4_MAX.
INT4_KEY_PATTERN = whole_number_pattern(INT4_MAX, optional=False)


@extend_schema_field(
    {
        "type": "object",
        "propertyNames": {"pattern": INT4_KEY_PATTERN},
        "additionalProperties": {"type": "integer", "minimum": 1, "maximum": 5},
        "maxProperties": CHARACTERISTICS_KEYS_MAX,
    }
)
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
            if not _WHOLE_NUMBER.fullmatch(key) or not positive_int4(int(key)):
                self.fail("bad_key", name=key[:40])
            parsed[int(key)] = value
        return parsed


@extend_schema_field({"type": "string", "pattern": r"^[^\x00]*$"})  # PostgreSQL text has no NUL
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


# Whitespace as both Python's str.isspace() and JavaScript's \s count it, spelled out so that the
# API's checks and the schema's patterns (read by Python and JavaScript alike) agree exactly.
SPACE = r"\t\n\x0b\x0c\r\x1c-\x20\x85\xa0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000\ufeff"
NOT_BLANK = rf"[^\x00]*[^{SPACE}\x00][^\x00]*"


def anchored(pattern: str) -> str:
    """A pattern the API matches whole, as the schema writes it."""
    return f"^(?:{pattern})$"


@extend_schema_field({"type": "string", "pattern": anchored(NOT_BLANK)})
class NotBlankTextField(TextField):
    """Refused when it is empty or only whitespace."""

    default_error_messages = {"blank": "This field may not be blank."}
    not_blank = re.compile(NOT_BLANK)

    def to_internal_value(self, data):
        value = super().to_internal_value(data)
        if not self.not_blank.fullmatch(value):
            self.fail("blank")
        return value


class StrictBooleanField(serializers.BooleanField):
    """A JSON ``true`` or ``false``; never 0, 1, ``"yes"`` or ``"true"``."""

    default_error_messages = {"invalid": "Must be true or false."}

    def to_internal_value(self, data):
        if data is True or data is False:
            return data
        self.fail("invalid")


# A photo is an http(s) URL with a host, or a plain relative file name (what one real client
# sends): never javascript:, data:, file: or vbscript:, which a page showing it would follow.
# Neither holds whitespace, a control character, a backslash, or a quote or angle bracket that
# would end an HTML attribute or tag a storefront builds by string; a file name has no colon (so
# no scheme), no leading slash and no "." or ".." segment.
CONTROL = r"\x00-\x1f\x7f"
UNSAFE = rf"{SPACE}{CONTROL}\\" + "\"'<>`"  # no needless escape: JavaScript reads it too
FILE_SEGMENT = rf"(?!\.\.?(?:/|$))[^{UNSAFE}:/]+"
PHOTO = (
    rf"{FILE_SEGMENT}(?:/{FILE_SEGMENT})*"
    rf"|[hH][tT][tT][pP][sS]?://[^{UNSAFE}/?#@]+(?:[/?#][^{UNSAFE}]*)?"
)


@extend_schema_field(
    {
        "type": "string",
        "pattern": anchored(PHOTO),
        "description": "An http(s) URL, or a plain file name (no colon, no leading slash).",
    }
)
class PhotoField(NotBlankTextField):
    default_error_messages = {
        "not_a_photo": "A photo is an http(s) URL or a plain file name.",
    }

    photo = re.compile(PHOTO)

    def to_internal_value(self, data):
        value = super().to_internal_value(data)
        if not self.photo.fullmatch(value):
            self.fail("not_a_photo")
        return value


# An address as Django checks one, in ASCII: a dot-atom local part, then host name labels and a
# top-level domain of 2 to 63 letters. (Django alone also takes quoted local parts, punycode
# top-level domains and non-ASCII domains, which the schema's email format and a pattern do not
# say alike: the pattern is the definition.)
EMAIL_PATTERN = (
    r"^[-!#$%&'*+/=?^_`{}|~0-9A-Za-z]+(\.[-!#$%&'*+/=?^_`{}|~0-9A-Za-z]+)*"
    r"@[A-Za-z0-9]([A-Za-z0-9-]{0,61}[A-Za-z0-9])?(\.[A-Za-z0-9]([A-Za-z0-9-]{0,61}[A-Za-z0-9])?)*"
    r"\.[A-Za-z][A-Za-z-]{0,61}[A-Za-z]$"
)


@extend_schema_field(
    {"type": "string", "pattern": EMAIL_PATTERN, "description": "An email address (ASCII)."}
)
class EmailField(serializers.EmailField):
    def __init__(self, **kwargs):
        super().__init__(**kwargs)
        self.validators.append(RegexValidator(EMAIL_PATTERN, "Enter a valid email address."))


class ReviewCreateInputSerializer(InputSerializer):
    """The POST body. Unknown keys are ignored, so ``reported``, ``helpfulness``, ``date``,
    ``response`` and ``review_id`` can never be set by a client."""

    product_id = product_id_field()
    rating = WholeNumberField(min_value=1, max_value=5)
    summary = TextField(max_length=255, allow_blank=True, required=False, default="")
    body = NotBlankTextField(min_length=1, max_length=1000)
    recommend = StrictBooleanField()
    name = NotBlankTextField(min_length=1, max_length=60)
    email = EmailField(max_length=60)
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
