"""The public reviews API (the legacy contract): validate the input, call one selector or
service, answer. Responses are plain bytes rendered by orjson (the list's results arrive as JSON
from PostgreSQL), which skips DRF's serializer and renderer machinery on the hot path."""

import orjson
from rest_framework import status, viewsets

from atelier.ratelimits.limits import rate_limited
from reviews import schema, selectors, services
from reviews.exceptions import ReviewNotFound
from reviews.http import (
    answer_response,
    cacheable_response,
    client_voter,
    idempotent,
    no_content,
    review_id_parse,
)
from reviews.idempotency import Answer
from reviews.invalidation import counts_filing, list_filing, review_filing
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
        page = selectors.review_list(**params)
        product_id = params["product_id"]
        body = orjson.dumps(
            {
                "product": str(product_id),
                "page": params["page"] - 1,
                "count": params["count"],
                "results": orjson.Fragment(page.results),
            }
        )
        filing = list_filing(
            product_id,
            ranked_by_votes=params["sort"] in selectors.RANKED_BY_VOTES,
            review_ids=page.review_ids,
        )
        return cacheable_response(request, body, filing)

    @schema.PRODUCT_META
    def meta(self, request):
        product_id = ProductMetaInputSerializer.validated(request.query_params)["product_id"]
        body = orjson.dumps(selectors.product_meta_get(product_id=product_id))
        return cacheable_response(request, body, counts_filing(product_id))

    @schema.REVIEW_CREATE
    @rate_limited("reviews-post")
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

        return answer_response(
            idempotent(request, write, client=client_voter(request), body=request.data)
        )

    @schema.REVIEW_RETRIEVE
    def retrieve(self, request, review_id: str):
        pk = review_id_parse(review_id)
        found = selectors.review_get(review_id=pk)
        if found is None:
            raise ReviewNotFound()
        product_id, review = found
        return cacheable_response(request, review.encode(), review_filing(pk, product_id))

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
