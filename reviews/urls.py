"""Routes of the public reviews API."""

urlpatterns: list = []
