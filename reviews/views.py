"""The public reviews API (the legacy contract): validate the input, call one read or service,
answer. Answers are plain bytes rendered by orjson (the list's results arrive as JSON from
PostgreSQL), which skips DRF's serializer and renderer machinery. The common valid read does not
come here at all: the hot path answers it with the same read (``reviews.hot``)."""

from rest_framework import status, viewsets

from atelier.clients import client_address
from atelier.ratelimits.limits import rate_limited
from atelier.ratelimits.middleware import limit_check
from reviews import reads, schema, services
from reviews.exceptions import PostsPerProductLimited, ReviewNotFound
from reviews.http import (
    answer_response,
    client_voter,
    idempotent,
    no_content,
    read_response,
    request_shopper,
    review_id_parse,
)
from reviews.idempotency import Answer
from reviews.negotiation import JSONOnlyNegotiation
from reviews.serializers import (
    ProductMetaInputSerializer,
    ReviewCreateInputSerializer,
    ReviewListInputSerializer,
)


class ReviewViewSet(viewsets.ViewSet):
    content_negotiation_class = JSONOnlyNegotiation

    @schema.REVIEW_LIST
    def list(self, request):
        params = ReviewListInputSerializer.validated(request.query_params)
        return read_response(request, reads.review_list(**params))

    @schema.PRODUCT_META
    def meta(self, request):
        product_id = ProductMetaInputSerializer.validated(request.query_params)["product_id"]
        return read_response(request, reads.product_meta(product_id=product_id))

    @schema.REVIEW_CREATE
    @rate_limited("reviews-post")
    def create(self, request):
        review = ReviewCreateInputSerializer.validated(request.data)
        client = client_address(request)
        shopper = request_shopper(request)  # optional: a signed shopper reviews a product once

        def write() -> Answer:
            # Beside the client's own limit (the middleware's): its posts on this one product.
            product = limit_check("reviews-post-product", f"{client} {review['product_id']}")
            if product is not None and not product.allowed:
                raise PostsPerProductLimited(product)
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
                shopper=None if shopper is None else shopper.voter,
                verified_purchase=shopper is not None
                and review["product_id"] in shopper.verified_purchases,
            )
            return Answer(status=status.HTTP_201_CREATED, location=f"/reviews/{review_id}")

        return answer_response(
            idempotent(request, write, client=client_voter(request), body=request.data)
        )

    @schema.REVIEW_RETRIEVE
    def retrieve(self, request, review_id: str):
        read = reads.review_detail(review_id=review_id_parse(review_id))
        if read is None:
            raise ReviewNotFound()
        return read_response(request, read)

    @schema.REVIEW_HELPFUL
    @rate_limited("reviews-helpful")
    def helpful(self, request, review_id: str):
        pk = review_id_parse(review_id)
        voter = client_voter(request)

        def write() -> Answer:
            if not services.review_mark_helpful(review_id=pk, voter=voter):
                raise ReviewNotFound()
            return Answer(status=status.HTTP_204_NO_CONTENT)

        return answer_response(idempotent(request, write, client=voter))

    @schema.REVIEW_REPORT
    @rate_limited("reviews-report")
    def report(self, request, review_id: str):
        pk = review_id_parse(review_id)
        if services.review_report_add(review_id=pk, reporter=client_voter(request)) is None:
            raise ReviewNotFound()
        return no_content()
