from django.apps import AppConfig


class ReviewsConfig(AppConfig):
    name = "reviews"

    def ready(self):
        from reviews import checks, schema  # noqa: F401 (register the checks, the schema extension)
