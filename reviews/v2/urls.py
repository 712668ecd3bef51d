"""API v2 routes, from a DRF router; each with and without its trailing slash."""

from rest_framework import routers

from reviews.v2.reads import ProductViewSet


class Router(routers.SimpleRouter):
    def __init__(self):
        super().__init__()
        self.trailing_slash = "/?"  # both /reviews and /reviews/, as the legacy routes


router = Router()
router.register("v2/products", ProductViewSet, basename="v2-products")

urlpatterns = router.urls
