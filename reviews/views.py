"""The public reviews API: validate the input, call one selector or service, answer.

Responses are plain bytes rendered by orjson (the list's results arrive as JSON from PostgreSQL),
which skips DRF's serializer and renderer machinery on the hot path.
"""

from hashlib import blake2b

import orjson
from django.conf import settings
from django.http import HttpRequest, HttpResponse, HttpResponseNotModified
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework import status, viewsets

from atelier.ids import whole_number_from_text
from reviews import selectors, services
from reviews.exceptions import IdempotencyKeyInvalid, ReviewNotFound
from reviews.idempotency import KEY_LENGTH_MAX, Answer, answer_once, request_fingerprint
from reviews.invalidation import product_tag, race_key, review_tag
from reviews.negotiation import JSONOnlyNegotiation
from reviews.serializers import (
    ErrorOutputSerializer,
    ProductMetaInputSerializer,
    ProductMetaOutputSerializer,
    ReviewCreateInputSerializer,
    ReviewListInputSerializer,
    ReviewListOutputSerializer,
    ReviewOutputSerializer,
)
from reviews.voters import anonymous_voter

JSON = "application/json"


def cacheable_response(
    request: HttpRequest, body: bytes, *, product_id: int, tag: str
) -> HttpResponse:
    """A 200 the HTTP cache may keep until a write purges ``tag``: with a strong ETag (304 when
    the client has it), ``no-cache`` so that browsers and CDNs revalidate on every use, and, when
    there is a cache to purge, the tag and race key it files the answer under
    (deploy/varnish/atelier.vcl strips both)."""
    etag = f'"{blake2b(body, digest_size=16).hexdigest()}"'
    response: HttpResponse
    if etag in request.headers.get("If-None-Match", ""):
        response = HttpResponseNotModified()
    else:
        response = HttpResponse(body, content_type=JSON)
    response["ETag"] = etag
    response["Cache-Control"] = "no-cache"
    if settings.CACHE_NODES:  # only a cache that this app purges may keep it
        response["xkey"] = tag
        response["X-Cache-Race"] = race_key(product_id)
    return response


def no_content() -> HttpResponse:
    """204 with no body and so no Content-Type either."""
    response = HttpResponse(status=status.HTTP_204_NO_CONTENT)
    del response["Content-Type"]
    return response


def error(description: str) -> OpenApiResponse:
    return OpenApiResponse(ErrorOutputSerializer, description=description)


INVALID_QUERY = error(
    "Invalid product_id, page, count or sort (or one given twice); `detail` says which."
)
URI_TOO_LONG = OpenApiResponse(str, description="A request line over 4 KiB (an HTML page).")
UNAVAILABLE = error("The database cannot be reached; retry after `Retry-After` seconds.")
REVIEW_ID = OpenApiParameter("review_id", int, OpenApiParameter.PATH, description="Review id.")
LOCATION = OpenApiParameter(
    "Location", str, OpenApiParameter.HEADER, response=[201], description="/reviews/<id>"
)
RETRY_AFTER = OpenApiParameter(
    "Retry-After", int, OpenApiParameter.HEADER, response=[503], description="Seconds."
)
NO_CONTENT = OpenApiResponse(description="Done; empty body.")
NOT_FOUND = error("No review has this id.")


RATE_LIMITED = error(
    "Too many requests from this client; retry after `Retry-After` seconds (`RateLimit` says "
    "how many remain in the window, `RateLimit-Policy` what the limit is)."
)
RATE_LIMIT_HEADERS = [
    OpenApiParameter(
        "RateLimit-Policy",
        str,
        OpenApiParameter.HEADER,
        response=True,
        description='The limit, as in the IETF draft: `"reviews-post";q=20;w=3600`.',
    ),
    OpenApiParameter(
        "RateLimit",
        str,
        OpenApiParameter.HEADER,
        response=True,
        description='What remains, and seconds to the next window: `"reviews-post";r=19;t=1712`.',
    ),
    OpenApiParameter(
        "Retry-After", int, OpenApiParameter.HEADER, response=[429, 503], description="Seconds."
    ),
]
IDEMPOTENCY_KEY = OpenApiParameter(
    "Idempotency-Key",
    # 1 to 255 printable ASCII characters (spaces inside only: HTTP trims them at the ends)
    {"type": "string", "minLength": 1, "maxLength": 255, "pattern": "^[!-~]([ -~]*[!-~])?$"},
    OpenApiParameter.HEADER,
    description=(
        "Optional. A retry with the same key and body gets the first answer again instead of a "
        "second write (kept 24 h); the same key with another body is 422."
    ),
)
IDEMPOTENCY_ERRORS = {
    400: error("Malformed JSON, or an Idempotency-Key that is not 1 to 255 printable characters."),
    422: error(
        "Invalid entries (`errors` says what is wrong with each field), or an Idempotency-Key "
        "already used for another request."
    ),
}


def review_update_schema(summary: str, *, idempotent: bool = False):
    """A PUT on one review: no body, 204 when done, 404 for an unknown id, 429 past the client's
    limit."""
    errors = IDEMPOTENCY_ERRORS if idempotent else {}
    return extend_schema(
        summary=summary,
        request=None,
        parameters=[REVIEW_ID, *RATE_LIMIT_HEADERS, *([IDEMPOTENCY_KEY] if idempotent else [])],
        responses={
            204: NO_CONTENT,
            **errors,
            404: NOT_FOUND,
            429: RATE_LIMITED,
            503: UNAVAILABLE,
        },
    )


