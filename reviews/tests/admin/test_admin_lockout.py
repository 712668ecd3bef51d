"""Admin sign-in is locked after repeated failures, per account and per client (django-axes)."""

import pytest
from django.core.management import call_command

PASSWORD = "a-long-passphrase-42"
LOGIN = "/admin/login/?next=/admin/"


def sign_in(client, username: str, password: str, address: str = "198.51.100.7"):
    return client.post(
        LOGIN,
        {"username": username, "password": password},
        HTTP_X_FORWARDED_FOR=address,
    )


@pytest.fixture
def boss(django_user_model):
    return django_user_model.objects.create_superuser("boss", "boss@example.com", PASSWORD)


@pytest.mark.django_db
def test_an_account_is_locked_at_its_fifth_failure_even_for_the_right_password(client, boss):
    for _ in range(4):
        assert sign_in(client, "boss", "wrong").status_code == 200  # the form again
    assert sign_in(client, "boss", "wrong").status_code == 429
    locked = sign_in(client, "boss", PASSWORD, address="198.51.100.8")  # from elsewhere too
    assert locked.status_code == 429
    assert b"locked" in locked.content.lower()
    call_command("axes_reset", verbosity=0)
    assert sign_in(client, "boss", PASSWORD).status_code == 302


@pytest.mark.django_db
def test_a_client_is_locked_after_five_failures_whatever_the_accounts(client, boss):
    for n in range(5):
        sign_in(client, f"guess{n}", "wrong", address="203.0.113.50")
    assert sign_in(client, "boss", PASSWORD, address="203.0.113.50").status_code == 429
    assert sign_in(client, "boss", PASSWORD, address="203.0.113.51").status_code == 302


@pytest.mark.django_db
def test_a_success_clears_the_failures_before_the_limit(client, boss):
    for _ in range(4):
        sign_in(client, "boss", "wrong")
    assert sign_in(client, "boss", PASSWORD).status_code == 302
    client.logout()
    for _ in range(4):
        sign_in(client, "boss", "wrong")
    assert sign_in(client, "boss", PASSWORD).status_code == 302
