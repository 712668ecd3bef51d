"""Frozen: the SQL generators of the meta aggregates' triggers, as migrations 0002 and 0013 ran
them. Never edit this module (``manage.py sqlmigrate`` must print the same thing next year, and
reviews/tests/test_migrations.py checks it does): a later migration that needs other SQL writes it
in itself, or in a frozen module of its own."""

PRODUCT_META_COLUMNS = {
    "rating_1": "d.rating = 1",
    "rating_2": "d.rating = 2",
    "rating_3": "d.rating = 3",
    "rating_4": "d.rating = 4",
    "rating_5": "d.rating = 5",
    "recommend_false": "NOT d.recommend",
    "recommend_true": "d.recommend",
}
CHARACTERISTIC_META_COLUMNS = {f"value_{n}": f"d.value = {n}" for n in range(1, 6)}

AGGREGATES_WRITE_LOCK = "LOCK TABLE product_meta, characteristic_meta IN ROW EXCLUSIVE MODE;"


def delta_upsert(
    table: str, key: str | tuple[str, ...], columns: dict[str, str], signed: str
) -> str:
    """Add the signed rows of ``signed`` (key, ..., sign) to ``table``, grouped by ``key`` (a
    column or several), locking rows in key order; groups that add nothing are skipped."""
    key_columns = (key,) if isinstance(key, str) else key
    keys = ", ".join(key_columns)
    grouped = ", ".join(f"d.{name}" for name in key_columns)
    names = ", ".join(columns)
    sums = ",\n       ".join(
        f"coalesce(sum(d.sign) FILTER (WHERE {condition}), 0)" for condition in columns.values()
    )
    nonzero = " OR ".join(f"sum(d.sign) FILTER (WHERE {c}) <> 0" for c in columns.values())
    updates = ",\n    ".join(f"{name} = m.{name} + excluded.{name}" for name in columns)
    return f"""
INSERT INTO {table} AS m ({keys}, {names})
SELECT {grouped},
       {sums}
FROM ({signed}) AS d
GROUP BY {grouped}
HAVING {nonzero}
ORDER BY {grouped}
ON CONFLICT ({keys}) DO UPDATE SET
    {updates};"""


def product_delta(signed: str) -> str:
    return delta_upsert("product_meta", "product_id", PRODUCT_META_COLUMNS, signed)


def characteristic_delta(signed: str) -> str:
    return delta_upsert(
        "characteristic_meta", "characteristic_id", CHARACTERISTIC_META_COLUMNS, signed
    )


def trigger_function(
    table: str, event: str, transitions: str, *statements: str, suffix: str = ""
) -> str:
    """A statement-level AFTER trigger ``<table>_meta_<event><suffix>`` and its function of that
    name, which runs ``statements``."""
    name = f"{table}_meta_{event.lower()}{suffix}"
    body = "\n".join(statements)
    return f"""
CREATE FUNCTION {name}() RETURNS trigger LANGUAGE plpgsql AS $function$
BEGIN
{body}
RETURN NULL;
END
$function$;
CREATE TRIGGER {name} AFTER {event} ON {table}
REFERENCING {transitions} FOR EACH STATEMENT EXECUTE FUNCTION {name}();
"""


def trigger_drop(table: str, event: str, suffix: str = "") -> str:
    name = f"{table}_meta_{event.lower()}{suffix}"
    return f"DROP TRIGGER {name} ON {table}; DROP FUNCTION {name}();"


# Signed review rows: counted (not reported) rows a statement added (+1) or took away (-1).
def counted_reviews(rows: str, sign: int) -> str:
    return f"SELECT r.product_id, r.rating, r.recommend, {sign} AS sign FROM {rows} r WHERE NOT r.reported"


# Signed ratings: the ratings of those review rows, which count or stop counting with them.
def counted_ratings_of_reviews(rows: str, sign: int) -> str:
    return (
        f"SELECT c.characteristic_id, c.value, {sign} AS sign FROM {rows} r"
        " JOIN characteristic_reviews c ON c.review_id = r.id WHERE NOT r.reported"
    )


# Signed rating rows: ratings a statement added or took away whose review exists and counts.
def counted_ratings(rows: str, sign: int) -> str:
    return (
        f"SELECT c.characteristic_id, c.value, {sign} AS sign FROM {rows} c"
        " JOIN reviews r ON r.id = c.review_id WHERE NOT r.reported"
    )


# Rating triggers lock the rows of their reviews and of those reviews' products first (see the
# lock order above).
def rating_owners_lock(rows: str) -> str:
    return f"""
PERFORM FROM reviews WHERE id IN (SELECT c.review_id FROM {rows} c)
ORDER BY id FOR NO KEY UPDATE;
PERFORM FROM product_meta WHERE product_id IN (
    SELECT r.product_id FROM {rows} c JOIN reviews r ON r.id = c.review_id)
ORDER BY product_id FOR NO KEY UPDATE;"""


# An UPDATE changes the aggregates only through rows whose counted columns changed; old and new
# row versions are matched by id (an id change reads as a delete plus an insert).
def rows_changed(rows: str, other: str, columns: tuple[str, ...]) -> str:
    """The rows of transition table ``rows`` that ``other`` has no same-id, same-``columns`` row for."""
    mine = ", ".join(f"x.{column}" for column in ("id", *columns))
    theirs = ", ".join(f"y.{column}" for column in ("id", *columns))
    return f"(SELECT * FROM {rows} x WHERE NOT EXISTS (SELECT FROM {other} y WHERE ({theirs}) = ({mine})))"


REVIEW_COUNTED_COLUMNS = ("product_id", "rating", "recommend", "reported")
REVIEWS_CHANGED_OLD = rows_changed("old_rows", "new_rows", REVIEW_COUNTED_COLUMNS)
REVIEWS_CHANGED_NEW = rows_changed("new_rows", "old_rows", REVIEW_COUNTED_COLUMNS)
# A review's ratings start or stop counting only when it is reported or restored.
REVIEWS_REPORTED_CHANGED_OLD = rows_changed("old_rows", "new_rows", ("reported",))
REVIEWS_REPORTED_CHANGED_NEW = rows_changed("new_rows", "old_rows", ("reported",))
RATING_COUNTED_COLUMNS = ("characteristic_id", "review_id", "value")
RATINGS_CHANGED_OLD = rows_changed("old_rows", "new_rows", RATING_COUNTED_COLUMNS)
RATINGS_CHANGED_NEW = rows_changed("new_rows", "old_rows", RATING_COUNTED_COLUMNS)
