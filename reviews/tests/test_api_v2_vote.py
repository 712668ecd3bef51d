"""PUT /v2/reviews/<id>/vote: a voter's helpful vote, counted once per voter token, taken back with
"none", beside the legacy anonymous vote."""

import json
import random
from concurrent.futures import ThreadPoolExecutor

import pytest
from django.db import connection
from rest_framework.test import APIClient

from reviews.models import Review, ReviewVote
from reviews.tests.factories import review_make
from reviews.voters import token_voter

pytestmark = pytest.mark.usefixtures("loaded")

TOKEN = "7c9e6679-7425-40de-944b-e07fc1f90ae7"


def vote(api, review_id, value, token=TOKEN, **extra):
    headers = {} if token is None else {"HTTP_X_VOTER": token}
    return api.put(
        f"/v2/reviews/{review_id}/vote", {"value": value}, format="json", **headers, **extra
    )


def helpfulness(review_id: int) -> int:
    return Review.objects.get(pk=review_id).helpfulness


@pytest.mark.parametrize("path", ["/v2/reviews/1/vote", "/v2/reviews/1/vote/"])
def test_an_up_vote_counts_and_answers_the_vote_and_the_count(api, path):
    before = helpfulness(1)
    response = api.put(path, {"value": "up"}, format="json", HTTP_X_VOTER=TOKEN)
    assert response.status_code == 200
    assert response["Content-Type"] == "application/json"
    assert response.json() == {"review_id": 1, "my_vote": "up", "helpfulness": before + 1}
    assert helpfulness(1) == before + 1


def test_a_voter_counts_once_however_often_it_votes_up(api):
    before = helpfulness(1)
    for _ in range(3):
        assert vote(api, 1, "up").json()["helpfulness"] == before + 1
    assert helpfulness(1) == before + 1
    assert vote(api, 1, "up", token="another-voter").json()["helpfulness"] == before + 2
    assert ReviewVote.objects.filter(review_id=1).count() == 2


def test_none_takes_the_vote_back_and_up_again_counts_again(api):
    before = helpfulness(2)
    assert vote(api, 2, "up").json()["helpfulness"] == before + 1
    taken_back = vote(api, 2, "none")
    assert taken_back.status_code == 200
    assert taken_back.json() == {"review_id": 2, "my_vote": "none", "helpfulness": before}
    assert helpfulness(2) == before
    assert not ReviewVote.objects.filter(review_id=2).exists()
    assert vote(api, 2, "up").json()["helpfulness"] == before + 1


def test_none_without_a_vote_changes_nothing(api):
    before = helpfulness(3)
    for _ in range(2):
        assert vote(api, 3, "none").json() == {
            "review_id": 3,
            "my_vote": "none",
            "helpfulness": before,
        }
    assert helpfulness(3) == before  # loaded votes came without voters: none is taken back


def test_the_count_never_goes_below_zero(api):
    review = review_make(helpfulness=0)
    ReviewVote.objects.create(review=review, voter=token_voter(TOKEN))  # a vote the count lost
    assert vote(api, review.id, "none").json()["helpfulness"] == 0
    assert helpfulness(review.id) == 0
    assert not ReviewVote.objects.filter(review=review).exists()


def test_the_token_is_stored_only_as_its_keyed_hash(api):
    vote(api, 6, "up")
    voters = list(ReviewVote.objects.filter(review_id=6).values_list("voter", flat=True))
    assert voters == [token_voter(TOKEN)]
    assert TOKEN not in voters[0]


def test_the_legacy_vote_stays_an_anonymous_vote_of_the_address_beside_the_token(api):
    before = helpfulness(7)
    address = {"REMOTE_ADDR": "198.51.100.30"}
    assert api.put("/reviews/7/helpful", **address).status_code == 204
    assert api.put("/reviews/7/helpful", **address).status_code == 204
    assert helpfulness(7) == before + 1
    # The same shopper with a token is another voter: the address does not know the token.
    assert vote(api, 7, "up", **address).json()["helpfulness"] == before + 2
    # Taking the token's vote back leaves the address's.
    assert vote(api, 7, "none", **address).json()["helpfulness"] == before + 1
    assert ReviewVote.objects.filter(review_id=7).count() == 1


