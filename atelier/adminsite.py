"""Django's admin site, with its sign-in under the ``admin-login`` rate limit, and without the
navigation sidebar: the moderation queue needs the width of a laptop's screen (the breadcrumbs
and the index lead to every model)."""

from django.contrib import admin
from django.contrib.admin.apps import AdminConfig as DjangoAdminConfig

from atelier.ratelimits.limits import rate_limited


class AdminSite(admin.AdminSite):
    enable_nav_sidebar = False

    @rate_limited("admin-login", methods=("POST",))
    def login(self, request, extra_context=None):
        return super().login(request, extra_context)


class AdminConfig(DjangoAdminConfig):
    default_site = "atelier.adminsite.AdminSite"
