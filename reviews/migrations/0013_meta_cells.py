"""The meta aggregates split by rating, recommend and photos ("cells"), so that API v2 counts a
set filtered on those from a few rows: its total, and its summary with every characteristic's
distribution (``reviews.v2.selectors``).

``product_meta_cells`` holds, per product and (rating, recommend, with_photos), how many visible
reviews there are; ``characteristic_meta_cells``, per characteristic and the same three, the
distribution of its ratings. A review is ``with_photos`` while ``reviews_photos`` has a row for it.

The invariant and the triggers are those of migration 0002, whose frozen generators they use
(``_meta_sql``), extended: after every statement each table equals its ``_fresh`` view (rows of
zeros count as absent).
The triggers are named ``<table>_meta_<event>_cells``: triggers of one event fire in name order,
so each runs after the 0002 trigger of its statement and before the version triggers of 0010.
Photos move a review between cells: the ``reviews_photos`` triggers find the reviews whose first
photo came or whose last one went, and give their products a new version (their filtered
statistics changed while the unfiltered ones did not).

Lock order, extending 0002's: reviews rows, product_meta rows, characteristic_meta rows,
product_meta_cells rows, characteristic_meta_cells rows (each in key order). Every trigger first
takes ROW EXCLUSIVE on all four aggregate tables, in that order.
"""

import django.db.models.deletion
from django.db import migrations, models

import reviews.migrations._meta_sql as aggregates

CELL = ("rating", "recommend", "with_photos")
PRODUCT_CELL_KEY = ("product_id", *CELL)
CHARACTERISTIC_CELL_KEY = ("characteristic_id", *CELL)
CELLS_WRITE_LOCK = (
    "LOCK TABLE product_meta, characteristic_meta, product_meta_cells, characteristic_meta_cells"
    " IN ROW EXCLUSIVE MODE;"
)
# Whether review r has a photo now. A statement on reviews or characteristic_reviews leaves the
# photos as they were, so for those it is also whether r had one before.
WITH_PHOTOS = "EXISTS (SELECT FROM reviews_photos p WHERE p.review_id = r.id)"
SUFFIX = "_cells"


def product_cells_delta(signed: str) -> str:
    return aggregates.delta_upsert(
        "product_meta_cells", PRODUCT_CELL_KEY, {"review_count": "true"}, signed
    )


def characteristic_cells_delta(signed: str) -> str:
    return aggregates.delta_upsert(
        "characteristic_meta_cells",
        CHARACTERISTIC_CELL_KEY,
        aggregates.CHARACTERISTIC_META_COLUMNS,
        signed,
    )


# Signed rows as in 0002, with the cell each falls in.
def counted_reviews(rows: str, sign: int) -> str:
    return (
        f"SELECT r.product_id, r.rating, r.recommend, {WITH_PHOTOS} AS with_photos,"
        f" {sign} AS sign FROM {rows} r WHERE NOT r.reported"
    )


def counted_ratings_of_reviews(rows: str, sign: int) -> str:
    return (
        f"SELECT c.characteristic_id, r.rating, r.recommend, {WITH_PHOTOS} AS with_photos,"
        f" c.value, {sign} AS sign FROM {rows} r"
        " JOIN characteristic_reviews c ON c.review_id = r.id WHERE NOT r.reported"
    )


def counted_ratings(rows: str, sign: int) -> str:
    return (
        f"SELECT c.characteristic_id, r.rating, r.recommend, {WITH_PHOTOS} AS with_photos,"
        f" c.value, {sign} AS sign FROM {rows} c"
        " JOIN reviews r ON r.id = c.review_id WHERE NOT r.reported"
    )


def cells_trigger(table: str, event: str, transitions: str, *statements: str) -> str:
    return aggregates.trigger_function(table, event, transitions, *statements, suffix=SUFFIX)


# A review's ratings change cells when its rating, recommend or visibility does.
REVIEWS_CELL_CHANGED_OLD = aggregates.rows_changed(
    "old_rows", "new_rows", ("rating", "recommend", "reported")
)
REVIEWS_CELL_CHANGED_NEW = aggregates.rows_changed(
    "new_rows", "old_rows", ("rating", "recommend", "reported")
)

