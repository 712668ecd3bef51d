"""Atelier Reviews: the ratings-and-reviews service (project package: settings, urls, wsgi)."""
