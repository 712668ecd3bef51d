"""Writes to reviews: each service owns its transaction and changes rows in single statements.

First the public API's writes (post a review, mark one helpful, report one), then moderation over
many reviews. The per-product aggregates follow every statement here through the database's own
triggers.
"""

from collections.abc import Collection, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime

from django.conf import settings
from django.contrib.admin.models import CHANGE, DELETION, LogEntry
from django.contrib.auth.models import AbstractBaseUser
from django.db import IntegrityError, connection, transaction
from django.utils import timezone

from atelier.ids import INT4_MAX, positive_int4
from reviews.errors import CharacteristicsNotOfProduct, ReviewAlreadyPosted
from reviews.invalidation import (
    invalidate_on_commit,
    invalidate_review_on_commit,
    invalidate_votes_on_commit,
)
from reviews.models import (
    SHOPPER_PER_PRODUCT,
    CharacteristicReview,
    ReportReason,
    Review,
    ReviewPhoto,
    ReviewStatus,
)
from reviews.screening import screen_reasons
from reviews.selectors import Report, VoteState, review_report_get

# The moderation workflows (settings.MODERATION_WORKFLOW; "post", the default, publishes at once).
MODERATION_POST = "post"
MODERATION_PRE = "pre"
MODERATION_SCREENED = "screened"
MODERATION_WORKFLOWS = (MODERATION_POST, MODERATION_PRE, MODERATION_SCREENED)

# characteristics_pkey. KEY SHARE is the lock the foreign-key check takes anyway: it keeps the
# rows from being deleted until the review commits, and never blocks other reviews.
CHARACTERISTICS_OF_PRODUCT_LOCK = """
SELECT id FROM characteristics WHERE id = ANY(%(ids)s) AND product_id = %(product_id)s
FOR KEY SHARE
"""


def review_create(
    *,
    product_id: int,
    rating: int,
    summary: str,
    body: str,
    recommend: bool,
    reviewer_name: str,
    reviewer_email: str,
    photos: Sequence[str] = (),
    characteristics: Mapping[int, int] | None = None,
    shopper: str | None = None,
    verified_purchase: bool = False,
) -> int:
    """Write a review with its photos and characteristic ratings, all or nothing; return its id.
    It is published at once, or waits for a moderator, as the moderation workflow decides
    (``new_review_state``).

    Every characteristic id must be one of the product's; otherwise nothing is written and
    ``CharacteristicsNotOfProduct`` names the ids that are not. A signed ``shopper`` (a voter
    hash) reviews a product once: ``ReviewAlreadyPosted`` for a second.
    """
    characteristics = characteristics or {}
    try:
        with transaction.atomic():
            if characteristics:
                _characteristics_of_product_lock(product_id=product_id, ids=characteristics.keys())
            status, reasons = new_review_state(product_id=product_id, summary=summary, body=body)
            review = Review.objects.create(
                product_id=product_id,
                rating=rating,
                summary=summary,
                body=body,
                recommend=recommend,
                reviewer_name=reviewer_name,
                reviewer_email=reviewer_email,
                shopper=shopper,
                verified_purchase=verified_purchase,
                status=status,
                reported=status != ReviewStatus.PUBLISHED,
                screen_reasons=reasons,
                # Kept to the millisecond, like every loaded date, so the API shows it exactly.
                date=_now_to_the_millisecond(),
            )
            ReviewPhoto.objects.bulk_create(ReviewPhoto(review=review, url=url) for url in photos)
            CharacteristicReview.objects.bulk_create(
                CharacteristicReview(review=review, characteristic_id=cid, value=value)
                for cid, value in characteristics.items()
            )
            if status == ReviewStatus.PUBLISHED:
                invalidate_on_commit(products=[product_id])
    except IntegrityError as exc:
        constraint = getattr(getattr(exc.__cause__, "diag", None), "constraint_name", "")
        if constraint == SHOPPER_PER_PRODUCT:
            raise ReviewAlreadyPosted() from exc
        raise
    return review.pk


def new_review_state(*, product_id: int, summary: str, body: str) -> tuple[str, list[str]]:
    """A new review's status under the store's moderation workflow, with the screen's reasons
    for holding it (``screened`` only)."""
    workflow = settings.MODERATION_WORKFLOW
    if workflow == MODERATION_PRE:
        return ReviewStatus.PENDING, []
    if workflow == MODERATION_SCREENED:
        reasons = screen_reasons(product_id=product_id, summary=summary, body=body)
        return (ReviewStatus.PENDING if reasons else ReviewStatus.PUBLISHED), reasons
    return ReviewStatus.PUBLISHED, []