REVIEWS_CELLS_INSERT = cells_trigger(
    "reviews",
    "INSERT",
    "NEW TABLE AS new_rows",
    CELLS_WRITE_LOCK,
    product_cells_delta(counted_reviews("new_rows", 1)),
    characteristic_cells_delta(counted_ratings_of_reviews("new_rows", 1)),
)
REVIEWS_CELLS_DELETE = cells_trigger(
    "reviews",
    "DELETE",
    "OLD TABLE AS old_rows",
    CELLS_WRITE_LOCK,
    product_cells_delta(counted_reviews("old_rows", -1)),
    characteristic_cells_delta(counted_ratings_of_reviews("old_rows", -1)),
)
REVIEWS_CELLS_UPDATE = cells_trigger(
    "reviews",
    "UPDATE",
    "OLD TABLE AS old_rows NEW TABLE AS new_rows",
    f"IF NOT EXISTS {aggregates.REVIEWS_CHANGED_NEW}"
    f" AND NOT EXISTS {aggregates.REVIEWS_CHANGED_OLD} THEN\n    RETURN NULL;\nEND IF;",
    CELLS_WRITE_LOCK,
    product_cells_delta(
        f"{counted_reviews(aggregates.REVIEWS_CHANGED_OLD, -1)}\nUNION ALL\n"
        f"{counted_reviews(aggregates.REVIEWS_CHANGED_NEW, 1)}"
    ),
    characteristic_cells_delta(
        f"{counted_ratings_of_reviews(REVIEWS_CELL_CHANGED_OLD, -1)}\nUNION ALL\n"
        f"{counted_ratings_of_reviews(REVIEWS_CELL_CHANGED_NEW, 1)}"
    ),
)
# The 0002 trigger of the same statement has locked the ratings' reviews and products.
RATINGS_CELLS_INSERT = cells_trigger(
    "characteristic_reviews",
    "INSERT",
    "NEW TABLE AS new_rows",
    CELLS_WRITE_LOCK,
    characteristic_cells_delta(counted_ratings("new_rows", 1)),
)
RATINGS_CELLS_DELETE = cells_trigger(
    "characteristic_reviews",
    "DELETE",
    "OLD TABLE AS old_rows",
    CELLS_WRITE_LOCK,
    characteristic_cells_delta(counted_ratings("old_rows", -1)),
)
RATINGS_CELLS_UPDATE = cells_trigger(
    "characteristic_reviews",
    "UPDATE",
    "OLD TABLE AS old_rows NEW TABLE AS new_rows",
    f"IF NOT EXISTS {aggregates.RATINGS_CHANGED_NEW}"
    f" AND NOT EXISTS {aggregates.RATINGS_CHANGED_OLD} THEN\n    RETURN NULL;\nEND IF;",
    CELLS_WRITE_LOCK,
    characteristic_cells_delta(
        f"{counted_ratings(aggregates.RATINGS_CHANGED_OLD, -1)}\nUNION ALL\n"
        f"{counted_ratings(aggregates.RATINGS_CHANGED_NEW, 1)}"
    ),
)


def photos_trigger(event: str) -> str:
    """After a statement on reviews_photos: the counted reviews whose photos state it changed move
    from one cell to the other, with their ratings, and their products get a new version.

    The photos before the statement are those now, less the rows it inserted (``new_rows``),
    plus those it deleted (``old_rows``); an UPDATE has both."""
    transitions = {
        "INSERT": ["NEW TABLE AS new_rows"],
        "DELETE": ["OLD TABLE AS old_rows"],
        "UPDATE": ["OLD TABLE AS old_rows", "NEW TABLE AS new_rows"],
    }[event]
    tables = [t.split()[-1] for t in transitions]
    touched = " UNION ".join(f"SELECT review_id FROM {rows}" for rows in tables)
    kept = (
        "NOT EXISTS (SELECT FROM new_rows n WHERE n.id = p.id)" if "new_rows" in tables else "true"
    )
    had = f"EXISTS (SELECT FROM reviews_photos p WHERE p.review_id = r.id AND {kept})"
    if "old_rows" in tables:
        had += " OR EXISTS (SELECT FROM old_rows o WHERE o.review_id = r.id)"
    moved = (
        f"(SELECT * FROM (SELECT r.id, r.product_id, r.rating, r.recommend, ({had}) AS had,"
        f" {WITH_PHOTOS} AS has FROM reviews r WHERE r.id IN ({touched}) AND NOT r.reported) m"
        " WHERE m.had <> m.has)"
    )
    signed_reviews = (
        f"SELECT m.product_id, m.rating, m.recommend, m.had AS with_photos, -1 AS sign FROM {moved} m"
        "\nUNION ALL\n"
        f"SELECT m.product_id, m.rating, m.recommend, m.has AS with_photos, 1 AS sign FROM {moved} m"
    )
    signed_ratings = "\nUNION ALL\n".join(
        f"SELECT c.characteristic_id, m.rating, m.recommend, m.{state} AS with_photos, c.value,"
        f" {sign} AS sign FROM {moved} m JOIN characteristic_reviews c ON c.review_id = m.id"
        for state, sign in (("had", -1), ("has", 1))
    )
    return cells_trigger(
        "reviews_photos",
        event,
        " ".join(transitions),
        CELLS_WRITE_LOCK,
        f"PERFORM FROM reviews WHERE id IN ({touched}) ORDER BY id FOR NO KEY UPDATE;",
        f"IF NOT EXISTS {moved} THEN\n    RETURN NULL;\nEND IF;",
        f"PERFORM FROM product_meta WHERE product_id IN (SELECT m.product_id FROM {moved} m)"
        " ORDER BY product_id FOR NO KEY UPDATE;",
        f"UPDATE product_meta SET version = version"
        f" WHERE product_id IN (SELECT m.product_id FROM {moved} m);",
        product_cells_delta(signed_reviews),
        characteristic_cells_delta(signed_ratings),
    )


