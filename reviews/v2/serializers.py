"""The v2 inputs: which page of a list (its sort, size, or a cursor from an earlier page, checked
against the list's filters), a vote and a report.

Input serializers only parse and check, as the legacy ones (``reviews.serializers``): a failure is
a 422 with a ``detail`` and a per-field ``errors`` object.
"""

import re

from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers
from rest_framework.fields import empty

from reviews.exceptions import InputInvalid
from reviews.models import ReportReason
from reviews.serializers import (
    InputSerializer,
    QueryWholeNumberField,
    SortField,
    TextField,
    quick_whole_number,
)
from reviews.v2.cursors import DEFAULT_SORT, SORTS, Cursor, CursorInvalid, PageRequest
from reviews.v2.filters import INVALID_FILTER
from reviews.v2.selectors import ReviewFilters

LIMIT_MAX = 100
LIMIT_DEFAULT = 10
CURSOR_LENGTH_MAX = 1000
# What django.core.signing writes: URL-safe base64 and its separators.
CURSOR_PATTERN = r"^[A-Za-z0-9_.:-]*$"
INVALID_CURSOR = "Error: invalid cursor provided"


def cursor_from_text(data: str) -> Cursor | None:
    """The cursor ``data`` carries, None for an empty one; CursorInvalid for anything else."""
    if len(data) > CURSOR_LENGTH_MAX or not re.fullmatch(CURSOR_PATTERN, data):
        raise CursorInvalid("Not a cursor of this list.")
    return Cursor.decode(data) if data else None


@extend_schema_field(
    # One schema, not DRF-spectacular's oneOf for a blank-allowed field, which "" matches twice.
    {"type": "string", "maxLength": CURSOR_LENGTH_MAX, "pattern": CURSOR_PATTERN}
)
class CursorField(serializers.Field):
    """An opaque cursor, decoded: what django.core.signing writes, at most 1,000 characters,
    signed by this service; empty means none (as an empty parameter means its default)."""

    default_error_messages = {"invalid": "Not a cursor of this list."}

    def to_internal_value(self, data) -> Cursor | None:
        if not isinstance(data, str):
            self.fail("invalid")
        try:
            return cursor_from_text(data)
        except CursorInvalid:
            self.fail("invalid")

    def to_representation(self, value):
        return value


class ReviewPageInputSerializer(InputSerializer):
    """Which page of the filtered list: its sort and size, or a cursor from an earlier page."""

    sort = SortField(
        choices=list(SORTS),
        required=False,
        default=None,
        help_text=(
            "relevant (default), newest, oldest, helpful, rating_high or rating_low; empty means"
            " the default; a cursor carries its own sort."
        ),
    )
    limit = QueryWholeNumberField(
        min_value=1,
        max_value=LIMIT_MAX,
        default=LIMIT_DEFAULT,
        help_text=f"Reviews per page, 1 to {LIMIT_MAX} (default {LIMIT_DEFAULT}).",
    )
    cursor = CursorField(
        required=False,
        help_text="Opaque: the next or previous link of an earlier page carries it (empty: none).",
    )

    details = {
        "sort": "Error: invalid sort provided",
        "limit": f"Error: invalid limit provided; a whole number from 1 to {LIMIT_MAX}",
        "cursor": INVALID_CURSOR,
    }
    fallback_detail = INVALID_FILTER

    @classmethod
    def quick_validated(cls, data) -> dict | None:
        """A plain sort and limit, and a cursor of this service (see InputSerializer)."""
        sort = data.get("sort") or None  # sort= (empty): the default
        limit = quick_whole_number(data, "limit", LIMIT_DEFAULT, LIMIT_MAX)
        if limit is None or (sort is not None and sort not in SORTS):
            return None
        params: dict = {"limit": limit} if sort is None else {"sort": sort, "limit": limit}
        if data.get("cursor"):  # cursor= (empty): none
            try:
                params["cursor"] = cursor_from_text(data["cursor"])
            except CursorInvalid:
                return None
        return params

    @classmethod
    def page_request(cls, query, filters: ReviewFilters) -> PageRequest:
        """The page ``query`` asks for, of the list ``filters`` select: a cursor must be one of
        that list's, and a sort given with it its own."""
        page = page_of(cls.validated(query), filters)
        if page is None:
            raise InputInvalid(
                detail=INVALID_CURSOR,
                errors={
                    "cursor": [
                        "This cursor belongs to another list: another product, other filters"
                        " or sort."
                    ]
                },
            )
        return page

    @classmethod
    def quick_page_request(cls, query, filters: ReviewFilters) -> PageRequest | None:
        """What ``page_request`` returns for a plain query string; None for any other, which
        only ``page_request`` judges."""
        params = cls.quick(query)
        return None if params is None else page_of(params, filters)


