"""Production settings: `check --deploy` is clean behind TLS, and plain HTTP still works locally."""

import os
import secrets
import subprocess
import sys

from django.conf import settings


def deploy_check(**env: str) -> subprocess.CompletedProcess:
    environment = {
        **os.environ,
        "DJANGO_SECRET_KEY": secrets.token_urlsafe(50),
        "DJANGO_DEBUG": "false",
        **env,
    }
    return subprocess.run(
        [sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"],
        cwd=settings.BASE_DIR,
        env=environment,
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_check_deploy_is_clean_behind_tls_with_signed_shoppers():
    result = deploy_check(ATELIER_HTTPS="true", ATELIER_SHOPPER_TOKEN_SECRET="s" * 40)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "no issues" in result.stdout


def test_without_tls_or_signed_shoppers_the_deploy_check_names_what_is_missing():
    result = deploy_check(ATELIER_HTTPS="false", ATELIER_SHOPPER_TOKEN_SECRET="")
    assert result.returncode != 0
    for warning in (
        "security.W004", "security.W008", "security.W010", "security.W016", "reviews.W001",
    ):  # fmt: skip
        assert warning in result.stderr


def test_a_plain_http_request_is_not_redirected_by_default(client):
    assert settings.SECURE_SSL_REDIRECT is False
    assert client.get("/reviews/meta?product_id=abc").status_code == 422  # answered, not a 301