def truncate_trigger(table: str, *statements: str) -> str:
    name = f"{table}_meta_truncate{SUFFIX}"
    body = "\n".join(statements)
    return f"""
CREATE FUNCTION {name}() RETURNS trigger LANGUAGE plpgsql AS $function$
BEGIN
{body}
RETURN NULL;
END
$function$;
CREATE TRIGGER {name} AFTER TRUNCATE ON {table}
FOR EACH STATEMENT EXECUTE FUNCTION {name}();
"""


def truncate_drop(table: str) -> str:
    name = f"{table}_meta_truncate{SUFFIX}"
    return f"DROP TRIGGER {name} ON {table}; DROP FUNCTION {name}();"


def photos_forget(table: str, key: str, counts: tuple[str, ...]) -> str:
    """Add every with-photos cell of ``table`` to its without-photos twin, and delete it."""
    columns = ", ".join(counts)
    updates = ", ".join(f"{name} = m.{name} + excluded.{name}" for name in counts)
    return f"""
INSERT INTO {table} AS m ({key}, rating, recommend, with_photos, {columns})
SELECT {key}, rating, recommend, false, {columns} FROM {table} WHERE with_photos
ORDER BY {key}, rating, recommend
ON CONFLICT ({key}, rating, recommend, with_photos) DO UPDATE SET {updates};
DELETE FROM {table} WHERE with_photos;"""


# As in 0002: DELETE, not TRUNCATE, of what depends on the emptied table.
REVIEWS_CELLS_TRUNCATE = truncate_trigger(
    "reviews", "DELETE FROM product_meta_cells;", "DELETE FROM characteristic_meta_cells;"
)
RATINGS_CELLS_TRUNCATE = truncate_trigger(
    "characteristic_reviews", "DELETE FROM characteristic_meta_cells;"
)
PHOTOS_CELLS_TRUNCATE = truncate_trigger(
    "reviews_photos",
    CELLS_WRITE_LOCK,
    "UPDATE product_meta SET version = version WHERE product_id IN ("
    "SELECT product_id FROM product_meta_cells WHERE with_photos AND review_count <> 0);",
    photos_forget("product_meta_cells", "product_id", ("review_count",)),
    photos_forget(
        "characteristic_meta_cells",
        "characteristic_id",
        tuple(aggregates.CHARACTERISTIC_META_COLUMNS),
    ),
)

PRODUCT_META_CELLS_FRESH = f"""
CREATE VIEW product_meta_cells_fresh AS
SELECT r.product_id, r.rating, r.recommend, {WITH_PHOTOS} AS with_photos,
       count(*)::integer AS review_count
FROM reviews r
WHERE NOT r.reported
GROUP BY 1, 2, 3, 4
"""
CHARACTERISTIC_META_CELLS_FRESH = f"""
CREATE VIEW characteristic_meta_cells_fresh AS
SELECT c.characteristic_id, r.rating, r.recommend, {WITH_PHOTOS} AS with_photos,
       count(*) FILTER (WHERE c.value = 1)::integer AS value_1,
       count(*) FILTER (WHERE c.value = 2)::integer AS value_2,
       count(*) FILTER (WHERE c.value = 3)::integer AS value_3,
       count(*) FILTER (WHERE c.value = 4)::integer AS value_4,
       count(*) FILTER (WHERE c.value = 5)::integer AS value_5
FROM characteristic_reviews c
JOIN reviews r ON r.id = c.review_id
WHERE NOT r.reported
GROUP BY 1, 2, 3, 4
"""
LOCK_BASE_TABLES = "LOCK TABLE reviews, characteristic_reviews, reviews_photos IN SHARE MODE"
PRODUCT_CELLS_COLUMNS = "product_id, rating, recommend, with_photos, review_count"
CHARACTERISTIC_CELLS_COLUMNS = (
    "characteristic_id, rating, recommend, with_photos, value_1, value_2, value_3, value_4, value_5"
)
CELLS_FILL = f"""
INSERT INTO product_meta_cells ({PRODUCT_CELLS_COLUMNS})
SELECT {PRODUCT_CELLS_COLUMNS} FROM product_meta_cells_fresh;
INSERT INTO characteristic_meta_cells ({CHARACTERISTIC_CELLS_COLUMNS})
SELECT {CHARACTERISTIC_CELLS_COLUMNS} FROM characteristic_meta_cells_fresh;
"""


