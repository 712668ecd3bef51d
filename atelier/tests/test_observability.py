"""Metrics at /metrics, request ids on answers and on log lines, and JSON logs."""

import io
import json
import logging

import pytest
from django.conf import settings
from prometheus_client import REGISTRY
from pythonjsonlogger.json import JsonFormatter

from atelier.requestid import RequestIdFilter


def sample(name: str, **labels) -> float:
    return REGISTRY.get_sample_value(name, labels) or 0.0


@pytest.mark.django_db
def test_metrics_count_requests_by_route_and_status_with_their_latency(client):
    labels = {"method": "GET", "view": "reviews-meta"}
    before = sample("django_http_requests_latency_seconds_by_view_method_count", **labels)
    statuses_before = sample("django_http_responses_total_by_status_view_method_total",
                             status="422", **labels)  # fmt: skip
    client.get("/reviews/meta?product_id=7")
    client.get("/reviews/meta?product_id=abc")
    response = client.get("/metrics")
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/plain")
    text = response.content.decode()
    assert 'django_http_requests_latency_seconds_by_view_method_bucket{le="0.001"' in text
    assert sample("django_http_requests_latency_seconds_by_view_method_count", **labels) == (
        before + 2
    )
    assert (
        sample("django_http_responses_total_by_status_view_method_total", status="422", **labels)
        == statuses_before + 1
    )


def test_the_scraper_reaches_metrics_by_an_address_no_allowed_host_names(client):
    # A container's address, as a scraper inside the topology sends it.
    assert client.get("/metrics", HTTP_HOST="172.30.0.7:8000").status_code == 200
    assert client.get("/reviews/meta?product_id=7", HTTP_HOST="172.30.0.7:8000").status_code == 400


@pytest.mark.django_db
@pytest.mark.rate_limits
def test_rate_limit_refusals_are_counted_by_policy(client, settings):
    settings.RATE_LIMITS = {**settings.RATE_LIMITS, "reviews-report": "1/1h"}
    before = sample("atelier_rate_limit_refusals_total", policy="reviews-report")
    for _ in range(3):
        client.put("/reviews/999999/report", REMOTE_ADDR="198.51.100.40")
    assert sample("atelier_rate_limit_refusals_total", policy="reviews-report") == before + 2


@pytest.mark.django_db
def test_an_answer_carries_its_request_id(client):
    given = client.get("/reviews/meta?product_id=7", HTTP_X_REQUEST_ID="abc-123.x_Y")
    assert given["X-Request-ID"] == "abc-123.x_Y"
    for made_up in [None, "has space", "x" * 65, "é"]:
        headers = {} if made_up is None else {"HTTP_X_REQUEST_ID": made_up}
        answer = client.get("/reviews/meta?product_id=7", **headers)
        assert len(answer["X-Request-ID"]) == 32 and answer["X-Request-ID"] != made_up


@pytest.mark.django_db
def test_log_lines_are_json_with_the_request_id(client):
    """The configured formatter and filter, on a log line Django writes while serving (a 422)."""
    logging_settings: dict = settings.LOGGING
    config = dict(logging_settings["formatters"]["json"])
    config.pop("()")
    stream = io.StringIO()
    handler = logging.StreamHandler(stream)
    handler.setFormatter(JsonFormatter(**config))
    handler.addFilter(RequestIdFilter())
    logger = logging.getLogger("django.request")
    logger.addHandler(handler)
    try:
        client.get("/reviews/meta?product_id=abc", HTTP_X_REQUEST_ID="req-42")
    finally:
        logger.removeHandler(handler)
    line = json.loads(stream.getvalue().splitlines()[-1])
    assert (line["request_id"], line["level"], line["logger"]) == (
        "req-42",
        "WARNING",
        "django.request",
    )
    assert "/reviews/meta" in line["message"] and "time" in line
