from django.apps import AppConfig


class PurgesConfig(AppConfig):
    name = "atelier.purges"
    label = "purges"
    verbose_name = "Cache purges"
