"""The local cluster the deploy tests run against, on the test database, its cache emptied before
each test (a test database is truncated behind the service's back between tests)."""

from pathlib import Path

import pytest
from django.core.management import call_command

from atelier.httpcache import RACE_KEY_ALL, Purger
from atelier.purges import outbox
from deploy.tests.clusters import cluster_on_test_database


def pytest_collection_modifyitems(config, items):
    """Every test here that uses the cluster is marked ``cluster`` (``make test-fast`` leaves
    them out), even in a module that forgot its ``pytestmark``."""
    here = Path(__file__).parent
    for item in items:
        if "cluster" in getattr(item, "fixturenames", ()) and here in item.path.parents:
            item.add_marker(pytest.mark.cluster)


STORE_ORIGIN = "https://shop.example"  # the store whose pages may call the API


@pytest.fixture
def store_origin() -> str:
    """The origin the cluster lets call the API from a browser."""
    return STORE_ORIGIN


@pytest.fixture(scope="module")
def cluster(django_db_setup, django_db_blocker, tmp_path_factory):
    """The cache and two app servers (one worker each) behind nginx, without rate limits (the
    tests are one client that sends far more than a shopper; test_limits.py has its own), the
    store's origin allowed to call the API from a browser."""
    call_command("collectstatic", interactive=False, verbosity=0)  # the admin's pages need them
    with cluster_on_test_database(
        tmp_path_factory,
        "cluster",
        apps=2,
        workers=1,
        limits=False,
        environment={"ATELIER_CORS_ALLOWED_ORIGINS": STORE_ORIGIN},
    ) as running:
        yield running


@pytest.fixture(autouse=True)
def cluster_cache_emptied(request):
    """Before each test on the cluster: its cache nodes emptied, and registered again for the
    purge outbox (the test before may have truncated every table)."""
    if "cluster" in request.fixturenames:
        nodes = request.getfixturevalue("cluster").cache_nodes()
        if nodes:
            with request.getfixturevalue("django_db_blocker").unblock():
                outbox.register(nodes)
            Purger(nodes, timeout=5).purge(tags=[], race_key=RACE_KEY_ALL)
