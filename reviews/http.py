"""The HTTP kit both APIs share: their answers (cacheable, private, empty, replayable), the path
ids, who a request comes from, and writes made at most once per ``Idempotency-Key``."""

from collections.abc import Callable
from dataclasses import dataclass
from hashlib import blake2b

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from rest_framework import status
from rest_framework.exceptions import APIException

from atelier.clients import client_address
from atelier.hotpath import Reply
from atelier.ids import whole_number_from_text
from reviews.exceptions import (
    IdempotencyKeyInvalid,
    ProductIdInvalid,
    ReviewNotFound,
    ShopperTokenRefused,
    ShopperTokenRequired,
    VoterTokenInvalid,
    VoterTokenMissing,
)
from reviews.idempotency import KEY_LENGTH_MAX, Answer, answer_once, request_fingerprint
from reviews.invalidation import Filing
from reviews.shoppers import Shopper, ShopperTokenInvalid, shopper_from_token, signing_enabled
from reviews.voters import address_voter, token_voter, voter_token_valid

JSON = "application/json"
VOTER_HEADER = "X-Voter"
SHOPPER_HEADER = "X-Shopper-Token"


# -- answers -----------------------------------------------------------------------------------
@dataclass(frozen=True)
class Read:
    """What a read shows: its JSON body, and where the HTTP cache files it (None: for this client
    alone, never shared through a cache)."""

    body: bytes
    filing: Filing | None


def read_reply(read: Read, if_none_match: str) -> Reply:
    """A read's answer, on the hot path (atelier.hotpath) as through Django (``read_response``).

    A shared answer is a 200 the HTTP cache may keep until a write purges one of its tags: with a
    strong ETag (304 when the client has it), ``no-cache`` so that browsers and CDNs revalidate on
    every use, and, when there is a cache to purge, the tags and race key it files the answer
    under (``reviews.invalidation``; deploy/varnish/atelier.vcl strips both). A private one is
    ``private, no-store``."""
    if read.filing is None:
        private = [("Content-Type", JSON), ("Cache-Control", "private, no-store")]
        return Reply(200, private, read.body)
    etag = f'"{blake2b(read.body, digest_size=16).hexdigest()}"'
    if etag in if_none_match:
        reply = Reply(304, [("ETag", etag), ("Cache-Control", "no-cache")], b"")
    else:
        reply = Reply(
            200, [("Content-Type", JSON), ("ETag", etag), ("Cache-Control", "no-cache")], read.body
        )
    if settings.CACHE_NODES:  # only a cache that this app purges may keep it
        reply.headers.extend(
            [("xkey", " ".join(read.filing.tags)), ("X-Cache-Race", read.filing.race_key)]
        )
        if settings.CORS_ALLOWED_ORIGINS:
            # The cache asks without the client's Origin, so that one object serves every
            # origin, and adds the CORS headers on delivery from these (atelier.vcl).
            reply.headers.extend(
                [
                    ("X-Cors-Origins", " ".join(settings.CORS_ALLOWED_ORIGINS)),
                    ("X-Cors-Expose", ", ".join(settings.CORS_EXPOSE_HEADERS)),
                ]
            )
    return reply


def read_response(request: HttpRequest, read: Read) -> HttpResponse:
    """A read's answer through Django."""
    reply = read_reply(read, request.headers.get("If-None-Match", ""))
    response = HttpResponse(reply.body, status=reply.status)
    del response["Content-Type"]
    for name, value in reply.headers:
        response[name] = value
    return response


def no_content() -> HttpResponse:
    """204 with no body and so no Content-Type either."""
    response = HttpResponse(status=status.HTTP_204_NO_CONTENT)
    del response["Content-Type"]
    return response


