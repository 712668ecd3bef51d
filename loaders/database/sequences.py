"""Keep id sequences ahead of the ids that bulk loads write explicitly."""

from psycopg import sql

ID_TABLES = ("reviews", "reviews_photos", "characteristics", "characteristic_reviews")


def id_sequences_sync(cursor, tables: tuple[str, ...] = ID_TABLES) -> None:
    """Set each table's id sequence so the next generated id is ``max(id) + 1``."""
    for table in tables:
        cursor.execute(
            sql.SQL(
                "SELECT setval(pg_get_serial_sequence(%s, 'id'), coalesce(max(id), 0) + 1, false)"
                " FROM {}"
            ).format(sql.Identifier(table)),
            [table],
        )
