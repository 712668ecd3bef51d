from django.apps import AppConfig
from django.conf import settings


class ReviewsConfig(AppConfig):
    name = "reviews"

    def ready(self):
        from reviews import checks, schema  # noqa: F401 (register the checks, the schema extension)
        from reviews.screening import model_warm_up
        from reviews.services import MODERATION_SCREENED

        if settings.MODERATION_WORKFLOW == MODERATION_SCREENED:
            model_warm_up()
