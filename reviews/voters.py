"""Who votes: a keyed hash that tells voters apart without storing who they are.

The legacy ``PUT .../helpful`` knows a voter only by the client's address (``atelier.clients``).
The hash is keyed with the project's secret, so the table of votes cannot be turned back into
addresses by hashing every address there is.
"""

from hashlib import blake2b

from django.conf import settings
from django.http import HttpRequest

from atelier.clients import client_address

_KEY = blake2b(b"atelier voters", key=settings.SECRET_KEY.encode()[:64]).digest()


def voter_hash(identity: str) -> str:
    return blake2b(identity.encode(), key=_KEY, digest_size=16).hexdigest()


def anonymous_voter(request: HttpRequest) -> str:
    """The voter a request without a voter token votes as: its client's address."""
    return voter_hash(f"address:{client_address(request)}")


VOTER_TOKEN_LENGTH_MAX = 200


def token_voter(token: str) -> str | None:
    """The voter an ``X-Voter`` token stands for; None when the token is not 1 to 200 printable
    ASCII characters."""
    if not (1 <= len(token) <= VOTER_TOKEN_LENGTH_MAX and token.isascii() and token.isprintable()):
        return None
    return voter_hash(f"token:{token}")
