"""System checks of the reviews app (``manage.py check --deploy``)."""

from django.conf import settings
from django.core.checks import Error, Tags, Warning, register

from reviews.services import MODERATION_WORKFLOWS
from reviews.shoppers import signing_enabled


@register()
def moderation_workflow_known(app_configs, **kwargs) -> list[Error]:
    if settings.MODERATION_WORKFLOW in MODERATION_WORKFLOWS:
        return []
    return [
        Error(
            f"ATELIER_MODERATION is {settings.MODERATION_WORKFLOW!r}.",
            hint=f"One of {', '.join(MODERATION_WORKFLOWS)} (docs/moderation.md).",
            id="reviews.E001",
        )
    ]


@register(Tags.security, deploy=True)
def shoppers_signed(app_configs, **kwargs) -> list[Warning]:
    if signing_enabled():
        return []
    return [
        Warning(
            "ATELIER_SHOPPER_TOKEN_SECRET is not set: v2 votes take any X-Voter token the client "
            "makes up, and no review is tied to a shopper.",
            hint="Set the secret the storefront signs its shopper tokens with (docs/api.md).",
            id="reviews.W001",
        )
    ]
