"""A version for each product's aggregates, which API v2 returns with its lists and summaries so a
client can tell that the two agree.

``product_meta.version`` takes a new value of one sequence whenever the product's aggregates
change: at insert (its default), at every update of the row (the BEFORE UPDATE trigger; the
aggregate triggers of migration 0002 update a row only when a count changes), and whenever a
statement changes a counted characteristic rating of the product (the ``*_version_*`` triggers
below, which run after the aggregate triggers of the same statement: triggers fire in name order,
and they only update rows those triggers already locked). A rebuild that corrects a
characteristic's row bumps its product itself (reviews.meta.rebuild).
"""

from django.db import migrations, models

SEQUENCE = "CREATE SEQUENCE product_meta_version_seq AS bigint"

PRODUCT_META_VERSION = """
CREATE FUNCTION product_meta_version_next() RETURNS trigger LANGUAGE plpgsql AS $function$
BEGIN
NEW.version := nextval('product_meta_version_seq');
RETURN NEW;
END
$function$;
CREATE TRIGGER product_meta_version BEFORE UPDATE ON product_meta
FOR EACH ROW EXECUTE FUNCTION product_meta_version_next();
"""
PRODUCT_META_VERSION_DROP = (
    "DROP TRIGGER product_meta_version ON product_meta; DROP FUNCTION product_meta_version_next();"
)


def ratings_version_trigger(event: str, transitions: str, rows: str) -> str:
    """After a statement on characteristic_reviews: a new version for the products of its counted
    ratings (``rows``: the transition tables' rows)."""
    name = f"characteristic_reviews_version_{event.lower()}"
    return f"""
CREATE FUNCTION {name}() RETURNS trigger LANGUAGE plpgsql AS $function$
BEGIN
UPDATE product_meta SET version = version
 WHERE product_id IN (SELECT r.product_id FROM ({rows}) c
                        JOIN reviews r ON r.id = c.review_id WHERE NOT r.reported);
RETURN NULL;
END
$function$;
CREATE TRIGGER {name} AFTER {event} ON characteristic_reviews
REFERENCING {transitions} FOR EACH STATEMENT EXECUTE FUNCTION {name}();
"""


def ratings_version_drop(event: str) -> str:
    name = f"characteristic_reviews_version_{event.lower()}"
    return f"DROP TRIGGER {name} ON characteristic_reviews; DROP FUNCTION {name}();"


class Migration(migrations.Migration):
    dependencies = [
        ("reviews", "0009_review_reports"),
    ]

    operations = [
        migrations.RunSQL(SEQUENCE, reverse_sql="DROP SEQUENCE product_meta_version_seq"),
        migrations.AddField(
            model_name="productmeta",
            name="version",
            field=models.BigIntegerField(
                db_default=models.Func(
                    models.Value("product_meta_version_seq"), function="nextval"
                ),
                editable=False,
            ),
        ),
        migrations.RunSQL(PRODUCT_META_VERSION, reverse_sql=PRODUCT_META_VERSION_DROP),
        migrations.RunSQL(
            ratings_version_trigger("INSERT", "NEW TABLE AS new_rows", "SELECT * FROM new_rows"),
            reverse_sql=ratings_version_drop("INSERT"),
        ),
        migrations.RunSQL(
            ratings_version_trigger(
                "UPDATE",
                "OLD TABLE AS old_rows NEW TABLE AS new_rows",
                "SELECT * FROM old_rows UNION ALL SELECT * FROM new_rows",
            ),
            reverse_sql=ratings_version_drop("UPDATE"),
        ),
        migrations.RunSQL(
            ratings_version_trigger("DELETE", "OLD TABLE AS old_rows", "SELECT * FROM old_rows"),
            reverse_sql=ratings_version_drop("DELETE"),
        ),
    ]