def answer_response(answer: Answer) -> HttpResponse:
    """A write's answer as sent: its JSON body, or none (204), or ``Created`` and its Location."""
    if answer.location is not None:
        response = HttpResponse(
            "Created", status=answer.status, content_type="text/plain; charset=utf-8"
        )
        response["Location"] = answer.location
        return response
    if answer.body is None:
        return no_content()
    return HttpResponse(answer.body, status=answer.status, content_type=JSON)


# -- the path --------------------------------------------------------------------------------
def path_id(raw: str, not_found: type[APIException]) -> int:
    """A path id that is not a whole number in the id range names nothing: ``not_found`` (a
    404), like an unknown one."""
    found = whole_number_from_text(raw)
    if found is None:
        raise not_found()
    return found


def review_id_parse(raw: str) -> int:
    return path_id(raw, ReviewNotFound)


def product_id_parse(raw: str) -> int:
    return path_id(raw, ProductIdInvalid)


# -- who asks --------------------------------------------------------------------------------
def request_voter(request: HttpRequest) -> str | None:
    """The voter the ``X-Voter`` token names, hashed (the token itself is never kept); None
    without the header; a malformed token is a 400, never a silent fallback."""
    token = request.headers.get(VOTER_HEADER)
    if token is None:
        return None
    if not voter_token_valid(token):
        raise VoterTokenInvalid()
    return token_voter(token)


def voter_required(request: HttpRequest) -> str:
    voter = request_voter(request)
    if voter is None:
        raise VoterTokenMissing()
    return voter


def v2_voter(request: HttpRequest) -> str:
    """Who votes in v2: the signed shopper when the store signs them (401 without one), else
    the X-Voter token (400 without one)."""
    if signing_enabled():
        shopper = request_shopper(request)
        if shopper is None:
            raise ShopperTokenRequired()
        return shopper.voter
    return voter_required(request)


def v2_reporter(request: HttpRequest) -> str:
    """Who reports in v2: the signed shopper when the store signs them (401 without one), else
    the client's address; never a token the client made up (a malformed one is still a 400)."""
    if signing_enabled():
        return v2_voter(request)
    request_voter(request)
    return client_voter(request)


def list_voter(voter_token: str | None, shopper_token: str | None) -> str | None:
    """Whose votes a v2 list shows: the signed shopper's when the store signs them (a voter
    token is then ignored), else the voter token's; None for nobody's. A malformed voter token is
    a 400, a shopper token the store did not sign a 401."""
    if signing_enabled():
        return None if shopper_token is None else shopper_of(shopper_token).voter
    if voter_token is None:
        return None
    if not voter_token_valid(voter_token):
        raise VoterTokenInvalid()
    return token_voter(voter_token)


def request_shopper(request: HttpRequest) -> Shopper | None:
    """The signed shopper the request names, when the store signs them; None without the header
    (or when the store signs nobody); 401 for a token it did not sign."""
    token = request.headers.get(SHOPPER_HEADER)
    return None if token is None or not signing_enabled() else shopper_of(token)


def shopper_of(token: str) -> Shopper:
    try:
        return shopper_from_token(token)
    except ShopperTokenInvalid as exc:
        raise ShopperTokenRefused() from exc


def client_voter(request: HttpRequest) -> str:
    """The voter a request without a voter token votes as: its client's address."""
    return address_voter(client_address(request))


# -- writes at most once -------------------------------------------------------------------------
def idempotent(
    request: HttpRequest, write: Callable[[], Answer], *, client: str, body: object = None
) -> Answer:
    """``write()``'s answer, made at most once per ``Idempotency-Key`` of ``client`` (a voter
    hash) when the request has one: a retry gets the first answer again, another client's key
    is another key."""
    key = request.headers.get("Idempotency-Key")
    if key is None:
        return write()
    if not 1 <= len(key) <= KEY_LENGTH_MAX or not (key.isascii() and key.isprintable()):
        raise IdempotencyKeyInvalid()
    return answer_once(
        client=client,
        key=key,
        fingerprint=request_fingerprint(request.method or "", request.path, body),
        write=write,
    )
