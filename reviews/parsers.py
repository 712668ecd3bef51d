"""JSON request bodies, parsed by orjson and bounded in size.

DRF reads the body as a stream, so Django's ``DATA_UPLOAD_MAX_MEMORY_SIZE`` never applies to it:
the bound is enforced here. The largest valid review (1,000-character body, five 2,048-character
photo URLs, every character escaped as ``\\uXXXX``) stays well under it.
"""

import orjson
from rest_framework import status
from rest_framework.exceptions import APIException, ParseError
from rest_framework.parsers import BaseParser

BODY_BYTES_MAX = 256 * 1024


class BodyTooLarge(APIException):
    status_code = status.HTTP_413_REQUEST_ENTITY_TOO_LARGE
    default_detail = f"Request body too large: send at most {BODY_BYTES_MAX} bytes."


class BoundedJSONParser(BaseParser):
    media_type = "application/json"

    def parse(self, stream, media_type=None, parser_context=None):
        raw = stream.read(BODY_BYTES_MAX + 1)
        if len(raw) > BODY_BYTES_MAX:
            raise BodyTooLarge()
        try:
            return orjson.loads(raw)
        except orjson.JSONDecodeError as exc:
            raise ParseError(f"Malformed JSON: {exc}") from exc
