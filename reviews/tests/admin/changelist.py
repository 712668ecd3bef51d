"""Helpers for the changelist tests: its URL, the reviews a page lists, and its SQL."""

from typing import Any

from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

CHANGELIST = reverse("admin:reviews_review_changelist")


def listed_ids(response) -> list[int]:
    return [review.id for review in response.context["cl"].result_list]


def changelist_sql(client, query: str = "") -> tuple[Any, list[str]]:
    with CaptureQueriesContext(connection) as captured:
        response = client.get(CHANGELIST + query)
    assert response.status_code == 200
    return response, [q["sql"] for q in captured.captured_queries]
