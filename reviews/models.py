"""The reviews data model: the four Atelier CSVs as tables, with the CSV ids as primary keys.

Products live in another service: ``product_id`` is a plain integer, not a foreign key.
Every index is named and serves one query of the API, the admin or the aggregates.
"""

from django.contrib.postgres.fields import ArrayField
from django.contrib.postgres.indexes import GinIndex, HashIndex
from django.contrib.postgres.search import SearchVector, SearchVectorField
from django.db import models
from django.db.models import F, Func, Q, Value

# What the public reads show: `reported` is the legacy name of "hidden", set by reports, by a
# moderator, and for every review not published (reviews_unpublished_hidden). One column decides
# visibility, so the aggregates' triggers, the partial indexes and the fill key on it alone.
VISIBLE = Q(reported=False)
# What the v2 list's `q` searches: summary and body, stemmed as English (the search index).
SEARCH_CONFIG = "english"


class SearchDocument(Func):
    """The text ``q`` searches, as reviews_product_search_idx indexes it, with every constant
    written in the statement: Django's SearchVector binds the configuration and the separators
    as parameters, and a prepared statement's generic plan then no longer matches the index."""

    template = f"to_tsvector('{SEARCH_CONFIG}'::regconfig, COALESCE(%(expressions)s, ''))"
    arg_joiner = ", '') || ' ' || COALESCE("
    output_field = SearchVectorField()

    def __init__(self, **extra):
        super().__init__(F("summary"), F("body"), **extra)


def relevance() -> Func:
    """``review_relevance(helpfulness, date)``: the SQL function (created in migration 0001,
    inlined by 0012) behind the ``relevant`` sort; its formula is in docs/api.md. A plain
    ``Func``, as migration 0001 freezes it, so that the index's expression compares equal."""
    return Func(
        F("helpfulness"), F("date"), function="review_relevance", output_field=models.FloatField()
    )


SHOPPER_PER_PRODUCT = "reviews_one_per_shopper_and_product"


class ReviewStatus(models.TextChoices):
    """A review's moderation state (reviews.moderation): only a published one can be visible."""

    PENDING = "pending", "pending"
    PUBLISHED = "published", "published"
    REJECTED = "rejected", "rejected"


def body_digest() -> Func:
    """``md5(body)``: what reviews_body_digest_idx indexes, so a body posted again is found."""
    return Func(F("body"), function="md5", output_field=models.TextField())


