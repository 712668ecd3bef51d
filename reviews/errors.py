"""The errors of the reviews domain: what the services refuse, in their own terms. The API layer
(reviews.exceptions) decides how each is answered; nothing here knows about HTTP."""


class CharacteristicsNotOfProduct(Exception):
    """A review rates characteristics of another product (or of none)."""

    def __init__(self, *, product_id: int, ids: list[int]):
        super().__init__(f"not characteristics of product {product_id}: {ids}")
        self.product_id = product_id
        self.ids = ids


class IdempotencyKeyReused(Exception):
    """An Idempotency-Key already used by this client for a different request."""


class ReviewAlreadyPosted(Exception):
    """A signed shopper's second review of one product."""
