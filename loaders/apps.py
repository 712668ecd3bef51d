from django.apps import AppConfig


class LoadersConfig(AppConfig):
    name = "loaders"
