"""A cluster of a test module's own, on the test database: nginx on a free port, nothing migrated
(the test database is), stopped when the block ends."""

import contextlib
from collections.abc import Iterator

from django.db import connection

from deploy.cluster import Cluster
from deploy.cluster_config import Settings
from deploy.processes import free_port


@contextlib.contextmanager
def cluster_on_test_database(tmp_path_factory, name: str, **settings) -> Iterator[Cluster]:
    running = Cluster(tmp_path_factory.mktemp(name))
    running.port = free_port()
    settings.setdefault("database", connection.settings_dict["NAME"])
    running.start(Settings(port=running.port, **settings), prepare=False)
    try:
        yield running
    finally:
        running.stop()
