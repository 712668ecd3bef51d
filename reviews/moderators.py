"""The moderator accounts: staff members of the "Moderators" group, which may view every reviews
table and change or delete reviews, and nothing else."""

from django.contrib.auth import get_user_model
from django.contrib.auth.models import AbstractBaseUser, Group, Permission
from django.contrib.auth.password_validation import validate_password
from django.db import transaction

MODERATORS = "Moderators"
MODERATOR_PERMISSIONS = ("view_review", "change_review", "delete_review")


def moderators_group_ensure() -> Group:
    """The Moderators group: view everything in the reviews app, change and delete reviews."""
    group, _ = Group.objects.get_or_create(name=MODERATORS)
    permissions = Permission.objects.filter(content_type__app_label="reviews").filter(
        codename__startswith="view_"
    ) | Permission.objects.filter(
        content_type__app_label="reviews", codename__in=MODERATOR_PERMISSIONS
    )
    group.permissions.set(permissions)
    return group


def moderator_ensure(
    *, username: str, password: str, email: str = ""
) -> tuple[AbstractBaseUser, bool]:
    """Create the moderator account, or update it (password, email, staff, group); return it and
    whether it was created. Raises ``ValidationError`` for a password the validators refuse."""
    user_model = get_user_model()
    validate_password(password, user_model(username=username, email=email))
    with transaction.atomic():
        group = moderators_group_ensure()
        user, created = user_model.objects.get_or_create(username=username)
        user.is_staff = True
        user.is_active = True
        if email:
            user.email = email
        user.set_password(password)
        user.save()
        user.groups.add(group)
    return user, created