class Review(models.Model):
    id = models.AutoField(primary_key=True)
    product_id = models.IntegerField()
    rating = models.SmallIntegerField()
    date = models.DateTimeField()
    summary = models.TextField(blank=True, default="")
    body = models.TextField()
    recommend = models.BooleanField()
    reported = models.BooleanField(default=False)
    reviewer_name = models.TextField()
    reviewer_email = models.TextField()  # stored for moderation, never exposed by the API
    # NULL, not "", when there is none: the API answers `null` and the CSV says a bare `null`.
    response = models.TextField(null=True, blank=True)  # noqa: DJ001
    responded_at = models.DateTimeField(null=True, blank=True)  # when the store last replied
    helpfulness = models.IntegerField(default=0)
    # Reports (reviews.services.review_report_add): when reports hid the review (a product's
    # reviews hidden so in the last day are bounded), whether a report waits for a moderator, and
    # whether a moderator kept it published (then only a moderator hides it again).
    hidden_by_reports_at = models.DateTimeField(null=True, blank=True)
    awaiting_moderator = models.BooleanField(default=False, db_default=False)
    cleared = models.BooleanField(default=False, db_default=False)
    # The signed shopper who posted it (reviews.shoppers: a keyed hash of the store's id), if any,
    # and whether the shopper's token listed the product among their purchases.
    shopper = models.TextField(null=True, blank=True)  # noqa: DJ001
    verified_purchase = models.BooleanField(default=False, db_default=False)
    # The moderation state, and why the screen held it for a moderator (reviews.screening).
    status = models.TextField(
        choices=ReviewStatus.choices,
        default=ReviewStatus.PUBLISHED,
        db_default=ReviewStatus.PUBLISHED,
    )
    screen_reasons = ArrayField(
        models.TextField(), default=list, db_default=Value([], ArrayField(models.TextField()))
    )

    class Meta:
        db_table = "reviews"
        constraints = [
            models.CheckConstraint(
                condition=Q(rating__gte=1, rating__lte=5), name="reviews_rating_range"
            ),
            models.CheckConstraint(
                condition=Q(helpfulness__gte=0), name="reviews_helpfulness_gte_0"
            ),
            models.CheckConstraint(
                condition=Q(status__in=ReviewStatus.values), name="reviews_status_valid"
            ),
            # A review that is not published is hidden from every public read and aggregate.
            models.CheckConstraint(
                condition=Q(status=ReviewStatus.PUBLISHED) | Q(reported=True),
                name="reviews_unpublished_hidden",
            ),
            # A signed shopper reviews a product once.
            models.UniqueConstraint(
                fields=["product_id", "shopper"],
                condition=Q(shopper__isnull=False),
                name=SHOPPER_PER_PRODUCT,
            ),
        ]
        indexes = [
            # GET /reviews?sort=newest: a product's visible reviews, newest first.
            models.Index(
                F("product_id"),
                F("date").desc(),
                F("id").desc(),
                name="reviews_product_newest_idx",
                condition=VISIBLE,
            ),
            # GET /reviews?sort=helpful: most helpful first, then newest.
            models.Index(
                F("product_id"),
                F("helpfulness").desc(),
                F("date").desc(),
                F("id").desc(),
                name="reviews_product_helpful_idx",
                condition=VISIBLE,
            ),
            # GET /reviews?sort=relevant (the default): review_relevance() descending.
            models.Index(
                F("product_id"),
                relevance().desc(),
                F("id").desc(),
                name="reviews_product_relevant_idx",
                condition=VISIBLE,
            ),
            # GET /v2/.../reviews?sort=rating_high, and any sort=newest filtered by one rating.
            models.Index(
                F("product_id"),
                F("rating").desc(),
                F("date").desc(),
                F("id").desc(),
                name="reviews_product_rating_idx",
                condition=VISIBLE,
            ),
            # GET /v2/.../reviews?sort=rating_low: lowest rating first, newest first within one.
            # The key is -rating so that every column runs one way and a cursor is one row
            # comparison, ((-rating), date, id) < (...), which the index scan starts from.
            models.Index(
                F("product_id"),
                (-F("rating")).desc(),
                F("date").desc(),
                F("id").desc(),
                name="reviews_product_rating_low_idx",
                condition=VISIBLE,
            ),
            # GET /v2/.../reviews?q=: a product's visible reviews matching a full-text query. GIN
            # over both (btree_gin for product_id): the product's short posting list drives the
            # scan past the long ones of common words.
            GinIndex(
                F("product_id"),
                SearchVector("summary", "body", config=SEARCH_CONFIG),
                name="reviews_product_search_idx",
                condition=VISIBLE,
            ),
            # Admin moderation queue: reported reviews, newest first (a small partial index).
            models.Index(
                F("date").desc(),
                F("id").desc(),
                name="reviews_reported_queue_idx",
                condition=Q(reported=True),
            ),
            # GET /v2/.../reviews?verified=true: a product's visible verified purchases, newest
            # first (the other sorts sort these few rows); the summary's verified count.
            models.Index(
                F("product_id"),
                F("date").desc(),
                F("id").desc(),
                name="reviews_product_verified_idx",
                condition=Q(VISIBLE, verified_purchase=True),
            ),
            # Admin queue of reviews waiting for a moderator's approval, newest first.
            models.Index(
                F("date").desc(),
                F("id").desc(),
                name="reviews_pending_queue_idx",
                condition=Q(status=ReviewStatus.PENDING),
            ),
            # The screen: the same body posted again, on any product (a hash index: small, and
            # equality is all it answers).
            HashIndex(body_digest(), name="reviews_body_digest_idx"),
            # Admin search by exact reviewer name.
            models.Index(fields=["reviewer_name"], name="reviews_reviewer_name_idx"),
            # Admin search by product among reported reviews (visible ones use the sort indexes).
            models.Index(
                fields=["product_id"],
                name="reviews_reported_product_idx",
                condition=Q(reported=True),
            ),
            # A product's reviews that reports hid, by when: the daily bound on such hides.
            models.Index(
                fields=["product_id", "hidden_by_reports_at"],
                name="reviews_report_hidden_idx",
                condition=Q(hidden_by_reports_at__isnull=False),
            ),
            # Admin queue of reported reviews still published, waiting for a moderator.
            models.Index(
                F("date").desc(),
                F("id").desc(),
                name="reviews_awaiting_queue_idx",
                condition=Q(awaiting_moderator=True),
            ),
            # Admin queues of hidden reviews (reported, rejected) filtered by rating / recommend:
            # the bounded count, index-only.
            models.Index(
                fields=["rating", "recommend", "status"],
                name="reviews_reported_filters_idx",
                condition=Q(reported=True),
            ),
        ]

    def __str__(self) -> str:
        return f"Review {self.id} of product {self.product_id}"


