"""``manage.py moderator_ensure``: the moderator account, created from the environment."""

import pytest
from django.contrib.auth import authenticate
from django.core.management import CommandError, call_command
from django.test import RequestFactory

pytestmark = pytest.mark.django_db

PASSWORD = "correct-horse-battery-staple"


@pytest.fixture
def moderator_env(monkeypatch):
    monkeypatch.setenv("MODERATOR_USERNAME", "mod")
    monkeypatch.setenv("MODERATOR_PASSWORD", PASSWORD)
    monkeypatch.setenv("MODERATOR_EMAIL", "mod@example.com")


def test_creates_a_staff_moderator_who_can_sign_in(moderator_env, capsys):
    call_command("moderator_ensure")
    user = authenticate(RequestFactory().post("/admin/login/"), username="mod", password=PASSWORD)
    assert user is not None and user.is_staff and not user.is_superuser
    assert user.has_perms(["reviews.change_review", "reviews.delete_review"])
    assert user.has_perm("reviews.view_characteristic")
    assert not user.has_perm("reviews.change_characteristic")
    assert not user.has_perm("auth.add_user")
    assert "created" in capsys.readouterr().out


def test_running_twice_updates_the_same_account(moderator_env, monkeypatch, django_user_model):
    call_command("moderator_ensure")
    monkeypatch.setenv("MODERATOR_PASSWORD", PASSWORD + "-new")
    call_command("moderator_ensure")
    assert django_user_model.objects.filter(username="mod").count() == 1
    assert (
        authenticate(
            RequestFactory().post("/admin/login/"), username="mod", password=PASSWORD + "-new"
        )
        is not None
    )


def test_without_the_variables_it_says_how(monkeypatch, capsys, django_user_model):
    monkeypatch.delenv("MODERATOR_USERNAME", raising=False)
    monkeypatch.delenv("MODERATOR_PASSWORD", raising=False)
    call_command("moderator_ensure")
    assert "MODERATOR_USERNAME" in capsys.readouterr().out
    assert not django_user_model.objects.exists()
    with pytest.raises(CommandError, match="MODERATOR_PASSWORD"):
        call_command("moderator_ensure", required=True)


def test_a_weak_password_is_refused(moderator_env, monkeypatch, django_user_model):
    monkeypatch.setenv("MODERATOR_PASSWORD", "123")
    with pytest.raises(CommandError, match="too short"):
        call_command("moderator_ensure")
    assert not django_user_model.objects.exists()
