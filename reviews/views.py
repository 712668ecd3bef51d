"""The public reviews API: validate the input, call one selector or service, answer.

Responses are plain bytes rendered by orjson (the list's results arrive as JSON from PostgreSQL),
which skips DRF's serializer and renderer machinery on the hot path.
"""

from hashlib import blake2b

import orjson
from django.conf import settings
from django.http import HttpRequest, HttpResponse, HttpResponseNotModified
from rest_framework import status, viewsets
from rest_framework.exceptions import APIException

from atelier.ids import whole_number_from_text
from reviews import schema, selectors, services
from reviews.exceptions import IdempotencyKeyInvalid, ReviewNotFound
from reviews.idempotency import KEY_LENGTH_MAX, Answer, answer_once, request_fingerprint
from reviews.invalidation import product_tag, race_key, review_tag
from reviews.negotiation import JSONOnlyNegotiation
from reviews.serializers import (
    ProductMetaInputSerializer,
    ReviewCreateInputSerializer,
    ReviewListInputSerializer,
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


def private_response(body: bytes) -> HttpResponse:
    """A 200 for this client alone: no cache may keep it."""
    response = HttpResponse(body, content_type=JSON)
    response["Cache-Control"] = "private, no-store"
    return response


def no_content() -> HttpResponse:
    """204 with no body and so no Content-Type either."""
    response = HttpResponse(status=status.HTTP_204_NO_CONTENT)
    del response["Content-Type"]
    return response


def idempotent(request, write, body: object = None) -> Answer:
    """``write()``, at most once per Idempotency-Key when the request has one."""
    key = request.headers.get("Idempotency-Key")
    if key is None:
        return write()
    if not 1 <= len(key) <= KEY_LENGTH_MAX or not (key.isascii() and key.isprintable()):
        raise IdempotencyKeyInvalid()
    fingerprint = request_fingerprint(request.method, request.path, body)
    return answer_once(key=key, fingerprint=fingerprint, write=write)


def path_id(raw: str, not_found: type[APIException]) -> int:
    """A path id that is not a whole number in the id range names nothing: ``not_found`` (a
    404), like an unknown one."""
    found = whole_number_from_text(raw)
    if found is None:
        raise not_found()
    return found


def review_id_parse(raw: str) -> int:
    return path_id(raw, ReviewNotFound)


class ReviewViewSet(viewsets.ViewSet):
    content_negotiation_class = JSONOnlyNegotiation

    @schema.REVIEW_LIST
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

    @schema.PRODUCT_META
    def meta(self, request):
        product_id = ProductMetaInputSerializer.validated(request.query_params)["product_id"]
        body = orjson.dumps(selectors.product_meta_get(product_id=product_id))
        return cacheable_response(request, body, product_id=product_id, tag=product_tag(product_id))

    @schema.REVIEW_CREATE
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

    @schema.REVIEW_RETRIEVE
    def retrieve(self, request, review_id: str):
        pk = review_id_parse(review_id)
        found = selectors.review_get(review_id=pk)
        if found is None:
            raise ReviewNotFound()
        product_id, review = found
        return cacheable_response(
            request, review.encode(), product_id=product_id, tag=review_tag(pk)
        )

    @schema.REVIEW_HELPFUL
    def helpful(self, request, review_id: str):
        pk = review_id_parse(review_id)
        voter = anonymous_voter(request)

        def write() -> Answer:
            if not services.review_mark_helpful(review_id=pk, voter=voter):
                raise ReviewNotFound()
            return Answer(status=status.HTTP_204_NO_CONTENT)

        idempotent(request, write)
        return no_content()

    @schema.REVIEW_REPORT
    def report(self, request, review_id: str):
        pk = review_id_parse(review_id)
        if not services.review_report(review_id=pk, reporter=anonymous_voter(request)):
            raise ReviewNotFound()
        return no_content()
