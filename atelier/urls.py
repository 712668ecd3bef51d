"""Top-level routes: the public reviews API (legacy, then v2), its OpenAPI schema and docs, the
admin and health (/metrics is atelier.metrics.ScrapeMiddleware's)."""

from django.contrib import admin
from django.urls import include, path
from django.views.generic import RedirectView
from drf_spectacular.views import SpectacularSwaggerSplitView

from atelier.apidocs import SchemaView
from atelier.errors import no_icon
from atelier.health import health, live

# The public API first: Django tries patterns in order and records every miss, so the hot routes
# resolve without walking past the others (its patterns all start with "reviews").
urlpatterns = [
    path("", include("reviews.urls")),
    path("", include("reviews.v2.urls")),
    path("health", health, name="health"),
    path("health/", health),
    path("health/live", live, name="health-live"),
    path("favicon.ico", no_icon, name="favicon"),
    path("", RedirectView.as_view(pattern_name="swagger-ui"), name="root"),
    path("admin/", admin.site.urls),
    path("api/schema/", SchemaView.as_view(), name="schema"),
    # Its settings come as a script of their own: the page's CSP allows no inline script.
    path("api/docs/", SpectacularSwaggerSplitView.as_view(url_name="schema"), name="swagger-ui"),
]

handler404 = "atelier.errors.not_found"
handler500 = "atelier.errors.server_error"
