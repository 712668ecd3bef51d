"""The OpenAPI document is generated once per process, and fresh workers' first requests, however
many at once, all get it."""

from concurrent.futures import ThreadPoolExecutor

from django.test import Client
from drf_spectacular.generators import SchemaGenerator

from atelier.apidocs import SchemaView


def test_the_document_is_generated_once_and_served_the_same(client, monkeypatch):
    SchemaView.forget()
    calls = []
    generate = SchemaGenerator.get_schema

    def counted(self, *args, **kwargs):
        calls.append(1)
        return generate(self, *args, **kwargs)

    monkeypatch.setattr(SchemaGenerator, "get_schema", counted)
    first = client.get("/api/schema/", {"format": "json"})
    second = client.get("/api/schema/", {"format": "json"})
    assert first.status_code == second.status_code == 200
    assert first.content == second.content and b'"openapi"' in first.content
    assert len(calls) == 1


def test_concurrent_first_requests_all_get_the_document():
    SchemaView.forget()

    def fetch(_):
        return Client(HTTP_HOST="localhost").get("/api/schema/", {"format": "json"})

    with ThreadPoolExecutor(8) as pool:
        answers = list(pool.map(fetch, range(16)))
    assert {answer.status_code for answer in answers} == {200}
    assert len({answer.content for answer in answers}) == 1
