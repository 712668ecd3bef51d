"""Routes of the v2 API's writes, each with and without its trailing slash (as the legacy ones)."""

from rest_framework import routers

from reviews.v2.writes import ReviewWriteViewSet


class OptionalSlashRouter(routers.SimpleRouter):
    def __init__(self):
        super().__init__()
        self.trailing_slash = "/?"  # SimpleRouter itself takes only "/" or ""


router = OptionalSlashRouter()
# PUT v2/reviews/<id>/vote (name v2-reviews-vote), POST v2/reviews/<id>/reports (v2-reviews-reports)
router.register("v2/reviews", ReviewWriteViewSet, basename="v2-reviews")

urlpatterns = router.urls
