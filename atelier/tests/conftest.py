"""Fixtures of the project-level tests: static files served without a ``collectstatic`` run."""

import pytest


@pytest.fixture(autouse=True)
def plain_static_files(settings):
    """The manifest storage needs `collectstatic` (a clean clone has none); admin pages rendered
    here only need the URLs."""
    settings.STORAGES = {
        **settings.STORAGES,
        "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
    }
