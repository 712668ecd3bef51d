"""Writes to reviews: each service owns its transaction and changes rows set-wise.

The per-product aggregates follow every statement here through the database's own triggers.
"""

from collections.abc import Collection

from django.contrib.admin.models import CHANGE, DELETION, LogEntry
from django.contrib.auth.models import AbstractBaseUser
from django.db import connection, transaction

from reviews.models import Review

# ---------------------------------------------------------------------------------------------
# Moderation: restore, remove and report many reviews at once, recorded in the admin log.
# Each returns how many reviews it changed; ids that are unknown or already in the target state
# are skipped. With a `moderator`, every changed review gets an admin log entry in the same
# transaction as the write, so the log never claims a change that did not happen.
# ---------------------------------------------------------------------------------------------

# `AND reported` / `AND NOT reported`: only reviews that change state are touched and logged.
REVIEWS_RESTORE = (
    "UPDATE reviews SET reported = false WHERE id = ANY(%s) AND reported RETURNING id, product_id"
)
REVIEWS_REPORT = (
    "UPDATE reviews SET reported = true WHERE id = ANY(%s) AND NOT reported"
    " RETURNING id, product_id"
)
# Children first, as Django's own cascade does: the ratings' trigger still sees their review.
CHARACTERISTIC_REVIEWS_REMOVE = "DELETE FROM characteristic_reviews WHERE review_id = ANY(%s)"
REVIEWS_PHOTOS_REMOVE = "DELETE FROM reviews_photos WHERE review_id = ANY(%s)"
REVIEWS_REMOVE = "DELETE FROM reviews WHERE id = ANY(%s) RETURNING id, product_id"

MODERATION_RESTORED = "Restored: no longer reported, back in the lists and the meta."
MODERATION_REPORTED = "Reported by a moderator: hidden from the lists and the meta."
MODERATION_REMOVED = "Removed with its photos and characteristic ratings."


def reviews_restore(
    *, review_ids: Collection[int], moderator: AbstractBaseUser | None = None
) -> int:
    """Un-report the reviews: they return to the product's lists and meta."""
    return _moderation_apply([REVIEWS_RESTORE], review_ids, moderator, CHANGE, MODERATION_RESTORED)


def reviews_report(
    *, review_ids: Collection[int], moderator: AbstractBaseUser | None = None
) -> int:
    """Report the reviews from the moderation side: they leave the lists and meta."""
    return _moderation_apply([REVIEWS_REPORT], review_ids, moderator, CHANGE, MODERATION_REPORTED)


def reviews_remove(
    *, review_ids: Collection[int], moderator: AbstractBaseUser | None = None
) -> int:
    """Delete the reviews with their photos and characteristic ratings."""
    return _moderation_apply(
        [CHARACTERISTIC_REVIEWS_REMOVE, REVIEWS_PHOTOS_REMOVE, REVIEWS_REMOVE],
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
        if moderator is not None and changed:
            LogEntry.objects.log_actions(
                user_id=moderator.pk,
                queryset=[Review(id=id_, product_id=product_id) for id_, product_id in changed],
                action_flag=action_flag,
                change_message=message,
            )
    return len(changed)
