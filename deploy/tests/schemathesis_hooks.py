"""schemathesis hooks (SCHEMATHESIS_HOOKS) for what an OpenAPI schema cannot say.

- ``page * count`` at most 10,000 is a rule across two parameters: each may be valid alone. The
  schema says it in words (and documents the 422); a generated page beyond it is brought back
  to the deepest one allowed.
- An Idempotency-Key names one request: a fuzzer reusing a key with another body would be told
  422, rightly. Each valid key it sends is made unique; invalid ones are left for the negative
  tests to send.
- A review rates the characteristics of its own product: ids the fuzzer makes up belong to no
  product (422, rightly; reviews/tests cover it). A generated set of well-formed ratings is
  emptied; malformed ones are left for the negative tests.
- A v2 list cursor is opaque and signed: no generator can make a valid one, and the schema can
  only say which characters it has. A well-formed generated cursor (a forgery, 422 rightly; the
  reviews tests cover it) is dropped from the query; malformed ones are left for the negative
  tests.
- Keys the body schema does not name are ignored by the API (reviews/tests cover it), yet
  schemathesis 4.32 reported bodies carrying them, which its schema allows, as invalid ones the
  API accepted. They are taken out of the body before it is sent (the keys each operation's
  body names are below).
"""

import re
import uuid

import schemathesis

DEPTH_MAX = 10_000
VALID_KEY = re.compile(r"[!-~]([ -~]*[!-~])?")
CURSOR = re.compile(r"[A-Za-z0-9_.:-]+")
REVIEW_KEYS = {
    "product_id", "rating", "summary", "body", "recommend", "name", "email", "photos",
    "characteristics",
}  # fmt: skip
# The keys of each JSON body, by the last segment of the operation's path.
BODY_KEYS = {"reviews": REVIEW_KEYS, "vote": {"value"}, "reports": {"reason", "note"}}


def whole(value, default: int) -> int | None:
    """A generated page or count as the API reads it (an int, or a string of digits)."""
    if value == "":
        return default
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return value
    if isinstance(value, str) and value.isascii() and value.isdigit():
        return int(value)
    return None


@schemathesis.hook
def before_call(ctx, case, **kwargs):
    key = (case.headers or {}).get("Idempotency-Key")
    if isinstance(key, str) and len(key) <= 255 and VALID_KEY.fullmatch(key):
        case.headers["Idempotency-Key"] = str(uuid.uuid4())
    query = case.query or {}
    page, count = whole(query.get("page", 1), 1), whole(query.get("count", 5), 5)
    if page and count and page * count > DEPTH_MAX:
        case.query["page"] = max(DEPTH_MAX // count, 1)
    cursor = query.get("cursor")
    if isinstance(cursor, str) and len(cursor) <= 1000 and CURSOR.fullmatch(cursor):
        del case.query["cursor"]
    if not isinstance(case.body, dict):
        return
    named = BODY_KEYS.get(case.operation.path.strip("/").rsplit("/", 1)[-1], set())
    for unknown in set(case.body) - named:
        del case.body[unknown]
    ratings = case.body.get("characteristics")
    if isinstance(ratings, dict) and ratings and all(map(rating_well_formed, ratings.items())):
        case.body["characteristics"] = {}


def rating_well_formed(item) -> bool:
    key, value = item
    return (
        re.fullmatch(r"0*[1-9][0-9]{0,9}", key) is not None
        and int(key) < 2**31
        and type(value) in (int, float)
        and value in (1, 2, 3, 4, 5)
    )
