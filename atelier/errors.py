"""Answers for routes that do not exist, in JSON like the API's own errors; and the site's root,
which leads to the API's docs."""

from django.http import HttpRequest, JsonResponse


def not_found(request: HttpRequest, exception: Exception | None = None) -> JsonResponse:
    return JsonResponse(
        {"detail": f"Not found: no route {request.path!r}. The API is described at /api/docs/."},
        status=404,
    )


def server_error(request: HttpRequest) -> JsonResponse:
    return JsonResponse({"detail": "Internal server error."}, status=500)
