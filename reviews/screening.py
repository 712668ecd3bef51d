"""The screen of the ``screened`` workflow: what a new review is held for before it is published.

Offensive language is judged by ``alt-profanity-check`` (a linear model over words and character
n-grams; chosen over ``better-profanity`` by ``loadtests/screening.py`` on a labelled sample,
docs/moderation.md), spam by rules: links, a character repeated, the same body already stored, a
burst of new reviews on one product. A review is held with every reason found. The model runs
under a time budget: when it fails or takes longer, the review is held for a moderator, never
refused and never lost.
"""

import logging
import os
import re
from concurrent.futures import ThreadPoolExecutor
from concurrent.futures import TimeoutError as FutureTimeout

from django.conf import settings
from django.db import connection

OFFENSIVE = "offensive language"
LINK = "link"
REPEATED_CHARACTERS = "repeated characters"
DUPLICATE = "same text as another review"
BURST = "burst of reviews on the product"
SCREEN_UNAVAILABLE = "screen unavailable"

logger = logging.getLogger(__name__)

# The model's probability from which a text is offensive (its own default).
OFFENSIVE_FROM = 0.5
LINK_PATTERN = re.compile(
    r"(?:https?://|www\.)\S|\b[a-z0-9-]+\.(?:com|net|org|info|biz|ru|xyz|top|io|ly)\b", re.I
)
# One character six times in a row ("sooooooo good", "!!!!!!", "$$$$$$").
REPEATED_PATTERN = re.compile(r"(.)\1{5,}", re.S)

# reviews_body_digest_idx: a stored review with this body.
BODY_STORED = """
SELECT EXISTS (SELECT FROM reviews WHERE md5(body) = md5(%(body)s) AND body = %(body)s)"""
# How many reviews the product got in the last hour, published or waiting: the two arms are
# reviews_product_newest_idx (visible) and reviews_pending_queue_idx (pending).
PRODUCT_POSTS_LAST_HOUR = """
SELECT (SELECT count(*) FROM reviews
         WHERE product_id = %(product_id)s AND NOT reported AND date > now() - interval '1 hour')
     + (SELECT count(*) FROM reviews
         WHERE status = 'pending' AND date > now() - interval '1 hour'
           AND product_id = %(product_id)s)"""

# One thread of each process runs the model, so that a request never waits longer than the
# budget for it; a model call that overruns finishes in the background and its answer is dropped.
_runner: tuple[int, ThreadPoolExecutor] | None = None


def _model_runner() -> ThreadPoolExecutor:
    """This process's runner (a forked child makes its own: threads do not survive a fork)."""
    global _runner
    if _runner is None or _runner[0] != os.getpid():
        _runner = (os.getpid(), ThreadPoolExecutor(max_workers=1, thread_name_prefix="screen"))
    return _runner[1]


def offensive_probability(texts: list[str]) -> float:
    """The highest probability the model gives any of ``texts`` of being offensive."""
    from profanity_check import predict_prob  # scikit-learn: loaded by the first call only

    return float(max(predict_prob(texts)))


def model_load() -> None:
    """Load the model now when the workflow screens (an app server, before its first request):
    loading takes longer than the budget, and would hold the first reviews for a moderator."""
    if settings.MODERATION_WORKFLOW == "screened":
        offensive_probability(["loaded"])


def screen_reasons(*, product_id: int, summary: str, body: str) -> list[str]:
    """Why the review should wait for a moderator; none when it may be published. Runs in the
    posting transaction (the duplicate and burst rules read the reviews table)."""
    texts = [text for text in (summary, body) if text]
    reasons = _model_reasons(texts)
    joined = "\n".join(texts)
    if LINK_PATTERN.search(joined):
        reasons.append(LINK)
    if REPEATED_PATTERN.search(joined):
        reasons.append(REPEATED_CHARACTERS)
    with connection.cursor() as cursor:
        cursor.execute(BODY_STORED, {"body": body})
        if cursor.fetchone()[0]:
            reasons.append(DUPLICATE)
        cursor.execute(PRODUCT_POSTS_LAST_HOUR, {"product_id": product_id})
        if cursor.fetchone()[0] >= settings.SCREEN_BURST_PER_PRODUCT_HOUR:
            reasons.append(BURST)
    return reasons


def _model_reasons(texts: list[str]) -> list[str]:
    """The model's verdict on ``texts`` as reasons: offensive, or the screen unavailable when it
    fails or overruns the budget (then a moderator judges)."""
    future = _model_runner().submit(offensive_probability, texts)
    try:
        probability = future.result(timeout=settings.SCREEN_TIMEOUT_SECONDS)
    except FutureTimeout:
        future.cancel()
        logger.warning("screen: the model took longer than %ss", settings.SCREEN_TIMEOUT_SECONDS)
        return [SCREEN_UNAVAILABLE]
    except Exception:
        logger.exception("screen: the model failed")
        return [SCREEN_UNAVAILABLE]
    return [OFFENSIVE] if probability >= OFFENSIVE_FROM else []
