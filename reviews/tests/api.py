"""Helpers for the API tests: a valid review body and its POST, and a list result's keys."""

import json

# A list result's keys, in the contract's order.
RESULT_KEYS = [
    "review_id",
    "rating",
    "summary",
    "recommend",
    "response",
    "body",
    "date",
    "reviewer_name",
    "helpfulness",
    "photos",
]


def valid(**changes) -> dict:
    body = {
        "product_id": 101,
        "rating": 4,
        "summary": "Solid pair",
        "body": "Fits well and washes well.",
        "recommend": True,
        "name": "jackson11",
        "email": "jackson11@example.com",
        "photos": ["https://example.com/a.jpg", "b.png"],
        "characteristics": {"1001": 4, "1002": 3},
    }
    body.update(changes)
    return {key: value for key, value in body.items() if value is not ...}


def post(api, body, path="/reviews"):
    return api.post(path, json.dumps(body), content_type="application/json")
