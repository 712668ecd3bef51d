"""refresh_meta rebuilds the aggregates from the base tables; verify_meta reports any difference."""

import pytest
from django.core.management import CommandError, call_command, execute_from_command_line
from django.db import connection, connections, transaction

from reviews.meta.rebuild import META_TABLES, RebuildResult, meta_differences, meta_rebuild
from reviews.models import CharacteristicMeta, ProductMeta, ReviewStatus
from reviews.tests.factories import characteristic_make, characteristic_review_make, review_make
from reviews.tests.meta_oracle import assert_meta_exact, rows

pytestmark = pytest.mark.django_db


@pytest.fixture
def products():
    """Three products with reviews and ratings, their aggregates exact."""
    for product_id in (31, 32, 33):
        fit = characteristic_make(product_id=product_id)
        for rating in (2, 5):
            review = review_make(product_id=product_id, rating=rating)
            characteristic_review_make(fit, review, rating)
    assert_meta_exact()


def corrupt() -> None:
    """Aggregates gone wrong behind the triggers' back: a wrong count, a lost row, a stray row."""
    ProductMeta.objects.filter(product_id=31).update(rating_5=7)
    CharacteristicMeta.objects.filter(characteristic__product_id=32).delete()
    ProductMeta.objects.create(product_id=99, rating_3=1)


def test_verify_meta_is_clean_when_the_aggregates_are_exact(products, capsys):
    call_command("verify_meta")
    assert "no product differs" in capsys.readouterr().out


def test_verify_meta_reports_every_differing_product_and_fails(products, capsys):
    corrupt()
    with pytest.raises(CommandError, match="3 products"):
        call_command("verify_meta")
    out = capsys.readouterr().out
    assert "product 31: ratings or recommended differ" in out
    assert "product 32: characteristic" in out
    assert "product 99: ratings or recommended differ" in out
    assert "product 33" not in out


def test_verify_meta_fails_when_a_trigger_is_disabled(products, capsys):
    with connection.cursor() as cursor:
        cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")  # no deferred check may be pending
        cursor.execute("ALTER TABLE characteristic_reviews DISABLE TRIGGER USER")
    with pytest.raises(CommandError):
        call_command("verify_meta")
    assert "trigger characteristic_reviews_meta_insert is missing or disabled" in (
        capsys.readouterr().out
    )


def test_verify_meta_exit_status_is_zero_when_clean_and_one_on_difference(products, monkeypatch):
    monkeypatch.setattr(connections, "close_all", lambda: None)  # keep the test's transaction
    execute_from_command_line(["manage.py", "verify_meta"])  # no SystemExit: status 0
    corrupt()
    with pytest.raises(SystemExit) as exited:
        execute_from_command_line(["manage.py", "verify_meta"])
    assert exited.value.code == 1


def test_refresh_meta_repairs_what_verify_meta_found(products, capsys):
    corrupt()
    call_command("refresh_meta", "--product-chunk", "2", "--characteristic-chunk", "1")
    assert "rewritten" in capsys.readouterr().out
    assert not meta_differences()
    assert_meta_exact()
    assert 99 not in rows("product_meta")


def test_rebuild_inside_an_outer_transaction_keeps_it_atomic(products):
    corrupt()
    with transaction.atomic():
        result = meta_rebuild(product_chunk=1, characteristic_chunk=1)
    assert result.written == {
        "product_meta": 2,  # product 31 rewritten, stray product 99 removed
        "characteristic_meta": 1,
        "product_meta_cells": 0,
        "characteristic_meta_cells": 0,
    }
    assert_meta_exact()


def test_rebuild_of_exact_aggregates_writes_nothing(products):
    assert meta_rebuild() == RebuildResult(dict.fromkeys(META_TABLES, 0))


def test_refresh_meta_counts_only_published_reviews(products):
    """Reviews waiting for a moderator and rejected ones, their aggregates lost and rebuilt."""
    fit = characteristic_make(product_id=34)
    states = [ReviewStatus.PUBLISHED, ReviewStatus.PENDING, ReviewStatus.REJECTED]
    for status in states:
        review = review_make(product_id=34, rating=5, status=status, reported=status != "published")
        characteristic_review_make(fit, review, 1)
    ProductMeta.objects.filter(product_id=34).delete()
    CharacteristicMeta.objects.filter(characteristic=fit).delete()
    assert meta_differences()  # verify_meta sees the loss
    meta_rebuild()
    assert_meta_exact()
    assert ProductMeta.objects.get(product_id=34).rating_5 == 1
    assert CharacteristicMeta.objects.get(characteristic=fit).value_1 == 1