class ReviewPhoto(models.Model):
    id = models.AutoField(primary_key=True)
    review = models.ForeignKey(
        Review, on_delete=models.CASCADE, related_name="photos", db_index=False
    )
    url = models.TextField()

    class Meta:
        db_table = "reviews_photos"
        indexes = [
            # A review's photos, ordered by photo id (list endpoint, admin inline, cascade delete).
            models.Index(fields=["review", "id"], name="reviews_photos_review_idx"),
        ]

    def __str__(self) -> str:
        return self.url


class Characteristic(models.Model):
    id = models.AutoField(primary_key=True)
    product_id = models.IntegerField()
    name = models.TextField()

    class Meta:
        db_table = "characteristics"
        indexes = [
            # A product's characteristics (meta endpoint, POST validation).
            models.Index(fields=["product_id", "id"], name="characteristics_product_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.name} ({self.id}) of product {self.product_id}"


class CharacteristicReview(models.Model):
    id = models.AutoField(primary_key=True)
    characteristic = models.ForeignKey(
        Characteristic, on_delete=models.CASCADE, related_name="ratings", db_index=False
    )
    review = models.ForeignKey(
        Review, on_delete=models.CASCADE, related_name="characteristic_ratings", db_index=False
    )
    value = models.SmallIntegerField()

    class Meta:
        db_table = "characteristic_reviews"
        constraints = [
            models.CheckConstraint(
                condition=Q(value__gte=1, value__lte=5), name="characteristic_reviews_value_range"
            ),
        ]
        indexes = [
            # A characteristic's ratings (aggregate rebuild); value included for index-only scans.
            models.Index(fields=["characteristic", "value"], name="char_reviews_char_value_idx"),
            # A review's ratings (aggregate triggers, cascade delete, admin inline).
            models.Index(fields=["review"], name="char_reviews_review_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.value} for characteristic {self.characteristic_id}"


PRODUCT_META_VERSION_SEQUENCE = "product_meta_version_seq"


class ProductMeta(models.Model):
    """One product's rating histogram and recommend counts over its visible (not reported) reviews.

    Kept exact by the triggers of migration 0002 in the same transaction as every write to
    ``reviews``; no row means no visible review. Rebuilt and checked by ``reviews.meta.rebuild``.
    """

    product_id = models.IntegerField(primary_key=True)
    rating_1 = models.IntegerField(default=0)
    rating_2 = models.IntegerField(default=0)
    rating_3 = models.IntegerField(default=0)
    rating_4 = models.IntegerField(default=0)
    rating_5 = models.IntegerField(default=0)
    recommend_false = models.IntegerField(default=0)
    recommend_true = models.IntegerField(default=0)
    # Changes whenever the product's aggregates do (this row or its characteristics' rows): a
    # new value of one sequence at every change, so it only grows (migration 0010).
    version = models.BigIntegerField(
        db_default=Func(Value(PRODUCT_META_VERSION_SEQUENCE), function="nextval"), editable=False
    )

    class Meta:
        db_table = "product_meta"
        verbose_name = "product meta"
        verbose_name_plural = "product meta"

    def __str__(self) -> str:
        return f"Meta of product {self.product_id}"


class CharacteristicMeta(models.Model):
    """One characteristic's distribution of 1..5 ratings over visible reviews, with their count and
    sum (generated columns) for the average the meta endpoint shows.

    Kept exact by the triggers of migration 0002 on ``reviews`` and ``characteristic_reviews``;
    no row means no rating yet. No foreign key: loads and deletes of characteristics never wait
    on it, and a characteristic's leftover row of zeros means the same as no row.
    """

    characteristic = models.OneToOneField(
        Characteristic,
        primary_key=True,
        on_delete=models.DO_NOTHING,
        db_constraint=False,
        related_name="meta",
    )
    value_1 = models.IntegerField(default=0)
    value_2 = models.IntegerField(default=0)
    value_3 = models.IntegerField(default=0)
    value_4 = models.IntegerField(default=0)
    value_5 = models.IntegerField(default=0)
    rating_count = models.GeneratedField(
        expression=F("value_1") + F("value_2") + F("value_3") + F("value_4") + F("value_5"),
        output_field=models.IntegerField(),
        db_persist=True,
    )
    rating_sum = models.GeneratedField(
        expression=F("value_1")
        + 2 * F("value_2")
        + 3 * F("value_3")
        + 4 * F("value_4")
        + 5 * F("value_5"),
        output_field=models.IntegerField(),
        db_persist=True,
    )

    class Meta:
        db_table = "characteristic_meta"
        verbose_name = "characteristic meta"
        verbose_name_plural = "characteristic meta"

    def __str__(self) -> str:
        return f"Meta of characteristic {self.characteristic_id}"


# The filters of API v2 whose sets the cells below partition a product's visible reviews by.
CELL_DIMENSIONS = ("rating", "recommend", "with_photos")


class ProductMetaCell(models.Model):
    """How many of a product's visible reviews have one rating, one recommend and one photos
    state (``with_photos``: the review has a row in ``reviews_photos``).

    The cells of a product add up to its ``product_meta`` row; API v2 sums the cells a filter on
    rating, recommend and photos selects. Kept exact by the triggers of migration 0013, like the
    meta aggregates; no row, or a row of zero, means no such review.
    """

    pk = models.CompositePrimaryKey("product_id", *CELL_DIMENSIONS)
    product_id = models.IntegerField()
    rating = models.SmallIntegerField()
    recommend = models.BooleanField()
    with_photos = models.BooleanField()
    review_count = models.IntegerField(default=0)

    class Meta:
        db_table = "product_meta_cells"

    def __str__(self) -> str:
        return (
            f"Cell of product {self.product_id}:"
            f" {self.rating}, {self.recommend}, {self.with_photos}"
        )


class CharacteristicMetaCell(models.Model):
    """One characteristic's distribution of 1..5 ratings over the visible reviews with one rating,
    one recommend and one photos state: ``characteristic_meta`` split like ``ProductMetaCell``."""

    pk = models.CompositePrimaryKey("characteristic_id", *CELL_DIMENSIONS)
    # No foreign key, as for characteristic_meta: a characteristic's leftover zeros mean no row.
    characteristic = models.ForeignKey(
        Characteristic,
        on_delete=models.DO_NOTHING,
        db_constraint=False,
        db_index=False,
        related_name="meta_cells",
    )
    rating = models.SmallIntegerField()
    recommend = models.BooleanField()
    with_photos = models.BooleanField()
    value_1 = models.IntegerField(default=0)
    value_2 = models.IntegerField(default=0)
    value_3 = models.IntegerField(default=0)
    value_4 = models.IntegerField(default=0)
    value_5 = models.IntegerField(default=0)

    class Meta:
        db_table = "characteristic_meta_cells"

    def __str__(self) -> str:
        return (
            f"Cell of characteristic {self.characteristic_id}:"
            f" {self.rating}, {self.recommend}, {self.with_photos}"
        )


class IdempotencyKey(models.Model):
    """A write made with an ``Idempotency-Key`` header and the answer it got, so that a retry with
    the same key and request gets the same answer instead of a second write. Committed in the same
    transaction as the write; kept at least 24 hours (``manage.py idempotency_expire``)."""

    # The client's voter hash and the key as sent (reviews.idempotency.scoped_key): a key is the
    # client's own, never another client's answer.
    key = models.TextField(primary_key=True)
    # sha256 of the method, the path and the parsed body: the same key with another request is 422.
    fingerprint = models.TextField()
    status = models.SmallIntegerField()
    location = models.TextField(null=True)  # noqa: DJ001 (no Location: NULL)
    body = models.TextField(null=True)  # noqa: DJ001 (the answer's JSON as sent; none: NULL)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        db_table = "idempotency_keys"
        indexes = [
            # idempotency_expire: the keys older than the retention, oldest first.
            models.Index(fields=["created_at"], name="idempotency_keys_created_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.key} -> {self.status} {self.location or ''}".rstrip()


class ReviewVote(models.Model):
    """One voter's helpful vote on one review: a vote counts once per voter.

    ``voter`` is a keyed hash (``reviews.voters``), never an address or a token as sent. The
    legacy ``PUT .../helpful`` votes as the client's address; ``helpfulness`` on the review stays
    the count the API shows (loaded counts came without their voters).
    """

    pk = models.CompositePrimaryKey("review_id", "voter")
    # The primary key's first column serves the foreign key: no index of its own.
    review = models.ForeignKey(
        Review, on_delete=models.CASCADE, related_name="votes", db_index=False
    )
    voter = models.TextField()
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        db_table = "review_votes"

    def __str__(self) -> str:
        return f"Vote of {self.voter} on review {self.review_id}"


class ReportReason(models.TextChoices):
    """Why a review was reported."""

    SPAM = "spam", "spam"
    OFFENSIVE = "offensive", "offensive"
    OFF_TOPIC = "off_topic", "off-topic"
    FAKE = "fake", "fake"
    OTHER = "other", "other"
    # The legacy PUT .../report says no reason; the v2 API never takes this one.
    UNSPECIFIED = "unspecified", "unspecified"


class ReviewReport(models.Model):
    """One reporter's report of one review, with its reason: a review is reported once per reporter.

    ``reporter`` is a keyed hash like a vote's voter (``reviews.voters``): the v2 API's voter token
    or, without one, the client's address. The first report hides the review; a restore keeps the
    reports (the review's history) and a removal deletes them with the review.
    """

    pk = models.CompositePrimaryKey("review_id", "reporter")
    # The primary key's first column serves the foreign key, a review's reports in the admin and
    # their removal: no index of its own.
    review = models.ForeignKey(
        Review, on_delete=models.CASCADE, related_name="reports", db_index=False
    )
    reporter = models.TextField()
    reason = models.TextField(choices=ReportReason.choices)
    note = models.TextField(blank=True, default="")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        db_table = "review_reports"
        constraints = [
            models.CheckConstraint(
                condition=Q(reason__in=ReportReason.values),
                name="review_reports_reason_valid",
            ),
        ]

    def __str__(self) -> str:
        return f"Report of review {self.review_id} ({self.reason})"
