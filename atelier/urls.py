"""Top-level routes: the public reviews API, the moderation admin and the health check."""

from django.contrib import admin
from django.urls import include, path

from atelier.health import health

urlpatterns = [
    path("health", health, name="health"),
    path("health/", health),
    path("admin/", admin.site.urls),
    path("", include("reviews.urls")),
]
