from django.apps import AppConfig


class RateLimitsConfig(AppConfig):
    name = "atelier.ratelimits"
    label = "ratelimits"
    verbose_name = "Rate limits"
