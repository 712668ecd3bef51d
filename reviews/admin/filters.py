"""Changelist filters for reviews: a few fixed values each, so none needs a query to list."""

from django.contrib import admin

from reviews.models import ReviewStatus


class ModerationStatusFilter(admin.SimpleListFilter):
    """Published and hidden by reports or a moderator (the moderation queue, the default),
    reported and still published (queued by reports that could not hide them), waiting for
    approval (with the screen's reasons), rejected, visible, or all reviews."""

    title = "status"
    parameter_name = "status"
    default = "reported"
    LOOKUPS = {
        "reported": "Reported (the queue)",
        "queued": "Reported, still published",
        "pending": "Pending approval",
        "rejected": "Rejected",
        "visible": "Visible",
        "all": "All",
    }

    def lookups(self, request, model_admin):
        return list(self.LOOKUPS.items())

    @classmethod
    def status(cls, value: str | None) -> str:
        return value if value in cls.LOOKUPS else cls.default

    def value(self):
        return self.status(super().value())

    def choices(self, changelist):
        for lookup, title in self.lookup_choices:
            yield {
                "selected": self.value() == lookup,
                "query_string": changelist.get_query_string({self.parameter_name: lookup}),
                "display": title,
            }

    def queryset(self, request, queryset):
        if self.value() == "reported":  # reviews_reported_queue_idx
            return queryset.filter(reported=True, status=ReviewStatus.PUBLISHED)
        if self.value() == "queued":
            return queryset.filter(awaiting_moderator=True)  # reviews_awaiting_queue_idx
        if self.value() == "pending":
            return queryset.filter(status=ReviewStatus.PENDING)  # reviews_pending_queue_idx
        if self.value() == "rejected":  # reviews_reported_queue_idx
            return queryset.filter(reported=True, status=ReviewStatus.REJECTED)
        if self.value() == "visible":
            return queryset.filter(reported=False)
        return queryset


class RatingFilter(admin.SimpleListFilter):
    """Fixed choices 1..5: the default filter for a number would SELECT DISTINCT the table."""

    title = "rating"
    parameter_name = "rating"

    def lookups(self, request, model_admin):
        return [(str(n), f"{n} ★") for n in range(1, 6)]

    def queryset(self, request, queryset):
        value = self.value()
        if value in {"1", "2", "3", "4", "5"}:
            return queryset.filter(rating=int(value))
        return queryset
