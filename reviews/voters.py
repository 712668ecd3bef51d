"""Who votes or reports: a keyed hash that tells people apart without storing who they are.

The legacy routes know a voter only by the client's address; the v2 routes by the voter token the
storefront sends, when it sends one (``reviews.http`` reads both from a request). The hash is
keyed with the project's secret, so the tables of votes and reports cannot be turned back into
addresses or tokens by hashing every candidate there is.
"""

import re
from hashlib import blake2b

from django.conf import settings

_KEY = blake2b(b"atelier voters", key=settings.SECRET_KEY.encode()[:64]).digest()


def voter_hash(identity: str) -> str:
    return blake2b(identity.encode(), key=_KEY, digest_size=16).hexdigest()


# A voter token: 1 to 200 printable ASCII characters, spaces only inside (HTTP trims the ends).
VOTER_TOKEN_LENGTH_MAX = 200
VOTER_TOKEN_PATTERN = r"^[!-~]([ -~]*[!-~])?$"
_VOTER_TOKEN = re.compile(VOTER_TOKEN_PATTERN)


def voter_token_valid(token: str) -> bool:
    return len(token) <= VOTER_TOKEN_LENGTH_MAX and _VOTER_TOKEN.fullmatch(token) is not None


def token_voter(token: str) -> str:
    """The voter a valid voter token names (never the same as an address's)."""
    return voter_hash(f"token:{token}")


def address_voter(address: str) -> str:
    """The voter a client without a voter token votes as: its address."""
    return voter_hash(f"address:{address}")
