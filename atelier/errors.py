"""Answers for routes that do not exist, in JSON like the API's own errors, and for the icon every
browser asks for."""

from django.http import HttpRequest, HttpResponse, JsonResponse
from django.views.decorators.http import require_safe


def not_found(request: HttpRequest, exception: Exception | None = None) -> JsonResponse:
    return JsonResponse(
        {"detail": f"Not found: no route {request.path!r}. The API is described at /api/docs/."},
        status=404,
    )


def server_error(request: HttpRequest) -> JsonResponse:
    return JsonResponse({"detail": "Internal server error."}, status=500)


@require_safe
def no_icon(request: HttpRequest) -> HttpResponse:
    """``/favicon.ico``: the service has no icon; a 204 a browser keeps for a day, so that
    opening the docs or the admin is not a "Not Found" warning in the log each time."""
    response = HttpResponse(status=204)
    del response["Content-Type"]
    response["Cache-Control"] = "public, max-age=86400"
    return response
