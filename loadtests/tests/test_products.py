"""The load tests' product ids: skewed, spread over the whole range, some from the last 10%."""

import random
from collections import Counter

import pytest

from loadtests.products import ProductIds


@pytest.mark.parametrize("max_id", [1, 10, 1_000, 1_000_011])
def test_popularity_ranks_map_one_to_one_onto_the_id_range(max_id):
    ids = ProductIds(max_id)
    sample = range(1, min(max_id, 5_000) + 1)
    mapped = [ids.by_rank(rank) for rank in sample]
    assert len(set(mapped)) == len(mapped)
    assert all(1 <= product <= max_id for product in mapped)


def test_popular_draws_are_skewed_towards_a_few_products():
    ids, rng = ProductIds(100_000), random.Random(7)
    counts = Counter(ids.popular(rng) for _ in range(20_000))
    top_hundred = sum(count for _, count in counts.most_common(100))
    # Zipf with s = 1 over 100,000 products: the top 100 get about 40% of the views.
    assert 0.3 < top_hundred / 20_000 < 0.5
    assert counts.most_common(1)[0][0] == ids.by_rank(1)


def test_popular_products_are_spread_over_the_whole_id_range():
    ids, rng = ProductIds(1_000_011), random.Random(11)
    draws = [ids.popular(rng) for _ in range(10_000)]
    deciles = Counter(min(product * 10 // 1_000_011, 9) for product in draws)
    assert set(deciles) == set(range(10))
    assert min(deciles.values()) > 500


def test_about_a_quarter_of_draws_come_from_the_last_ten_percent():
    ids, rng = ProductIds(1_000), random.Random(3)
    assert all(901 <= ids.recent(rng) <= 1_000 for _ in range(1_000))
    draws = [ids.draw(rng) for _ in range(10_000)]
    last_tenth = sum(product > 900 for product in draws) / len(draws)
    assert 0.27 < last_tenth < 0.40  # 25% recent + about 10% of the popular draws
