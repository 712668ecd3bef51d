"""Routes of the public reviews API, each with and without its trailing slash."""

from django.urls import re_path

from reviews.views import ReviewViewSet

urlpatterns = [
    re_path(
        r"^reviews/?$",
        ReviewViewSet.as_view({"get": "list", "post": "create"}),
        name="reviews",
    ),
    re_path(r"^reviews/meta/?$", ReviewViewSet.as_view({"get": "meta"}), name="reviews-meta"),
    # Beside the contract: the review a POST's Location names (hidden once reported).
    re_path(
        r"^reviews/(?P<review_id>[^/]+)/?$",
        ReviewViewSet.as_view({"get": "retrieve"}),
        name="reviews-detail",
    ),
    re_path(
        r"^reviews/(?P<review_id>[^/]+)/helpful/?$",
        ReviewViewSet.as_view({"put": "helpful"}),
        name="reviews-helpful",
    ),
    re_path(
        r"^reviews/(?P<review_id>[^/]+)/report/?$",
        ReviewViewSet.as_view({"put": "report"}),
        name="reviews-report",
    ),
]
