"""The review moderation admin: the queue of reported reviews, the review page, and the actions.

Writes go through ``reviews.services`` (the Moderation section), which records them in the admin
log with the moderator who took them.
"""

from django.contrib import admin, messages
from django.contrib.admin.helpers import ACTION_CHECKBOX_NAME
from django.contrib.admin.models import LogEntry
from django.contrib.admin.utils import unquote
from django.contrib.contenttypes.models import ContentType
from django.db.models import Count, JSONField, Prefetch, Q
from django.db.models.expressions import RawSQL
from django.template.response import TemplateResponse
from django.utils.html import format_html, format_html_join
from django.utils.text import Truncator

from atelier.ids import whole_number_from_text
from reviews.admin.filters import ModerationStatusFilter, RatingFilter
from reviews.admin.large_tables import FixedOrderChangeList, LargeTableAdmin
from reviews.models import CharacteristicReview, ReportReason, Review, ReviewPhoto
from reviews.services import (
    review_respond,
    reviews_approve,
    reviews_hide,
    reviews_reject,
    reviews_remove,
    reviews_restore,
)

# The review page's buttons (see change_form.html): POST key -> (service, what it did).
PAGE_DECISIONS = {
    "_approve": (reviews_approve, "approved"),
    "_reject": (reviews_reject, "rejected"),
    "_restore": (reviews_restore, "restored"),
    "_report": (reviews_hide, "reported"),
}
# A review's page lists its newest moderation actions, up to this many.
HISTORY_LISTED_MAX = 50
# A review's page lists its newest reports, up to this many (the counts by reason cover them all).
REPORTS_LISTED_MAX = 100
# review_reports_pkey (review_id, reporter): a listed review's reports counted by reason, as
# {"spam": 3, "fake": 1}, NULL when it has none. A column of the page's query: no query per row.
REVIEW_REPORTS_BY_REASON = """
SELECT jsonb_object_agg(reason, reports)
  FROM (SELECT reason, count(*) AS reports FROM review_reports
         WHERE review_id = "reviews"."id" GROUP BY reason) AS by_reason"""
# An action touches at most this many reviews: the removal confirmation posts them all back,
# and Django refuses forms of more than 1,000 fields (DATA_UPLOAD_MAX_NUMBER_FIELDS).
ACTION_LIMIT = 500


def photo_thumbnail(url: str) -> str:
    """The photo, linked, when it is an http(s) URL; otherwise (a bare file name, or a link of
    another scheme loaded from old data) its text only: nothing the browser would follow."""
    if not url.lower().startswith(("http://", "https://")):
        return format_html("<span>{}</span>", url)
    return format_html(
        '<a href="{}" target="_blank" rel="noopener noreferrer">'
        '<img src="{}" alt="photo" loading="lazy" referrerpolicy="no-referrer"'
        ' style="height:48px;max-width:72px;object-fit:cover"></a>',
        url,
        url,
    )


class ReviewPhotoInline(admin.TabularInline):
    model = ReviewPhoto
    fields = ("id", "thumbnail", "url")
    readonly_fields = fields
    ordering = ("id",)  # reviews_photos_review_idx
    extra = 0
    can_delete = False

    @admin.display(description="photo")
    def thumbnail(self, photo: ReviewPhoto) -> str:
        return photo_thumbnail(photo.url)

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False


class CharacteristicRatingInline(admin.TabularInline):
    model = CharacteristicReview
    fk_name = "review"
    verbose_name = "characteristic rating"
    fields = ("characteristic", "value")
    readonly_fields = fields
    ordering = ("characteristic_id",)  # char_reviews_review_idx, then a sort of a few rows
    extra = 0
    can_delete = False

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("characteristic")

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False


TIMES = "\N{MULTIPLICATION SIGN}"


def reasons_counted(counts: dict[str, int] | None) -> str:
    """The reports' reasons with their counts, the most given first: "spam x3, fake x1" (with a
    multiplication sign)."""
    labels = dict(ReportReason.choices)
    ranked = sorted((counts or {}).items(), key=lambda item: (-item[1], item[0]))
    return ", ".join(f"{labels.get(reason, reason)} {TIMES}{count}" for reason, count in ranked)


