"""Characteristics and the meta aggregates: visible to moderators, never edited by hand."""

from django.contrib import admin

from reviews.admin.large_tables import ReadOnlyAdmin, exact_number_search
from reviews.meta.rebuild import CHARACTERISTIC_META_COUNTS, PRODUCT_META_COUNTS
from reviews.models import Characteristic, CharacteristicMeta, ProductMeta


@admin.register(Characteristic)
class CharacteristicAdmin(ReadOnlyAdmin):
    list_display = ("id", "product_id", "name")
    search_fields = ("=id", "=product_id")
    search_help_text = "An exact characteristic id or product id."
    ordering = ("-id",)

    def get_search_results(self, request, queryset, search_term):
        # The primary key, and characteristics_product_idx.
        return exact_number_search(queryset, search_term, ("pk", "product_id"))


@admin.register(ProductMeta)
class ProductMetaAdmin(ReadOnlyAdmin):
    """Each product's rating histogram and recommend counts, kept by the database's triggers."""

    list_display = ("product_id", *PRODUCT_META_COUNTS)
    search_fields = ("=product_id",)
    search_help_text = "An exact product id."
    ordering = ("-product_id",)

    def get_search_results(self, request, queryset, search_term):
        return exact_number_search(queryset, search_term, ("pk",))


@admin.register(CharacteristicMeta)
class CharacteristicMetaAdmin(ReadOnlyAdmin):
    """Each characteristic's 1..5 distribution, kept by the database's triggers."""

    list_display = (
        "characteristic",
        *CHARACTERISTIC_META_COUNTS,
        "rating_count",
        "average",
    )
    list_select_related = ("characteristic",)
    search_fields = ("=characteristic_id",)
    search_help_text = "An exact characteristic id."
    ordering = ("-characteristic_id",)

    def get_search_results(self, request, queryset, search_term):
        return exact_number_search(queryset, search_term, ("pk",))

    @admin.display(description="average")
    def average(self, meta: CharacteristicMeta) -> str:
        return f"{meta.rating_sum / meta.rating_count:.4f}" if meta.rating_count else "-"
