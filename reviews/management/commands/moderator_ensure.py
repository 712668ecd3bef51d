"""``manage.py moderator_ensure``: create or update the moderator account, idempotently.

The account is staff (it can sign in to the admin) and a member of the "Moderators" group, which
may view every reviews table and change or delete reviews, and nothing else.
"""

import os

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError

from reviews.moderators import moderator_ensure

USERNAME_VARIABLE = "MODERATOR_USERNAME"
PASSWORD_VARIABLE = "MODERATOR_PASSWORD"
EMAIL_VARIABLE = "MODERATOR_EMAIL"
HOW_TO = (
    f"No moderator account was set up. To create one (or reset its password), set "
    f"{USERNAME_VARIABLE} and {PASSWORD_VARIABLE} (and optionally {EMAIL_VARIABLE}) and run "
    "`make run` again, or run `.venv/bin/python manage.py moderator_ensure` with them set. "
    "The admin is at /admin/."
)


class Command(BaseCommand):
    help = (
        f"Create or update the moderator account from {USERNAME_VARIABLE}, {PASSWORD_VARIABLE} "
        f"and {EMAIL_VARIABLE}; with them unset, say how (exit 0, unless --required)."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--required", action="store_true", help="fail when the variables are not set"
        )

    def handle(self, *args, required: bool = False, **options):
        username = os.environ.get(USERNAME_VARIABLE, "").strip()
        password = os.environ.get(PASSWORD_VARIABLE, "")
        email = os.environ.get(EMAIL_VARIABLE, "").strip()
        if not username or not password:
            if required:
                raise CommandError(HOW_TO)
            self.stdout.write(HOW_TO)
            return
        try:
            _, created = moderator_ensure(username=username, password=password, email=email)
        except ValidationError as error:
            raise CommandError(f"{PASSWORD_VARIABLE}: {' '.join(error.messages)}") from error
        verb = "created" if created else "updated"
        self.stdout.write(f"Moderator {username!r} {verb}: sign in at /admin/.")