def _now_to_the_millisecond():
    now = timezone.now()
    return now.replace(microsecond=now.microsecond // 1000 * 1000)


def _characteristics_of_product_lock(*, product_id: int, ids) -> None:
    """Check the ids belong to the product and hold them until the review commits, so that a
    concurrent delete cannot turn the insert into a foreign-key error."""
    with connection.cursor() as cursor:
        cursor.execute(
            CHARACTERISTICS_OF_PRODUCT_LOCK, {"ids": list(ids), "product_id": product_id}
        )
        found = {row[0] for row in cursor.fetchall()}
    foreign = sorted(set(ids) - found)
    if foreign:
        raise CharacteristicsNotOfProduct(product_id=product_id, ids=foreign)


# reviews_pkey: the reply and its time (cleared with it). RETURNING names the product whose answers
# change.
REVIEWS_RESPOND = """
UPDATE reviews
   SET response = %(response)s,
       responded_at = CASE WHEN %(response)s::text IS NULL THEN NULL
                           ELSE date_trunc('milliseconds', now()) END
 WHERE id = %(review_id)s
RETURNING product_id, responded_at"""
# A reported review is gone for the public API: voting on it is a 404, as its GET.
# review_votes_pkey, then reviews_pkey: the vote is recorded once per voter, and only a vote that
# was new adds one to helpfulness (saturating at the int4 maximum). One row when the review is
# there to vote on: its product, whether the count changed, and the count.
REVIEWS_VOTE_UP = """
WITH target AS (
    SELECT id, product_id, helpfulness FROM reviews WHERE id = %(review_id)s AND NOT reported
), vote AS (
    INSERT INTO review_votes (review_id, voter, created_at)
    SELECT id, %(voter)s, now() FROM target
    ON CONFLICT DO NOTHING
    RETURNING review_id
), counted AS (
    UPDATE reviews SET helpfulness = helpfulness + 1
     WHERE id = (SELECT review_id FROM vote) AND helpfulness < %(max)s
    RETURNING helpfulness
)
SELECT product_id, EXISTS (SELECT FROM counted),
       coalesce((SELECT helpfulness FROM counted), helpfulness)
  FROM target"""
# review_votes_pkey, then reviews_pkey: only a vote that was there and is deleted takes one off
# helpfulness, never below 0 (loaded counts came without their voters). The same row as above.
REVIEWS_VOTE_UNDO = """
WITH target AS (
    SELECT id, product_id, helpfulness FROM reviews WHERE id = %(review_id)s AND NOT reported
), unvote AS (
    DELETE FROM review_votes
     WHERE review_id = (SELECT id FROM target) AND voter = %(voter)s
    RETURNING review_id
), counted AS (
    UPDATE reviews SET helpfulness = helpfulness - 1
     WHERE id = (SELECT review_id FROM unvote) AND helpfulness > 0
    RETURNING helpfulness
)
SELECT product_id, EXISTS (SELECT FROM counted),
       coalesce((SELECT helpfulness FROM counted), helpfulness)
  FROM target"""


def review_vote_set(*, review_id: int, voter: str, up: bool) -> VoteState | None:
    """Make ``voter``'s helpful vote on the review be there (``up``) or not, in one statement:
    the count changes only when the vote does. None when there is no such review or it is
    reported."""
    if not positive_int4(review_id):
        return None
    statement = REVIEWS_VOTE_UP if up else REVIEWS_VOTE_UNDO
    with transaction.atomic(), connection.cursor() as cursor:  # the vote and the purges it owes
        cursor.execute(statement, {"review_id": review_id, "voter": voter, "max": INT4_MAX})
        row = cursor.fetchone()
        if row is None:
            return None
        product_id, counted, helpfulness = row
        if counted:
            invalidate_votes_on_commit(reviews=[(review_id, product_id)])
    return VoteState(up=up, helpfulness=helpfulness)


def review_mark_helpful(*, review_id: int, voter: str) -> bool:
    """Count ``voter``'s helpful vote, once: a voter's later votes on the review change nothing.
    False when there is no such review or it is reported."""
    return review_vote_set(review_id=review_id, voter=voter, up=True) is not None


# A report queues its review for a moderator, and hides it at once (the legacy front-end expects
# the reported review to leave its list) within a bound: reports hide at most
# REPORT_HIDES_PER_PRODUCT reviews of one product a day, and never one a moderator kept published
# (`cleared`). A hidden review is gone for the public API, as for its GET: nothing is recorded,
# and the answer does not tell it from a missing one.
# reviews_pkey; the review's row is locked, so that its reports are decided one after the other.
REVIEW_TO_REPORT = """
SELECT product_id, cleared FROM reviews WHERE id = %(review_id)s AND NOT reported
FOR NO KEY UPDATE"""
# review_reports_pkey: a reporter's first report of the review, and only that one, is new.
REPORT_RECORD = """
INSERT INTO review_reports (review_id, reporter, reason, note, created_at)
VALUES (%(review_id)s, %(reporter)s, %(reason)s, %(note)s, now())
ON CONFLICT DO NOTHING RETURNING review_id"""
# One product's hides by reports are decided one at a time (a lock held until the transaction
# ends), so that concurrent reports never pass the bound; reviews_report_hidden_idx counts them.
PRODUCT_HIDES_LOCK = "SELECT pg_advisory_xact_lock(%(lock_class)s, %(product_id)s)"
PRODUCT_HIDES_TODAY = """
SELECT count(*) FROM reviews
 WHERE product_id = %(product_id)s AND hidden_by_reports_at > now() - interval '1 day'"""
REVIEW_HIDE_BY_REPORTS = """
UPDATE reviews SET reported = true, hidden_by_reports_at = now()
 WHERE id = %(review_id)s AND NOT reported"""
REVIEW_QUEUE = """
UPDATE reviews SET awaiting_moderator = true WHERE id = %(review_id)s AND NOT awaiting_moderator"""
# The advisory lock's first key: what it serializes (the second is the product id).
LOCK_CLASS_PRODUCT_HIDES = 1


def review_report_add(
    *,
    review_id: int,
    reporter: str,
    reason: str = ReportReason.UNSPECIFIED.value,
    note: str = "",
) -> Report | None:
    """Record ``reporter``'s report of the review, once; a reporter's later reports change
    nothing and return the first. A new report hides the review while the product's daily bound
    allows and no moderator kept it, and queues it for a moderator otherwise. None when there is
    no such review or it is hidden. (The legacy report is this, without a reason.)"""
    if not positive_int4(review_id):
        return None
    params: dict[str, int | str] = {
        "review_id": review_id,
        "reporter": reporter,
        "reason": reason,
        "note": note,
        "lock_class": LOCK_CLASS_PRODUCT_HIDES,
    }
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(REVIEW_TO_REPORT, params)
        row = cursor.fetchone()
        if row is None:
            return None
        product_id, cleared = row
        params["product_id"] = product_id
        cursor.execute(REPORT_RECORD, params)
        if cursor.fetchone() is None:
            # Already reported by this reporter (the row is seen: the review's lock was taken
            # after that report committed).
            return review_report_get(review_id=review_id, reporter=reporter)
        if not cleared and _product_may_hide(cursor, params):
            cursor.execute(REVIEW_HIDE_BY_REPORTS, params)
            invalidate_on_commit(products=[product_id], reviews=[(review_id, product_id)])
        else:
            cursor.execute(REVIEW_QUEUE, params)
    return Report(reason=reason, note=note, new=True)


def _product_may_hide(cursor, params: dict) -> bool:
    """Whether reports may hide one more of the product's reviews today; holds the product's
    lock until the transaction ends."""
    cursor.execute(PRODUCT_HIDES_LOCK, params)
    cursor.execute(PRODUCT_HIDES_TODAY, params)
    return cursor.fetchone()[0] < settings.REPORT_HIDES_PER_PRODUCT


@dataclass(frozen=True)
class Reply:
    """The store's reply to a review, and when it was written (None: no reply)."""

    response: str | None
    responded_at: datetime | None


def review_respond(*, review_id: int, response: str | None) -> Reply | None:
    """Set (or clear, with None) the store's reply to a review, with its time; None when there is
    no such review. Only the review's answers change (its detail, the list pages that show it)."""
    if not positive_int4(review_id):
        return None
    with transaction.atomic(), connection.cursor() as cursor:  # the reply and the purges it owes
        cursor.execute(REVIEWS_RESPOND, {"review_id": review_id, "response": response})
        row = cursor.fetchone()
        if row is None:
            return None
        invalidate_review_on_commit(reviews=[(review_id, row[0])])
    return Reply(response=response, responded_at=row[1])


# ---------------------------------------------------------------------------------------------
# Moderation: approve, reject, restore, hide and remove many reviews at once, recorded in the
# admin log. Each returns how many reviews it changed; ids that are unknown or already in the
# target state are skipped. With a `moderator`, every changed review gets an admin log entry in
# the same transaction as the write, so the log never claims a change that did not happen.
# ---------------------------------------------------------------------------------------------

# Each touches and logs only the reviews whose state changes. Published by a moderator (approved,
# restored or kept): visible, its reports dismissed, and from then on hidden only by a moderator.
PUBLISH = """
UPDATE reviews SET status = 'published', reported = false, awaiting_moderator = false,
                   cleared = true"""
REVIEWS_APPROVE = f"""{PUBLISH}
 WHERE id = ANY(%s) AND status = 'pending' RETURNING id, product_id"""
REVIEWS_RESTORE = f"""{PUBLISH}
 WHERE id = ANY(%s) AND status <> 'pending' AND (reported OR awaiting_moderator)
RETURNING id, product_id"""
REVIEWS_REJECT = """
UPDATE reviews SET status = 'rejected', reported = true, awaiting_moderator = false
 WHERE id = ANY(%s) AND status <> 'rejected' RETURNING id, product_id"""
REVIEWS_HIDE = """
UPDATE reviews SET reported = true, awaiting_moderator = false
 WHERE id = ANY(%s) AND NOT reported RETURNING id, product_id"""
# Children first, as Django's own cascade does: the ratings' trigger still sees their review.
CHARACTERISTIC_REVIEWS_REMOVE = "DELETE FROM characteristic_reviews WHERE review_id = ANY(%s)"
REVIEWS_PHOTOS_REMOVE = "DELETE FROM reviews_photos WHERE review_id = ANY(%s)"
REVIEW_VOTES_REMOVE = "DELETE FROM review_votes WHERE review_id = ANY(%s)"
REVIEW_REPORTS_REMOVE = "DELETE FROM review_reports WHERE review_id = ANY(%s)"
REVIEWS_REMOVE = "DELETE FROM reviews WHERE id = ANY(%s) RETURNING id, product_id"

MODERATION_APPROVED = "Approved: published; from now on only a moderator hides it."
MODERATION_REJECTED = "Rejected: hidden from the lists and the meta, never published."
MODERATION_RESTORED = (
    "Restored: published, its reports dismissed; from now on only a moderator hides it."
)
MODERATION_HIDDEN = "Reported by a moderator: hidden from the lists and the meta."
MODERATION_REMOVED = "Removed with its photos, characteristic ratings, votes and reports."


def reviews_approve(
    *, review_ids: Collection[int], moderator: AbstractBaseUser | None = None
) -> int:
    """Publish the pending reviews: they are in the product's lists and meta, and from then on
    reports only queue them."""
    return _moderation_apply([REVIEWS_APPROVE], review_ids, moderator, CHANGE, MODERATION_APPROVED)


def reviews_reject(
    *, review_ids: Collection[int], moderator: AbstractBaseUser | None = None
) -> int:
    """Reject the reviews, pending or published: they leave (or never reach) the lists and meta."""
    return _moderation_apply([REVIEWS_REJECT], review_ids, moderator, CHANGE, MODERATION_REJECTED)


def reviews_restore(
    *, review_ids: Collection[int], moderator: AbstractBaseUser | None = None
) -> int:
    """Publish the reviews, hidden, rejected or waiting for a moderator, their reports dismissed:
    they are in the product's lists and meta. Their reports stay (the moderation history); later
    reports only queue them, and only a moderator hides them again. (Pending reviews are
    approved, not restored.)"""
    return _moderation_apply([REVIEWS_RESTORE], review_ids, moderator, CHANGE, MODERATION_RESTORED)


def reviews_hide(*, review_ids: Collection[int], moderator: AbstractBaseUser | None = None) -> int:
    """Hide the reviews as reported, from the moderation side: they leave the lists and meta."""
    return _moderation_apply([REVIEWS_HIDE], review_ids, moderator, CHANGE, MODERATION_HIDDEN)


def reviews_remove(
    *, review_ids: Collection[int], moderator: AbstractBaseUser | None = None
) -> int:
    """Delete the reviews with their photos, characteristic ratings, votes and reports."""
    return _moderation_apply(
        [
            CHARACTERISTIC_REVIEWS_REMOVE,
            REVIEWS_PHOTOS_REMOVE,
            REVIEW_VOTES_REMOVE,
            REVIEW_REPORTS_REMOVE,
            REVIEWS_REMOVE,
        ],
        review_ids,
        moderator,
        DELETION,
        MODERATION_REMOVED,
    )


def _moderation_apply(
    statements: list[str],
    review_ids: Collection[int],
    moderator: AbstractBaseUser | None,
    action_flag: int,
    message: str,
) -> int:
    """Run the statements over the ids in one transaction; the last one returns the changed rows."""
    ids = sorted({int(review_id) for review_id in review_ids})
    if not ids:
        return 0
    with transaction.atomic(), connection.cursor() as cursor:
        for statement in statements:
            cursor.execute(statement, [ids])
        changed = cursor.fetchall()
        invalidate_on_commit(products={product_id for _, product_id in changed}, reviews=changed)
        if moderator is not None and changed:
            LogEntry.objects.log_actions(
                user_id=moderator.pk,
                queryset=[Review(id=id_, product_id=product_id) for id_, product_id in changed],
                action_flag=action_flag,
                change_message=message,
            )
    return len(changed)
