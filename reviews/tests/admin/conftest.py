"""Fixtures for the moderation admin: a moderator, a client signed in as one, plain static files."""

import pytest

from reviews.management.commands.moderator_ensure import moderators_group_ensure


@pytest.fixture(autouse=True)
def plain_static_files(settings):
    """The manifest storage needs `collectstatic`; the admin's pages only need the static URLs."""
    settings.STORAGES = {
        **settings.STORAGES,
        "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
    }


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
