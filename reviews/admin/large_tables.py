"""Admin building blocks for tables of millions of rows: estimated counts, a fixed indexed order,
exact indexed search, read-only views of derived rows."""

from django.contrib import admin
from django.contrib.admin.views.main import ChangeList
from django.db.models import Q

from atelier.ids import whole_number_from_text
from reviews.admin.pagination import EstimatedCountPaginator


class LargeTableAdmin(admin.ModelAdmin):
    """Changelist settings for a table of millions of rows: estimated counts, no facets, no
    sorting by arbitrary columns (each would sort the whole table)."""

    paginator = EstimatedCountPaginator
    show_full_result_count = False
    show_facets = admin.ShowFacets.NEVER
    list_per_page = 50
    list_max_show_all = 200
    sortable_by = ()

    def get_changelist(self, request, **kwargs):
        return FixedOrderChangeList


class FixedOrderChangeList(ChangeList):
    """Orders by the admin's ordering only: a crafted ``?o=`` cannot ask for a full-table sort."""

    def get_ordering(self, request, queryset):
        return list(self.model_admin.get_ordering(request))


class ReadOnlyAdmin(LargeTableAdmin):
    """Visible, never edited by hand: these rows follow from the reviews."""

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


def exact_number_search(queryset, search_term: str, fields: tuple[str, ...]):
    """Rows whose integer fields (each indexed) equal the term; none for a non-number."""
    term = search_term.strip()
    if not term:
        return queryset, False
    number = whole_number_from_text(term)
    if number is None:
        return queryset.none(), False
    matches = Q()
    for field in fields:
        matches |= Q(**{field: number})
    return queryset.filter(matches), False
