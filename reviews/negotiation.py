"""Content negotiation for the public API: it answers JSON only, so Accept is not parsed.

DRF's default negotiation parses the Accept header on every request (about a tenth of a review
read's Python time) only to pick the one renderer there is; the legacy API also answered JSON
whatever was asked. Request bodies are still matched against the parsers (415 stays 415).
"""

from rest_framework.negotiation import DefaultContentNegotiation


class JSONOnlyNegotiation(DefaultContentNegotiation):
    def select_renderer(self, request, renderers, format_suffix=None):
        renderer = renderers[0]
        return renderer, renderer.media_type