class Migration(migrations.Migration):
    dependencies = [
        ("reviews", "0012_review_relevance_inlined"),
    ]

    operations = [
        migrations.CreateModel(
            name="ProductMetaCell",
            fields=[
                (
                    "pk",
                    models.CompositePrimaryKey(
                        "product_id",
                        "rating",
                        "recommend",
                        "with_photos",
                        blank=True,
                        editable=False,
                        primary_key=True,
                        serialize=False,
                    ),
                ),
                ("product_id", models.IntegerField()),
                ("rating", models.SmallIntegerField()),
                ("recommend", models.BooleanField()),
                ("with_photos", models.BooleanField()),
                ("review_count", models.IntegerField(default=0)),
            ],
            options={
                "db_table": "product_meta_cells",
            },
        ),
        migrations.CreateModel(
            name="CharacteristicMetaCell",
            fields=[
                (
                    "pk",
                    models.CompositePrimaryKey(
                        "characteristic_id",
                        "rating",
                        "recommend",
                        "with_photos",
                        blank=True,
                        editable=False,
                        primary_key=True,
                        serialize=False,
                    ),
                ),
                ("rating", models.SmallIntegerField()),
                ("recommend", models.BooleanField()),
                ("with_photos", models.BooleanField()),
                ("value_1", models.IntegerField(default=0)),
                ("value_2", models.IntegerField(default=0)),
                ("value_3", models.IntegerField(default=0)),
                ("value_4", models.IntegerField(default=0)),
                ("value_5", models.IntegerField(default=0)),
                (
                    "characteristic",
                    models.ForeignKey(
                        db_constraint=False,
                        db_index=False,
                        on_delete=django.db.models.deletion.DO_NOTHING,
                        related_name="meta_cells",
                        to="reviews.characteristic",
                    ),
                ),
            ],
            options={
                "db_table": "characteristic_meta_cells",
            },
        ),
        migrations.RunSQL(
            PRODUCT_META_CELLS_FRESH, reverse_sql="DROP VIEW product_meta_cells_fresh"
        ),
        migrations.RunSQL(
            CHARACTERISTIC_META_CELLS_FRESH, reverse_sql="DROP VIEW characteristic_meta_cells_fresh"
        ),
        migrations.RunSQL(LOCK_BASE_TABLES, reverse_sql=migrations.RunSQL.noop),
        *(
            migrations.RunSQL(create, reverse_sql=aggregates.trigger_drop(table, event, SUFFIX))
            for table, event, create in (
                ("reviews", "INSERT", REVIEWS_CELLS_INSERT),
                ("reviews", "UPDATE", REVIEWS_CELLS_UPDATE),
                ("reviews", "DELETE", REVIEWS_CELLS_DELETE),
                ("characteristic_reviews", "INSERT", RATINGS_CELLS_INSERT),
                ("characteristic_reviews", "UPDATE", RATINGS_CELLS_UPDATE),
                ("characteristic_reviews", "DELETE", RATINGS_CELLS_DELETE),
                *(
                    ("reviews_photos", event, photos_trigger(event))
                    for event in ("INSERT", "UPDATE", "DELETE")
                ),
            )
        ),
        migrations.RunSQL(REVIEWS_CELLS_TRUNCATE, reverse_sql=truncate_drop("reviews")),
        migrations.RunSQL(
            RATINGS_CELLS_TRUNCATE, reverse_sql=truncate_drop("characteristic_reviews")
        ),
        migrations.RunSQL(PHOTOS_CELLS_TRUNCATE, reverse_sql=truncate_drop("reviews_photos")),
        migrations.RunSQL(CELLS_FILL, reverse_sql=migrations.RunSQL.noop),
    ]
