"""API v2 reads: a product's reviews (filtered, sorted, in keyset pages) and its summary."""

from typing import Any
from urllib.parse import urlencode

import orjson
from django.http import HttpRequest
from rest_framework import viewsets
from rest_framework.decorators import action

from reviews.exceptions import InputInvalid, ProductIdInvalid
from reviews.invalidation import product_tag
from reviews.negotiation import JSONOnlyNegotiation
from reviews.v2 import read_schema, selectors
from reviews.v2.cursors import DEFAULT_SORT, SORTS, Cursor, CursorInvalid, filters_digest
from reviews.v2.filters import INVALID_FILTER, ReviewFilterSet, filtered, page_params
from reviews.v2.headers import request_voter
from reviews.v2.shapes import counts_shape
from reviews.views import cacheable_response, path_id, private_response


class ProductViewSet(viewsets.ViewSet):
    """/v2/products/<product_id>/reviews and /summary."""

    content_negotiation_class = JSONOnlyNegotiation
    lookup_field = "product_id"
    lookup_value_regex = "[^/]+"

    @read_schema.V2_REVIEW_LIST
    @action(detail=True, methods=["get"], url_path="reviews")
    def reviews(self, request, product_id: str):
        pk = path_id(product_id, ProductIdInvalid)
        reviews, filters = filtered(pk, request.query_params)
        params = page_params(request.query_params)
        digest = filters_digest(pk, filters)
        cursor = None
        if params["cursor"] is not None:
            try:
                cursor = Cursor.decode(params["cursor"])
            except CursorInvalid as exc:
                raise _cursor_invalid(str(exc)) from exc
            if cursor.filters != digest or params["sort"] not in (None, cursor.sort):
                raise _cursor_invalid(
                    "This cursor belongs to another list: another product, other filters or sort."
                )
        sort = SORTS[cursor.sort if cursor else params["sort"] or DEFAULT_SORT]
        voter = request_voter(request)
        page = selectors.review_page(
            product_id=pk,
            reviews=reviews,
            filters=filters,
            filters_digest=digest,
            sort=sort,
            limit=params["limit"],
            cursor=cursor,
            voter=voter,
        )
        link = _page_link(request, pk, sort=sort.name, limit=params["limit"])
        body = orjson.dumps(
            {
                "product_id": pk,
                "sort": sort.name,
                "filters": filters,
                "version": page.version,
                "total": page.total,
                "results": orjson.Fragment(page.results),
                "next": link(page.next),
                "previous": link(page.previous),
            }
        )
        if voter is not None:  # the voter's own votes: never shared through a cache
            return private_response(body)
        return cacheable_response(request, body, product_id=pk, tag=product_tag(pk))

    @read_schema.V2_SUMMARY
    @action(detail=True, methods=["get"], url_path="summary")
    def summary(self, request, product_id: str):
        pk = path_id(product_id, ProductIdInvalid)
        reviews, filters = filtered(pk, request.query_params)
        summary = selectors.product_summary(product_id=pk, reviews=reviews, filters=filters)
        answer: dict[str, Any] = {
            "product_id": pk,
            "version": summary.version,
            **counts_shape(summary.all, summary.characteristics),
        }
        if summary.filtered is not None:
            answer["filters"] = filters
            answer["filtered"] = counts_shape(summary.filtered, summary.characteristics)
        body = orjson.dumps(answer)
        return cacheable_response(request, body, product_id=pk, tag=product_tag(pk))


def _cursor_invalid(reason: str) -> InputInvalid:
    return InputInvalid(detail=INVALID_FILTER, errors={"cursor": [reason]})


def _page_link(request: HttpRequest, product_id: int, *, sort: str, limit: int):
    """The link to another page of the same list: the request's filters with that page's cursor
    (relative, so that a cached answer never names another host)."""
    filters = [
        (name, value)
        for name, values in request.GET.lists()
        if name in ReviewFilterSet.base_filters
        for value in values
    ]

    def link(cursor: Cursor | None) -> str | None:
        if cursor is None:
            return None
        query = urlencode([*filters, ("sort", sort), ("limit", limit), ("cursor", cursor.encode())])
        return f"/v2/products/{product_id}/reviews?{query}"

    return link
