"""Admin sign-in is locked after repeated failures, per account from one client and per client
(django-axes); never an account everywhere, which anyone could do to a moderator."""

import pytest
from django.core.management import call_command

PASSWORD = "a-long-passphrase-42"
LOGIN = "/admin/login/?next=/admin/"


def sign_in(client, username: str, password: str, address: str = "198.51.100.7"):
    return client.post(
        LOGIN,
        {"username": username, "password": password},
        REMOTE_ADDR=address,
    )


@pytest.fixture
def boss(django_user_model):
    return django_user_model.objects.create_superuser("boss", "boss@example.com", PASSWORD)


@pytest.mark.django_db
def test_an_account_is_locked_at_its_fifth_failure_from_that_client_only(client, boss):
    for _ in range(4):
        assert sign_in(client, "boss", "wrong").status_code == 200  # the form again
    assert sign_in(client, "boss", "wrong").status_code == 429
    locked = sign_in(client, "boss", PASSWORD)  # the right password, from the same client
    assert locked.status_code == 429
    assert b"locked" in locked.content.lower()
    assert sign_in(client, "boss", PASSWORD, address="198.51.100.8").status_code == 302
    client.logout()
    call_command("axes_reset", verbosity=0)
    assert sign_in(client, "boss", PASSWORD).status_code == 302


@pytest.mark.django_db
def test_failures_from_many_clients_never_lock_the_moderator_out_of_their_own(client, boss):
    for n in range(20):
        sign_in(client, "boss", "wrong", address=f"203.0.113.{n + 1}")
    assert sign_in(client, "boss", PASSWORD, address="198.51.100.9").status_code == 302


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
