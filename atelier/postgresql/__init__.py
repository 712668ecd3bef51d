"""The project's PostgreSQL backend (``ENGINE = "atelier.postgresql"``): Django's, with a health
check that costs a system call instead of a round trip."""
