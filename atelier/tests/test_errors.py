"""Unknown routes answer JSON, and the site's root leads to the API's docs."""

import pytest


@pytest.mark.django_db
@pytest.mark.parametrize("path", ["/nope", "/reviews/1/nope", "/api/", "/static/missing.css"])
def test_an_unknown_route_is_a_json_404(client, path):
    response = client.get(path)
    assert response.status_code == 404
    assert response["Content-Type"] == "application/json"
    assert response.json()["detail"].startswith(f"Not found: no route '{path}'")


@pytest.mark.django_db
def test_the_root_leads_to_the_docs(client):
    response = client.get("/")
    assert (response.status_code, response["Location"]) == (302, "/api/docs/")
