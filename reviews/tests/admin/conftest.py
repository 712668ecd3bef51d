"""Fixtures for the moderation admin: a moderator and a client signed in as one."""

import pytest

from reviews.management.commands.moderator_ensure import moderators_group_ensure


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
