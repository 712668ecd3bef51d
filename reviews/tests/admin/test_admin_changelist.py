"""The review changelist: the reported queue, exact indexed search, fast filters, and SQL that
never counts the whole table nor fetches photos row by row."""

import re

import pytest
from django.db import connection
from django.urls import reverse

from reviews.admin.pagination import EstimatedCountPaginator
from reviews.tests.admin.changelist import CHANGELIST, changelist_sql, listed_ids
from reviews.tests.factories import photo_make, review_make

pytestmark = pytest.mark.django_db


def counts(statements: list[str]) -> list[str]:
    """The statements that count rows (not the page's column of report counts per review)."""
    return [sql for sql in statements if re.match(r"SELECT COUNT\(", sql, re.IGNORECASE)]


def full_counts(statements: list[str]) -> list[str]:
    """COUNT queries over reviews without a WHERE clause or a LIMIT: a scan of the whole table.
    (The reports column's own subquery, which has a WHERE, is left out of the judgment.)"""
    return [
        sql
        for sql in counts(statements)
        if '"reviews"' in sql and not re.search(r"\bWHERE\b|\bLIMIT\b", REPORTS_COLUMN.sub("", sql))
    ]


REPORTS_COLUMN = re.compile(r"\(\s*SELECT jsonb_object_agg.*?AS by_reason\)", re.DOTALL)


def test_anonymous_visitors_are_sent_to_the_login_page(client):
    response = client.get(CHANGELIST)
    assert response.status_code == 302
    assert response.url.startswith(reverse("admin:login"))


def test_signed_in_non_staff_users_cannot_reach_the_admin(client, django_user_model):
    client.force_login(django_user_model.objects.create_user(username="shopper", password="x"))
    response = client.get(CHANGELIST)
    assert response.status_code == 302
    assert response.url.startswith(reverse("admin:login"))


def test_changelist_opens_on_the_reported_queue_newest_first(moderator_client):
    older = review_make(reported=True, date="2021-01-01T00:00:00Z")
    newer = review_make(reported=True, date="2021-06-01T00:00:00Z")
    review_make(reported=False, date="2021-07-01T00:00:00Z")
    response = moderator_client.get(CHANGELIST)
    assert listed_ids(response) == [newer.id, older.id]


def test_queue_shows_what_a_moderator_needs(moderator_client):
    review = review_make(
        reported=True,
        product_id=4242,
        summary="Ran small",
        body="The stitching came apart " + "x" * 300,
        reviewer_name="kiara_m",
        helpfulness=7,
    )
    photo_make(review, url="https://img.example.com/seam.jpg")
    content = moderator_client.get(CHANGELIST).content.decode()
    for shown in ("4242", "Ran small", "The stitching came apart", "kiara_m", "seam.jpg"):
        assert shown in content
    assert "x" * 300 not in content  # only the start of the body


def test_only_http_photo_links_are_rendered_as_links(moderator_client):
    review = review_make(reported=True)
    photo_make(review, url="https://img.example.com/ok.jpg")
    photo_make(review, url="javascript:alert(document.domain)")  # as old data may hold
    photo_make(review, url="IMG_2041.jpg")
    content = moderator_client.get(CHANGELIST).content.decode()
    assert 'href="https://img.example.com/ok.jpg"' in content
    assert 'href="javascript:' not in content and 'src="javascript:' not in content
    assert "<span>javascript:alert(document.domain)</span>" in content
    assert "<span>IMG_2041.jpg</span>" in content


@pytest.mark.parametrize(
    ("status", "expected"),
    [
        ("visible", {"visible", "queued"}),
        ("queued", {"queued"}),
        ("all", {"visible", "queued", "reported"}),
    ],
)
def test_status_filter_lists_visible_queued_or_all_reviews(moderator_client, status, expected):
    ids = {
        "visible": review_make().id,
        "queued": review_make(awaiting_moderator=True).id,
        "reported": review_make(reported=True).id,
    }
    response = moderator_client.get(f"{CHANGELIST}?status={status}")
    assert set(listed_ids(response)) == {ids[name] for name in expected}


def test_rating_and_recommend_filters_narrow_the_queue(moderator_client):
    match = review_make(reported=True, rating=1, recommend=False)
    review_make(reported=True, rating=1, recommend=True)
    review_make(reported=True, rating=5, recommend=False)
    response = moderator_client.get(f"{CHANGELIST}?rating=1&recommend__exact=0")
    assert listed_ids(response) == [match.id]


@pytest.mark.parametrize("field", ["id", "product_id", "reviewer_name"])
def test_search_finds_exact_matches_by_id_product_or_reviewer(moderator_client, field):
    target = review_make(reported=True, product_id=880011, reviewer_name="needle99")
    review_make(reported=True, product_id=880012, reviewer_name="needle999")
    term = {"id": target.id, "product_id": 880011, "reviewer_name": "needle99"}[field]
    response, statements = changelist_sql(moderator_client, f"?q={term}")
    assert listed_ids(response) == [target.id]
    assert not [sql for sql in statements if re.search(r"LIKE|UPPER\(", sql)]


