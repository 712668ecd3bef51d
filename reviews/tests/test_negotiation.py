"""The public API answers JSON whatever the client's Accept header asks for."""

import pytest


@pytest.mark.django_db
@pytest.mark.parametrize("accept", ["text/html", "application/xml", "*/*", "nonsense;;"])
def test_reviews_answer_json_whatever_accept_says(api, accept):
    for path in ("/reviews/?product_id=1", "/reviews/meta?product_id=1", "/reviews/?product_id=x"):
        response = api.get(path, HTTP_ACCEPT=accept)
        assert response.status_code in (200, 422)
        assert response["Content-Type"] == "application/json"
        assert response.json()


@pytest.mark.django_db
def test_a_body_that_is_not_json_is_still_refused_with_415(api):
    response = api.post("/reviews", "rating=5", content_type="text/plain")
    assert response.status_code == 415