class ReviewChangeList(FixedOrderChangeList):
    def get_queryset(self, request, exclude_parameters=None):
        # The page's photos in one query; a count or an action never evaluates this prefetch.
        # The reports by reason are a column of the page's own query (PostgreSQL drops it from
        # the counts, which select none of it).
        return (
            super()
            .get_queryset(request, exclude_parameters)
            .prefetch_related(Prefetch("photos", queryset=ReviewPhoto.objects.order_by("id")))
            .annotate(reports_by_reason=RawSQL(REVIEW_REPORTS_BY_REASON, (), JSONField()))
        )


@admin.register(Review)
class ReviewAdmin(LargeTableAdmin):
    # Short headers, so that the queue fits a laptop's screen (test_admin_layout_browser.py).
    list_display = (
        "id",
        "product",
        "rating",
        "summary",
        "body_start",
        "reviewer",
        "date",
        "helpful",
        "reported",
        "reports",
        "photo_thumbnails",
    )
    list_display_links = ("id", "summary")
    list_filter = (ModerationStatusFilter, RatingFilter, "recommend", "verified_purchase")
    search_fields = ("=id", "=product_id", "=reviewer_name")  # the search itself is below
    search_help_text = "An exact review id, product id or reviewer name (case-sensitive)."
    actions = ("approve", "reject", "restore", "remove", "report")
    inlines = (ReviewPhotoInline, CharacteristicRatingInline)
    fieldsets = (
        (
            None,
            {
                "fields": (
                    "id",
                    "product_id",
                    "rating",
                    "recommend",
                    "status",
                    "screen_reasons_text",
                    "reported",
                    "awaiting_moderator",
                    "cleared",
                    "verified_purchase",
                )
            },
        ),
        ("Review", {"fields": ("summary", "body", "date", "helpfulness")}),
        ("Reviewer", {"fields": ("reviewer_name", "reviewer_email")}),
        ("Response", {"fields": ("response", "responded_at")}),
        ("Reports", {"fields": ("report_reasons", "report_list")}),
        ("Moderation history", {"fields": ("moderation_history",)}),
    )
    # A moderator decides with the actions; the store's public response is the one field to write.
    readonly_fields = (
        "id",
        "product_id",
        "rating",
        "recommend",
        "status",
        "screen_reasons_text",
        "reported",
        "awaiting_moderator",
        "cleared",
        "verified_purchase",
        "summary",
        "body",
        "date",
        "helpfulness",
        "reviewer_name",
        "reviewer_email",
        "report_reasons",
        "report_list",
        "responded_at",
        "moderation_history",
    )

    class Media:
        css = {"all": ["reviews/admin.css"]}

    def get_changelist(self, request, **kwargs):
        return ReviewChangeList

    def get_list_display(self, request):
        # The pending queue shows why the screen held each review where the others show reports
        # (and no "reported" column: a review waiting for approval is hidden until approved).
        if ModerationStatusFilter.status(request.GET.get("status")) == "pending":
            shown = super().get_list_display(request)
            return tuple(
                "screen" if name == "reports" else name for name in shown if name != "reported"
            )
        return super().get_list_display(request)

    def get_ordering(self, request):
        # The queues walk their partial indexes (reviews_*_queue_idx), newest first; other lists
        # walk the primary key backwards (newest ids first): no index orders all reviews by date.
        queues = {"reported", "queued", "pending", "rejected"}
        if ModerationStatusFilter.status(request.GET.get("status")) in queues:
            return ("-date", "-id")
        return ("-id",)

    def get_search_results(self, request, queryset, search_term):
        """Exact matches only, each served by an index (Django's default "=" is a case-folded
        comparison that no index serves, and casts numbers to text)."""
        term = search_term.strip()
        if not term:
            return queryset, False
        matches = Q(reviewer_name=term)  # reviews_reviewer_name_idx
        number = whole_number_from_text(term)
        if number is not None:
            # Each product arm names `reported`, so each can use a partial index:
            # reviews_product_newest_idx (visible) and reviews_reported_product_idx (reported).
            matches |= (
                Q(pk=number)
                | Q(product_id=number, reported=False)
                | Q(product_id=number, reported=True)
            )
        return queryset.filter(matches), False

    def changeform_view(self, request, object_id=None, form_url="", extra_context=None):
        """The review page's own buttons: restore or report this one review, then back to the
        list (the next review in the queue). Any other POST is the usual save."""
        decision = next((key for key in PAGE_DECISIONS if key in request.POST), None)
        review = self.get_object(request, unquote(object_id)) if decision and object_id else None
        if decision is None or review is None or not self.has_change_permission(request, review):
            return super().changeform_view(request, object_id, form_url, extra_context)
        service, done = PAGE_DECISIONS[decision]
        changed = service(review_ids=[review.pk], moderator=request.user)
        self.message_user(request, f"{review}: {done if changed else 'nothing to change'}.")
        return self.response_post_save_change(request, review)

    # The stubs follow Django 6, whose response_action also takes action_location; 5.2's does not.
    def response_action(self, request, queryset):  # type: ignore[override]
        """Refuse forged selections: Django's own code fails on an id that is not a number."""
        selected = request.POST.getlist(ACTION_CHECKBOX_NAME)
        if not all(value.isdecimal() for value in selected):
            self.message_user(request, "Invalid selection: nothing was changed.", messages.ERROR)
            return None
        return super().response_action(request, queryset)

    def get_actions(self, request):
        actions = super().get_actions(request)
        # Its confirmation page walks every related object; `remove` replaces it.
        actions.pop("delete_selected", None)
        return actions

    def has_add_permission(self, request, obj=None):
        return False  # reviews come from shoppers through the API

    def save_model(self, request, obj, form, change):
        # Only the response: a full save would write back every field as the page read it, undoing
        # a report or a helpful vote that arrived meanwhile.
        review_respond(review_id=obj.pk, response=obj.response)

    def delete_model(self, request, obj):
        # The change page's delete button: Django has already written the log entry.
        reviews_remove(review_ids=[obj.pk])

    @admin.display(description="product")
    def product(self, review: Review) -> int:
        return review.product_id

    @admin.display(description="reviewer")
    def reviewer(self, review: Review) -> str:
        return review.reviewer_name

    @admin.display(description="helpful")
    def helpful(self, review: Review) -> int:
        return review.helpfulness

    @admin.display(description="body")
    def body_start(self, review: Review) -> str:
        return Truncator(review.body).chars(120)

    @admin.display(description="screen")
    def screen(self, review: Review) -> str:
        return ", ".join(review.screen_reasons)

    @admin.display(description="held by the screen for")
    def screen_reasons_text(self, review: Review) -> str:
        return ", ".join(review.screen_reasons) or "—"

    @admin.display(description="actions (UTC)")
    def moderation_history(self, review: Review) -> str:
        # django_admin_log_object_idx: the review's entries, newest first.
        entries = (
            LogEntry.objects.filter(
                content_type=ContentType.objects.get_for_model(Review), object_id=str(review.pk)
            )
            .select_related("user")
            .order_by("-action_time")[:HISTORY_LISTED_MAX]
        )
        rows = format_html_join(
            "",
            "<tr><td>{}</td><td>{}</td><td>{}</td></tr>",
            (
                (
                    entry.action_time.strftime("%Y-%m-%d %H:%M:%S"),
                    entry.user.get_username(),
                    entry.get_change_message() or entry.get_action_flag_display(),
                )
                for entry in entries
            ),
        )
        if not rows:
            return "No moderator has acted on it."
        return format_html(
            '<table class="review-history"><thead><tr><th>when</th><th>who</th><th>what</th>'
            "</tr></thead><tbody>{}</tbody></table>",
            rows,
        )

    @admin.display(description="reports")
    def reports(self, review: Review) -> str:
        return reasons_counted(getattr(review, "reports_by_reason", None))

    # The review's page: its reports read-only. (Not an inline: Django 5.2's formsets cannot post
    # back rows whose primary key is composite, which would break saving the response.)
    @admin.display(description="reasons")
    def report_reasons(self, review: Review) -> str:
        # review_reports_pkey: the review's reports, counted by reason.
        counts = review.reports.order_by().values_list("reason").annotate(reports=Count("*"))
        return reasons_counted(dict(counts)) or "No reports."

    @admin.display(description="newest reports")
    def report_list(self, review: Review) -> str:
        # review_reports_pkey, then a sort of the review's reports.
        reports = review.reports.order_by("-created_at", "reason")[:REPORTS_LISTED_MAX]
        rows = format_html_join(
            "",
            "<tr><td>{}</td><td>{}</td><td>{}</td></tr>",
            (
                (
                    report.created_at.strftime("%Y-%m-%d %H:%M"),
                    report.get_reason_display(),
                    report.note or "—",
                )
                for report in reports
            ),
        )
        if not rows:
            return "—"
        return format_html(
            '<table class="review-reports"><thead><tr><th>date (UTC)</th><th>reason</th>'
            "<th>note</th></tr></thead><tbody>{}</tbody></table>",
            rows,
        )

    @admin.display(description="photos")
    def photo_thumbnails(self, review: Review) -> str:
        return format_html_join(
            "", "{}", ((photo_thumbnail(photo.url),) for photo in review.photos.all())
        )

    @admin.action(description="Approve selected pending reviews (publish)", permissions=["change"])
    def approve(self, request, queryset):
        self._decide(request, queryset, reviews_approve, "Approved")

    @admin.action(description="Reject selected reviews (never published)", permissions=["change"])
    def reject(self, request, queryset):
        self._decide(request, queryset, reviews_reject, "Rejected")

    @admin.action(
        description="Restore or keep selected reviews (published, reports dismissed)",
        permissions=["change"],
    )
    def restore(self, request, queryset):
        self._decide(request, queryset, reviews_restore, "Restored")

    @admin.action(description="Report selected reviews", permissions=["change"])
    def report(self, request, queryset):
        self._decide(request, queryset, reviews_hide, "Reported")

    def _decide(self, request, queryset, service, done: str) -> None:
        """Apply a moderation service to the selected reviews, as this moderator, and say how
        many it changed."""
        review_ids = self._selected_ids(request, queryset)
        if review_ids:
            changed = service(review_ids=review_ids, moderator=request.user)
            self.message_user(request, f"{done} {changed} of {len(review_ids)} reviews.")

    @admin.action(
        description="Remove selected reviews (delete with photos and ratings)",
        permissions=["delete"],
    )
    def remove(self, request, queryset):
        review_ids = self._selected_ids(request, queryset)
        if not review_ids:
            return None
        if request.POST.get("post") == "yes":
            removed = reviews_remove(review_ids=review_ids, moderator=request.user)
            self.message_user(request, f"Removed {removed} of {len(review_ids)} reviews.")
            return None
        reviews = (
            Review.objects.filter(pk__in=review_ids)
            .order_by("-id")
            .prefetch_related(Prefetch("photos", queryset=ReviewPhoto.objects.order_by("id")))
        )
        context = {
            **self.admin_site.each_context(request),
            "title": "Remove reviews",
            "opts": self.opts,
            "reviews": reviews,
            "review_ids": review_ids,
            "action_checkbox_name": ACTION_CHECKBOX_NAME,
        }
        request.current_app = self.admin_site.name
        return TemplateResponse(request, "admin/reviews/review/remove_confirmation.html", context)

    def _selected_ids(self, request, queryset) -> list[int]:
        """The selected ids, or none (with a message) when the selection is over the limit."""
        review_ids = list(
            queryset.prefetch_related(None).values_list("pk", flat=True)[: ACTION_LIMIT + 1]
        )
        if len(review_ids) > ACTION_LIMIT:
            self.message_user(
                request,
                f"More than {ACTION_LIMIT} reviews selected: narrow the list with search or"
                " filters. Nothing was changed.",
                messages.WARNING,
            )
            return []
        return review_ids
