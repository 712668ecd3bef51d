"""System checks of the reviews app (``manage.py check --deploy``)."""

from django.core.checks import Tags, Warning, register

from reviews.shoppers import signing_enabled


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