def test_a_changed_vote_is_one_statement_and_the_purges_it_owes(api, django_assert_num_queries):
    # In the vote's own transaction (a savepoint pair inside the test's): the vote, then the
    # purges it owes the cache nodes (the purge outbox).
    with django_assert_num_queries(4):
        assert vote(api, 1, "up").status_code == 200
    with django_assert_num_queries(4):
        assert vote(api, 1, "none").status_code == 200
    with django_assert_num_queries(3):  # unchanged: nothing owed
        assert vote(api, 1, "none").status_code == 200


def test_a_vote_touches_only_that_review(api):
    others = dict(Review.objects.exclude(pk=1).values_list("id", "helpfulness"))
    vote(api, 1, "up")
    vote(api, 1, "none")
    vote(api, 1, "up")
    assert dict(Review.objects.exclude(pk=1).values_list("id", "helpfulness")) == others


@pytest.mark.parametrize("review_id", ["987654", "0", "-1", "abc", "1.0", "2147483648", "%201"])
@pytest.mark.parametrize("value", ["up", "none"])
def test_an_unknown_or_malformed_review_id_is_a_json_404(api, review_id, value):
    response = vote(api, review_id, value)
    assert response.status_code == 404
    assert "no review" in response.json()["detail"]


@pytest.mark.parametrize("value", ["up", "none"])
def test_a_reported_review_is_a_404_and_counts_nothing(api, value):
    response = vote(api, 5, value)
    assert response.status_code == 404
    assert "no review" in response.json()["detail"]
    assert helpfulness(5) == 99
    assert not ReviewVote.objects.filter(review_id=5).exists()


def test_a_missing_voter_token_is_a_400_that_says_what_to_send(api):
    before = helpfulness(1)
    response = vote(api, 1, "up", token=None)
    assert response.status_code == 400
    assert "X-Voter header is required" in response.json()["detail"]
    assert helpfulness(1) == before


@pytest.mark.parametrize("token", ["", " leading", "trailing ", "tab\there", "é", "x" * 201])
def test_an_invalid_voter_token_is_a_400(api, token):
    before = helpfulness(1)
    response = vote(api, 1, "up", token=token)
    assert response.status_code == 400
    assert "X-Voter must be 1 to 200 printable ASCII characters" in response.json()["detail"]
    assert helpfulness(1) == before


@pytest.mark.parametrize("token", ["a", "x" * 200, "with inner spaces", "!\"#$%&'()*+,-./:;<=>?@~"])
def test_any_printable_ascii_token_of_1_to_200_characters_is_a_voter(api, token):
    assert vote(api, 1, "up", token=token).status_code == 200


@pytest.mark.parametrize(
    "body",
    [
        {},
        {"value": "down"},
        {"value": "UP"},
        {"value": ""},
        {"value": None},
        {"value": 1},
        {"value": True},
        {"value": ["up"]},
        {"vote": "up"},
        [],
        "up",
        None,
    ],
)
def test_a_body_that_is_not_a_vote_is_a_422_saying_what_is_wrong(api, body):
    before = helpfulness(1)
    response = api.put(
        "/v2/reviews/1/vote", json.dumps(body), content_type="application/json", HTTP_X_VOTER=TOKEN
    )
    assert response.status_code == 422
    content = response.json()
    assert content["detail"] == "Error: Vote body contains invalid entries"
    assert content["errors"]
    assert helpfulness(1) == before


def test_no_body_at_all_is_a_422_too(api):
    response = api.put("/v2/reviews/1/vote", HTTP_X_VOTER=TOKEN)
    assert response.status_code == 422
    assert "value" in response.json()["errors"]


def test_unknown_keys_are_ignored(api):
    body = {"value": "up", "helpfulness": 1000}
    response = api.put("/v2/reviews/1/vote", body, format="json", HTTP_X_VOTER=TOKEN)
    assert response.status_code == 200


