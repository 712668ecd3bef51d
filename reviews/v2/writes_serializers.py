"""The v2 writes' bodies (a vote, a report) and the shapes of their answers.

Input serializers only parse and check, as the legacy ones (``reviews.serializers``): a failure is
a 422 with a ``detail`` and a per-field ``errors`` object. The output serializers exist for the
OpenAPI schema; the views answer plain data.
"""

from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers
from rest_framework.fields import empty

from reviews.models import ReportReason
from reviews.serializers import InputSerializer, TextField

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