def test_search_for_a_word_is_not_a_substring_search(moderator_client):
    review_make(reported=True, reviewer_name="needle99", body="needle in the body")
    assert listed_ids(moderator_client.get(f"{CHANGELIST}?q=needle")) == []


def test_search_for_a_number_beyond_any_id_answers_empty(moderator_client):
    review_make(reported=True, reviewer_name="99999999999")
    response = moderator_client.get(f"{CHANGELIST}?q=99999999999")
    assert len(listed_ids(response)) == 1  # the name matches; the number is not an id


@pytest.mark.parametrize("query", ["", "?status=visible", "?status=all", "?q=5", "?rating=2"])
def test_no_page_counts_the_whole_reviews_table(moderator_client, query):
    for _ in range(3):
        review_make(reported=True)
        review_make()
    _, statements = changelist_sql(moderator_client, query)
    assert full_counts(statements) == []


def test_unfiltered_list_of_a_large_table_uses_the_table_estimate(moderator_client, monkeypatch):
    monkeypatch.setattr(EstimatedCountPaginator, "exact_up_to", 3)
    for _ in range(6):
        review_make()
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE reviews")
    response, statements = changelist_sql(moderator_client, "?status=all")
    assert response.context["cl"].result_count == 6
    assert any("reltuples" in sql for sql in statements)
    assert not counts(statements)


def test_filtered_count_is_bounded_then_estimated(moderator_client, monkeypatch):
    monkeypatch.setattr(EstimatedCountPaginator, "exact_up_to", 3)
    for _ in range(5):
        review_make(reported=True)
    response, statements = changelist_sql(moderator_client)
    bounded = counts(statements)
    assert len(bounded) == 1
    assert "LIMIT 4" in bounded[0]
    assert any(sql.startswith("EXPLAIN") for sql in statements)
    assert response.context["cl"].result_count >= 4


def test_small_filtered_lists_are_counted_exactly(moderator_client):
    for _ in range(3):
        review_make(reported=True)
    review_make()
    assert moderator_client.get(CHANGELIST).context["cl"].result_count == 3


def test_pages_are_capped_so_no_page_needs_a_deep_offset(moderator_client, monkeypatch):
    monkeypatch.setattr(EstimatedCountPaginator, "max_pages", 2)
    monkeypatch.setattr("reviews.admin.moderation.ReviewAdmin.list_per_page", 2)
    for _ in range(7):
        review_make(reported=True)
    response = moderator_client.get(CHANGELIST)
    assert response.context["cl"].paginator.num_pages == 2
    assert moderator_client.get(f"{CHANGELIST}?p=3").status_code == 302  # Django's "?e=1"


def test_query_count_does_not_grow_with_the_page(moderator_client):
    """Photos come in one query for the whole page (no N+1)."""

    def queue_with(n: int) -> int:
        for _ in range(n):
            review = review_make(reported=True)
            photo_make(review)
            photo_make(review)
        response, statements = changelist_sql(moderator_client)
        assert len(listed_ids(response)) > 0
        return len(statements)

    small = queue_with(2)
    large = queue_with(20)
    assert small == large
    assert large <= 8


def test_a_crafted_sort_parameter_keeps_the_indexed_order(moderator_client):
    first = review_make(reported=True, date="2021-01-01T00:00:00Z", helpfulness=9)
    second = review_make(reported=True, date="2021-06-01T00:00:00Z", helpfulness=1)
    response = moderator_client.get(f"{CHANGELIST}?o=8")  # the helpfulness column
    assert listed_ids(response) == [second.id, first.id]


def test_change_page_shows_the_review_with_its_photos_and_ratings(moderator_client):
    from reviews.tests.factories import characteristic_make, characteristic_review_make

    review = review_make(reported=True, reviewer_email="kiara@example.com")
    photo_make(review, url="https://img.example.com/zoom.jpg")
    characteristic_review_make(characteristic_make(name="Comfort"), review, value=4)
    response = moderator_client.get(reverse("admin:reviews_review_change", args=[review.id]))
    content = response.content.decode()
    assert response.status_code == 200
    for shown in ("zoom.jpg", "Comfort", "kiara@example.com", review.body):
        assert shown in content
    assert 'name="body"' not in content  # read-only
    assert 'name="response"' in content  # the store's public reply can be written


@pytest.mark.parametrize("term", ["x" * 5000, "-1", "1e9", "%", "' OR 1=1 --"])
def test_odd_search_terms_match_nothing_without_an_error(moderator_client, term):
    review_make(reported=True)
    response = moderator_client.get(CHANGELIST, {"q": term})
    assert response.status_code == 200
    assert listed_ids(response) == []


def test_a_search_term_with_a_nul_byte_is_refused_without_an_error(moderator_client):
    review_make(reported=True)
    response = moderator_client.get(CHANGELIST, {"q": "nul\x00byte"})
    assert response.status_code == 200  # Django's search form rejects it and lists the queue


@pytest.mark.parametrize("review_id", ["99999999999", "abc", "-5"])
def test_a_review_page_for_no_such_review_redirects_with_a_message(moderator_client, review_id):
    response = moderator_client.get(f"{CHANGELIST}{review_id}/change/")
    assert response.status_code == 302