def idempotent(request, write, body: object = None) -> Answer:
    """``write()``, at most once per Idempotency-Key when the request has one."""
    key = request.headers.get("Idempotency-Key")
    if key is None:
        return write()
    if not 1 <= len(key) <= KEY_LENGTH_MAX or not (key.isascii() and key.isprintable()):
        raise IdempotencyKeyInvalid()
    fingerprint = request_fingerprint(request.method, request.path, body)
    return answer_once(key=key, fingerprint=fingerprint, write=write)


def review_id_parse(raw: str) -> int:
    """A path id that is not a whole number in the id range names no review: 404, like an
    unknown one."""
    review_id = whole_number_from_text(raw)
    if review_id is None:
        raise ReviewNotFound()
    return review_id


class ReviewViewSet(viewsets.ViewSet):
    content_negotiation_class = JSONOnlyNegotiation

    @extend_schema(
        summary="A page of a product's reviews",
        parameters=[ReviewListInputSerializer, RETRY_AFTER],
        responses={
            200: ReviewListOutputSerializer,
            (414, "text/html"): URI_TOO_LONG,
            422: INVALID_QUERY,
            503: UNAVAILABLE,
        },
    )
    def list(self, request):
        params = ReviewListInputSerializer.validated(request.query_params)
        results = selectors.review_list(**params)
        product_id = params["product_id"]
        body = orjson.dumps(
            {
                "product": str(product_id),
                "page": params["page"] - 1,
                "count": params["count"],
                "results": orjson.Fragment(results),
            }
        )
        return cacheable_response(request, body, product_id=product_id, tag=product_tag(product_id))

    @extend_schema(
        summary="A product's rating counts, recommend counts and characteristic averages",
        parameters=[ProductMetaInputSerializer, RETRY_AFTER],
        responses={
            200: ProductMetaOutputSerializer,
            (414, "text/html"): URI_TOO_LONG,
            422: INVALID_QUERY,
            503: UNAVAILABLE,
        },
    )
    def meta(self, request):
        product_id = ProductMetaInputSerializer.validated(request.query_params)["product_id"]
        body = orjson.dumps(selectors.product_meta_get(product_id=product_id))
        return cacheable_response(request, body, product_id=product_id, tag=product_tag(product_id))

    @extend_schema(
        summary="Post a review",
        request=ReviewCreateInputSerializer,
        parameters=[LOCATION, *RATE_LIMIT_HEADERS, IDEMPOTENCY_KEY],
        responses={
            (201, "text/plain"): OpenApiResponse(
                str, description="The text `Created`; `Location` names the new review."
            ),
            **IDEMPOTENCY_ERRORS,
            413: error("Body larger than 256 KiB."),
            415: error("Body not sent as application/json."),
            429: RATE_LIMITED,
            503: UNAVAILABLE,
        },
    )
    def create(self, request):
        review = ReviewCreateInputSerializer.validated(request.data)

        def write() -> Answer:
            review_id = services.review_create(
                product_id=review["product_id"],
                rating=review["rating"],
                summary=review["summary"],
                body=review["body"],
                recommend=review["recommend"],
                reviewer_name=review["name"],
                reviewer_email=review["email"],
                photos=review["photos"],
                characteristics=review["characteristics"],
            )
            return Answer(status=status.HTTP_201_CREATED, location=f"/reviews/{review_id}")

        answer = idempotent(request, write, body=request.data)
        assert answer.location is not None  # a posted review's answer, stored or new, has one
        response = HttpResponse(
            "Created", status=answer.status, content_type="text/plain; charset=utf-8"
        )
        response["Location"] = answer.location
        return response

    @extend_schema(
        summary="One review, as it appears in the list (the Location of a posted review)",
        parameters=[REVIEW_ID, RETRY_AFTER],
        responses={200: ReviewOutputSerializer, 404: NOT_FOUND, 503: UNAVAILABLE},
    )
    def retrieve(self, request, review_id: str):
        pk = review_id_parse(review_id)
        found = selectors.review_get(review_id=pk)
        if found is None:
            raise ReviewNotFound()
        product_id, review = found
        return cacheable_response(
            request, review.encode(), product_id=product_id, tag=review_tag(pk)
        )

    @review_update_schema(
        "Mark a review helpful (counted once per client; 204 every time)", idempotent=True
    )
    def helpful(self, request, review_id: str):
        pk = review_id_parse(review_id)
        voter = anonymous_voter(request)

        def write() -> Answer:
            if not services.review_mark_helpful(review_id=pk, voter=voter):
                raise ReviewNotFound()
            return Answer(status=status.HTTP_204_NO_CONTENT)

        idempotent(request, write)
        return no_content()

    @review_update_schema("Report a review (hides it from lists and meta; idempotent)")
    def report(self, request, review_id: str):
        if not services.review_report(review_id=review_id_parse(review_id)):
            raise ReviewNotFound()
        return no_content()
