"""The OpenAPI document, generated once per process: drf-spectacular builds it anew on every
request otherwise (tens of milliseconds of CPU that other clients' reads wait behind), and its
generator is not safe to run in two threads at once."""

import threading

from django.core.signals import setting_changed
from django.dispatch import receiver
from drf_spectacular.views import SpectacularAPIView
from rest_framework.response import Response


class SchemaView(SpectacularAPIView):
    _documents: dict[str | None, dict] = {}  # by API version
    _lock = threading.Lock()

    def _get_schema_response(self, request):
        version = self.api_version or request.version or self._get_version_parameter(request)
        with self._lock:
            document = self._documents.get(version)
            if document is None:
                generator = self.generator_class(
                    urlconf=self.urlconf, api_version=version, patterns=self.patterns
                )
                # No request: nothing of one client's request may end up in everyone's document.
                document = generator.get_schema(request=None, public=self.serve_public)
                self._documents[version] = document
        filename = self._get_filename(request, version)
        return Response(
            data=document, headers={"Content-Disposition": f'inline; filename="{filename}"'}
        )

    @classmethod
    def forget(cls) -> None:
        """Generate the document again on the next request."""
        with cls._lock:
            cls._documents.clear()


@receiver(setting_changed)
def _settings_changed(**kwargs) -> None:
    SchemaView.forget()  # a test's settings may change what the document says
