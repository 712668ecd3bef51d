"""Sessions, users and messages exist for the admin's requests and for no others."""

import pytest
from django.core.handlers.wsgi import WSGIHandler
from django.test.client import RequestFactory


@pytest.mark.django_db
@pytest.mark.parametrize(
    "path", ["/reviews/?product_id=1", "/reviews/meta?product_id=1", "/health"]
)
def test_public_requests_get_no_session_user_or_messages(client, path):
    request = client.get(path).wsgi_request
    assert not hasattr(request, "session")
    assert getattr(request, "user", None) is None  # DRF sets its own (None): no auth here
    assert not hasattr(request, "_messages")


@pytest.mark.django_db
def test_admin_requests_keep_session_user_and_messages(client):
    response = client.get("/admin/login/")
    assert response.status_code == 200
    request = response.wsgi_request
    assert hasattr(request, "session") and hasattr(request, "_messages")
    assert not request.user.is_authenticated


@pytest.mark.django_db
def test_a_moderator_can_still_log_in_to_the_admin(client, django_user_model):
    django_user_model.objects.create_superuser("moderator", "m@example.com", "a-long-passphrase")
    response = client.post(
        "/admin/login/?next=/admin/",
        {"username": "moderator", "password": "a-long-passphrase", "next": "/admin/"},
    )
    assert response.status_code == 302 and response["Location"] == "/admin/"
    assert client.get("/admin/").status_code == 200


@pytest.mark.django_db
@pytest.mark.parametrize("path", ["/admin/login/", "/api/docs/", "/api/docs/?script="])
def test_the_html_pages_carry_a_content_security_policy(client, path):
    policy = client.get(path)["Content-Security-Policy"]
    directives = dict(part.strip().split(" ", 1) for part in policy.split(";"))
    assert directives["default-src"] == "'self'"
    assert directives["frame-ancestors"] == "'none'"
    assert "script-src" not in directives  # scripts fall back to 'self': nothing inline


@pytest.mark.django_db
@pytest.mark.parametrize(
    "path", ["/reviews/?product_id=1", "/reviews/meta?product_id=1", "/health"]
)
def test_the_json_answers_carry_none(client, path):
    assert "Content-Security-Policy" not in client.get(path)


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("path", "allow"),
    [
        ("/reviews", "GET, POST, HEAD, OPTIONS"),
        ("/reviews/meta", "GET, HEAD, OPTIONS"),
        ("/reviews/1/helpful", "PUT, OPTIONS"),
        ("/health", "GET, HEAD"),
        ("/api/schema/", "GET, HEAD, OPTIONS"),
    ],
)
def test_trace_straight_to_an_app_server_is_405_naming_the_methods(client, path, allow):
    response = client.generic("TRACE", path)
    assert (response.status_code, response["Allow"]) == (405, allow)


def wsgi_call(method: str, path: str, query: str = "") -> tuple[str, dict[str, str], bytes]:
    """One request through Django's WSGI handler, as gunicorn makes it. (Not atelier.wsgi: importing
    it turns the embedded server's autostart off for this process and its children.)"""
    application = WSGIHandler()
    environ = RequestFactory().generic(method, path, QUERY_STRING=query).environ
    started: dict = {}

    def start_response(status, headers, exc_info=None):
        started.update(status=status, headers=dict(headers))

    body = b"".join(application(environ, start_response))
    return started["status"], started["headers"], body


@pytest.mark.django_db(transaction=True)  # the handler closes connections as a server does
def test_a_head_answer_is_the_gets_headers_without_a_body():
    get_status, get_headers, get_body = wsgi_call("GET", "/reviews/meta", "product_id=1")
    head_status, head_headers, head_body = wsgi_call("HEAD", "/reviews/meta", "product_id=1")
    assert get_status == head_status == "200 OK"
    assert get_body and head_body == b""
    assert head_headers["Content-Length"] == str(len(get_body))
    assert head_headers["ETag"] == get_headers["ETag"]


@pytest.mark.django_db
def test_the_icon_a_browser_asks_for_is_no_content_and_no_warning(client, caplog):
    response = client.get("/favicon.ico")
    assert response.status_code == 204 and response.content == b""
    assert "max-age" in response["Cache-Control"]
    assert not [r for r in caplog.records if r.levelname == "WARNING"]
