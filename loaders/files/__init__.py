"""The CSV side of loading: reading, checking and generating the store's files, in plain Python.

Nothing here imports Django, psycopg or the reviews app (an import-linter contract in
``make lint`` holds it): it can be read, tested and reused without a database.
"""
