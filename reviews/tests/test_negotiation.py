"""The public API answers JSON whatever the client's Accept header asks for."""

import pytest


@pytest.mark.django_db
@pytest.mark.parametrize("accept", ["text/html", "application/xml", "*/*", "nonsense;;"])
@pytest.mark.parametrize(
    ("path", "status", "body"),
    [
        (
            "/reviews/?product_id=1",
            200,
            {"product": "1", "page": 0, "count": 5, "results": []},
        ),
        (
            "/reviews/meta?product_id=1",
            200,
            {"product_id": "1", "ratings": {}, "recommended": {}, "characteristics": {}},
        ),
        (
            "/reviews/?product_id=x",
            422,
            {
                "detail": "Error: invalid product_id provided",
                "errors": {"product_id": ["A whole number is required."]},
            },
        ),
    ],
)
def test_reviews_answer_json_whatever_accept_says(api, accept, path, status, body):
    response = api.get(path, HTTP_ACCEPT=accept)
    assert response.status_code == status
    assert response["Content-Type"] == "application/json"
    assert response.json() == body


@pytest.mark.django_db
def test_a_body_that_is_not_json_is_still_refused_with_415(api):
    response = api.post("/reviews", "rating=5", content_type="text/plain")
    assert response.status_code == 415
