"""Shoppers the storefront signs: a JWT (HS256) it issues with a secret it shares with the
service (``SHOPPER_TOKEN_SECRETS``, several while one is rotated out), sent as ``X-Shopper-Token``.
Its ``sub`` (the store's shopper id) and ``exp`` are required; ``verified_purchases`` (the product
ids the shopper bought) is optional. A shopper votes, reports and posts as a keyed hash of their
``sub`` (``reviews.voters``): the store's ids are never stored.
"""

from dataclasses import dataclass

import jwt
from django.conf import settings

from reviews.voters import voter_hash

ALGORITHMS = ["HS256"]
CLAIMS_REQUIRED = ["sub", "exp"]


class ShopperTokenInvalid(Exception):
    """Not a token of this store: unsigned, forged, expired, or without the required claims."""


@dataclass(frozen=True)
class Shopper:
    voter: str  # the keyed hash of the shopper's id
    verified_purchases: frozenset[int]


def signing_enabled() -> bool:
    """Whether the storefront signs its shoppers (a secret is set)."""
    return bool(settings.SHOPPER_TOKEN_SECRETS)


def shopper_from_token(token: str) -> Shopper:
    """The shopper a token signed with one of the secrets names; ShopperTokenInvalid otherwise."""
    claims = None
    for secret in settings.SHOPPER_TOKEN_SECRETS:
        try:
            claims = jwt.decode(
                token, secret, algorithms=ALGORITHMS, options={"require": CLAIMS_REQUIRED}
            )
            break
        except jwt.InvalidSignatureError:
            continue  # perhaps signed with another of the secrets
        except jwt.PyJWTError as exc:
            raise ShopperTokenInvalid(str(exc)) from exc
    if claims is None:
        raise ShopperTokenInvalid("not signed with a secret of this store")
    sub, bought = claims["sub"], claims.get("verified_purchases", [])
    if not isinstance(sub, str) or not sub:
        raise ShopperTokenInvalid("sub is not a shopper id")
    if not isinstance(bought, list) or not all(
        isinstance(product, int) and not isinstance(product, bool) for product in bought
    ):
        raise ShopperTokenInvalid("verified_purchases is not a list of product ids")
    return Shopper(voter=shopper_voter(sub), verified_purchases=frozenset(bought))


def shopper_voter(sub: str) -> str:
    """The voter a signed shopper is (never the same as a voter token's or an address's)."""
    return voter_hash(f"shopper:{sub}")