def page_of(params: dict, filters: ReviewFilters) -> PageRequest | None:
    """The page that checked ``params`` ask for, or None when their cursor is another list's."""
    sort, cursor = params.get("sort"), params.get("cursor")
    if cursor is not None and (cursor.filters != filters.digest or sort not in (None, cursor.sort)):
        return None
    return PageRequest(
        sort=SORTS[cursor.sort if cursor is not None else sort or DEFAULT_SORT],
        limit=params["limit"],
        cursor=cursor,
    )


VOTE_VALUES = ("up", "none")
# What a report may say; a shopper may give any but `unspecified`, the legacy report's.
REPORT_REASONS_STORED = tuple(ReportReason.values)
REPORT_REASONS = tuple(reason for reason in REPORT_REASONS_STORED if reason != "unspecified")
NOTE_LENGTH_MAX = 1000


class StrictChoiceField(serializers.ChoiceField):
    """One of the choices as a JSON string (DRF alone would also take ``1`` for ``"1"``)."""

    def to_internal_value(self, data):
        if not isinstance(data, str):
            self.fail("invalid_choice", input=data)
        return super().to_internal_value(data)


class VoteInputSerializer(InputSerializer):
    """A voter's vote: ``up`` or ``none``. Unknown keys are ignored."""

    value = StrictChoiceField(
        choices=VOTE_VALUES,
        help_text="`up`: the voter finds the review helpful; `none`: takes that back.",
    )

    fallback_detail = "Error: Vote body contains invalid entries"


# Any text without NUL (PostgreSQL text has none); empty or null means no note. (Said here: DRF's
# allow_blank and allow_null would each make the schema a oneOf that "" matches twice.)
@extend_schema_field(
    {"type": ["string", "null"], "pattern": r"^[^\x00]*$", "maxLength": NOTE_LENGTH_MAX}
)
class NoteField(TextField):
    def run_validation(self, data=empty):
        if data is None or data == "":
            return ""
        return super().run_validation(data)


class ReportCreateInputSerializer(InputSerializer):
    """A report: its reason and an optional note. Unknown keys are ignored."""

    reason = StrictChoiceField(choices=REPORT_REASONS, help_text="Why the review is reported.")
    note = NoteField(
        max_length=NOTE_LENGTH_MAX,
        required=False,
        default="",
        help_text=f"Optional details for the moderators, at most {NOTE_LENGTH_MAX} characters.",
    )

    fallback_detail = "Error: Report body contains invalid entries"


REPLY_LENGTH_MAX = 2000


@extend_schema_field(
    {"type": ["string", "null"], "pattern": r"^[^\x00]*$", "maxLength": REPLY_LENGTH_MAX}
)
class ReplyField(TextField):
    """The store's reply: text without NUL, or null to clear it ("" clears it too)."""

    def run_validation(self, data=empty):
        if data is None or data == "":
            return None
        return super().run_validation(data)


class ReplyInputSerializer(InputSerializer):
    """The store's public reply to a review, or null to clear it. Unknown keys are ignored."""

    response = ReplyField(
        max_length=REPLY_LENGTH_MAX, help_text="The reply shoppers read under the review."
    )

    fallback_detail = "Error: Reply body contains invalid entries"
