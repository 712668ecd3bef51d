"""What the v2 routes read from request headers."""

from django.http import HttpRequest

from reviews.exceptions import VoterTokenInvalid
from reviews.voters import token_voter, voter_token_valid

VOTER_HEADER = "X-Voter"


def request_voter(request: HttpRequest) -> str | None:
    """The voter the ``X-Voter`` token names, hashed (the token itself is never kept); None
    without the header; a malformed token is a 400, never a silent fallback."""
    token = request.headers.get(VOTER_HEADER)
    if token is None:
        return None
    if not voter_token_valid(token):
        raise VoterTokenInvalid()
    return token_voter(token)
