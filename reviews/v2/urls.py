"""API v2 routes, from a DRF router; each with and without its trailing slash (as the legacy
ones)."""

from rest_framework import routers

from reviews.v2.views import ProductViewSet, ReviewViewSet


class OptionalSlashRouter(routers.SimpleRouter):
    def __init__(self):
        super().__init__()
        self.trailing_slash = "/?"  # SimpleRouter itself takes only "/" or ""


router = OptionalSlashRouter()
# GET v2/products/<id>/reviews (v2-products-reviews) and v2/products/<id>/summary
router.register("v2/products", ProductViewSet, basename="v2-products")
# PUT v2/reviews/<id>/vote (v2-reviews-vote), POST v2/reviews/<id>/reports (v2-reviews-reports)
router.register("v2/reviews", ReviewViewSet, basename="v2-reviews")

urlpatterns = router.urls