def test_malformed_json_is_400_and_another_media_type_415(api):
    malformed = api.put(
        "/v2/reviews/1/vote", "{", content_type="application/json", HTTP_X_VOTER=TOKEN
    )
    assert malformed.status_code == 400
    form = api.put("/v2/reviews/1/vote", "value=up", content_type="text/plain", HTTP_X_VOTER=TOKEN)
    assert form.status_code == 415


@pytest.mark.parametrize("method", ["get", "post", "delete", "patch"])
def test_other_methods_are_405(api, method):
    response = getattr(api, method)("/v2/reviews/1/vote", HTTP_X_VOTER=TOKEN)
    assert response.status_code == 405
    assert "PUT" in response["Allow"]


def test_a_retry_with_the_same_idempotency_key_does_not_vote_again(api):
    before = helpfulness(1)
    first = vote(api, 1, "up", HTTP_IDEMPOTENCY_KEY="vote-1")
    assert first.status_code == 200
    assert vote(api, 1, "none", HTTP_IDEMPOTENCY_KEY="vote-2").json()["helpfulness"] == before
    # The first request again (its answer was lost, say): not applied a second time; the first
    # answer is replayed, as it was sent.
    retried = vote(api, 1, "up", HTTP_IDEMPOTENCY_KEY="vote-1")
    assert retried.status_code == 200
    assert retried.content == first.content
    assert retried.json() == {"review_id": 1, "my_vote": "up", "helpfulness": before + 1}
    assert helpfulness(1) == before


def test_an_idempotency_key_is_its_voters_own_and_names_one_body(api):
    before = helpfulness(1)
    assert vote(api, 1, "up", HTTP_IDEMPOTENCY_KEY="vote-3").status_code == 200
    refused = vote(api, 1, "none", HTTP_IDEMPOTENCY_KEY="vote-3")
    assert refused.status_code == 422
    assert "Idempotency-Key" in refused.json()["detail"]
    # Another voter's same key is another key: its vote counts, never the first answer.
    other = vote(api, 1, "up", token="someone-else", HTTP_IDEMPOTENCY_KEY="vote-3")
    assert other.status_code == 200
    assert other.json()["helpfulness"] == before + 2 == helpfulness(1)


@pytest.mark.django_db(transaction=True)
def test_parallel_up_votes_of_one_voter_count_once():
    review = review_make(helpfulness=10)

    def up(_):
        try:
            client = APIClient(HTTP_HOST="localhost")
            return vote(client, review.id, "up").status_code
        finally:
            connection.close()

    with ThreadPoolExecutor(8) as pool:
        assert set(pool.map(up, range(24))) == {200}
    assert helpfulness(review.id) == 11
    assert ReviewVote.objects.filter(review=review).count() == 1


@pytest.mark.django_db(transaction=True)
def test_parallel_changes_of_one_voter_leave_the_count_matching_the_vote():
    """Ups and nones of one voter racing each other: whatever the order, the count is the loaded
    count plus one exactly when the voter's vote is there, never anything in between."""
    review = review_make(helpfulness=10)
    values = [random.Random(n).choice(["up", "none"]) for n in range(40)]

    def change(value):
        try:
            client = APIClient(HTTP_HOST="localhost")
            return vote(client, review.id, value).json()["helpfulness"]
        finally:
            connection.close()

    with ThreadPoolExecutor(8) as pool:
        answered = set(pool.map(change, values))
    assert answered <= {10, 11}
    voted = ReviewVote.objects.filter(review=review).count()
    assert voted in (0, 1)
    assert helpfulness(review.id) == 10 + voted


@pytest.mark.django_db(transaction=True)
def test_parallel_voters_each_count_once():
    review = review_make(helpfulness=0)

    def up(n):
        try:
            client = APIClient(HTTP_HOST="localhost")
            return vote(client, review.id, "up", token=f"voter-{n % 6}").status_code
        finally:
            connection.close()

    with ThreadPoolExecutor(8) as pool:
        assert set(pool.map(up, range(30))) == {200}
    assert helpfulness(review.id) == 6
