"""Generated datasets shared by the loader tests: one clean, one with bad rows, same seed."""

import pytest

from loaders.files.generate import csv_dataset_generate

PRODUCTS = 4000
SEED = 11


@pytest.fixture(scope="session")
def generated_clean(tmp_path_factory):
    out = tmp_path_factory.mktemp("clean")
    csv_dataset_generate(out, products=PRODUCTS, seed=SEED, workers=2)
    return out


@pytest.fixture(scope="session")
def generated_dirty(tmp_path_factory):
    out = tmp_path_factory.mktemp("dirty")
    csv_dataset_generate(out, products=PRODUCTS, seed=SEED, bad_rate=0.01, workers=2)
    return out
