"""Fixtures for the moderation admin: a moderator, a client signed in as one, fast hashing."""

import pytest

from reviews.moderators import moderators_group_ensure


@pytest.fixture(autouse=True)
def fast_password_hashing(settings):
    """Sign-ins are part of these tests; the production hasher's deliberate slowness is not."""
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture
def moderator(django_user_model):
    user = django_user_model.objects.create_user(
        username="moderator", password="a-long-moderator-password", is_staff=True
    )
    user.groups.add(moderators_group_ensure())
    return user


@pytest.fixture
def moderator_client(client, moderator):
    client.force_login(moderator)
    return client
