"""The API's errors: every client mistake is a 4xx whose body says what to fix.

``api_exception_handler`` is DRF's ``EXCEPTION_HANDLER``: the domain's errors (``reviews.errors``)
and validation failures become 422 with the contract's ``detail`` (plus a per-field ``errors``
object), malformed JSON 400, a wrong method 405, and a database that cannot be reached 503 with
``Retry-After`` instead of a 500.
"""

import logging

from rest_framework import exceptions, status
from rest_framework.response import Response
from rest_framework.views import exception_handler

from atelier.db import unavailable
from atelier.metrics import DATABASE_UNAVAILABLE
from atelier.ratelimits.limits import Outcome
from atelier.ratelimits.middleware import refused
from reviews.errors import CharacteristicsNotOfProduct, IdempotencyKeyReused, ReviewAlreadyPosted
from reviews.voters import VOTER_TOKEN_LENGTH_MAX

logger = logging.getLogger(__name__)

DATABASE_RETRY_AFTER_SECONDS = 5
INVALID_PRODUCT_ID = "Error: invalid product_id provided"
INVALID_REVIEW_BODY = "Error: Review body contains invalid entries"


class InputInvalid(exceptions.APIException):
    """A query string or body that does not satisfy the contract: 422."""

    status_code = status.HTTP_422_UNPROCESSABLE_ENTITY

    def __init__(self, *, detail: str, errors: dict):
        super().__init__(detail=detail)
        self.errors = errors


class IdempotencyKeyConflict(exceptions.APIException):
    status_code = status.HTTP_422_UNPROCESSABLE_ENTITY
    default_detail = (
        "This Idempotency-Key was already used for a different request: use a new key for a new "
        "request, and the same key only to retry the same one."
    )


class IdempotencyKeyInvalid(exceptions.ParseError):
    default_detail = "Idempotency-Key must be 1 to 255 printable ASCII characters."


class VoterTokenMissing(exceptions.ParseError):
    default_detail = (
        "The X-Voter header is required: the voter token the storefront issued "
        f"(1 to {VOTER_TOKEN_LENGTH_MAX} printable ASCII characters)."
    )


class VoterTokenInvalid(exceptions.ParseError):
    default_detail = (
        f"X-Voter must be 1 to {VOTER_TOKEN_LENGTH_MAX} printable ASCII characters, spaces only "
        "inside."
    )


class PostsPerProductLimited(exceptions.APIException):
    """A client's posts on one product, past their limit (``reviews-post-product``): 429."""

    status_code = status.HTTP_429_TOO_MANY_REQUESTS

    def __init__(self, outcome: Outcome):
        detail, self.headers = refused(outcome, "from one client on one product")
        super().__init__(detail=detail)


class ShopperTokenRequired(exceptions.APIException):
    """401: the store signs its shoppers, and this request names none it signed."""

    status_code = status.HTTP_401_UNAUTHORIZED
    default_detail = (
        "A signed shopper is required: send the X-Shopper-Token the storefront issued "
        "(a JWT with sub and exp, signed with the store's secret)."
    )


class ShopperTokenRefused(ShopperTokenRequired):
    default_detail = (
        "The X-Shopper-Token is not one the storefront signed: forged, expired, or without sub "
        "and exp."
    )


class ReviewAlreadyPostedByShopper(exceptions.APIException):
    status_code = status.HTTP_409_CONFLICT
    default_detail = "This shopper has already reviewed this product: one review per product."


class ReviewNotFound(exceptions.NotFound):
    default_detail = "Not found: no review has this id."


class ProductIdInvalid(exceptions.NotFound):
    default_detail = "Not found: a product id is a whole number from 1 to 2147483647."


def api_exception_handler(exc, context):
    if isinstance(exc, IdempotencyKeyReused):
        exc = IdempotencyKeyConflict()
    if isinstance(exc, CharacteristicsNotOfProduct):
        exc = InputInvalid(
            detail=INVALID_REVIEW_BODY,
            errors={
                "characteristics": [
                    f"Not a characteristic of product {exc.product_id}: "
                    + ", ".join(map(str, exc.ids))
                    + f". Use the ids from GET /reviews/meta?product_id={exc.product_id}."
                ]
            },
        )
    if isinstance(exc, ReviewAlreadyPosted):
        exc = ReviewAlreadyPostedByShopper()
    if isinstance(exc, ShopperTokenRequired):
        return Response(
            {"detail": exc.detail},
            status=exc.status_code,
            headers={"WWW-Authenticate": 'Shopper-Token realm="reviews"'},
        )
    if isinstance(exc, PostsPerProductLimited):
        return Response({"detail": exc.detail}, status=exc.status_code, headers=exc.headers)
    if isinstance(exc, InputInvalid):
        return Response({"detail": exc.detail, "errors": exc.errors}, status=exc.status_code)
    if unavailable(exc):
        # Only connection-level failures land here (the server is down, restarting or full, or
        # a standby since a failover): data errors are DataError/IntegrityError, which input
        # validation rules out.
        logger.warning("database unavailable: %s", exc)
        DATABASE_UNAVAILABLE.inc()
        return Response(
            {"detail": "Service temporarily unavailable: the database cannot be reached."},
            status=status.HTTP_503_SERVICE_UNAVAILABLE,
            headers={"Retry-After": str(DATABASE_RETRY_AFTER_SECONDS)},
        )
    if isinstance(exc, exceptions.UnsupportedMediaType):
        exc.detail = exceptions.ErrorDetail(
            f"{exc.detail} Send the body as JSON with Content-Type: application/json.",
            code=exc.default_code,
        )
    return exception_handler(exc, context)
