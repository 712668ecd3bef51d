"""Each workload of the serving benchmark (loadtests/bench.py) runs against the local cluster, for
a moment, without an error: every request it makes is one the service answers."""

import pytest

from loadtests.bench import WORKLOADS, run_wrk
from reviews.tests.factories import review_make

pytestmark = pytest.mark.cluster

PRODUCTS = 20


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("workload", sorted(WORKLOADS))
def test_each_benchmark_workload_runs_without_an_error(cluster, workload):
    reviews = [review_make(product_id=n % PRODUCTS + 1) for n in range(3 * PRODUCTS)]
    figures = run_wrk(
        WORKLOADS[workload], cluster.port, 2, 4, PRODUCTS, max(r.id for r in reviews), "newest"
    )
    assert figures["requests"] > 20
    assert figures["errors"] == 0
