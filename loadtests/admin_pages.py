"""The moderation admin's benchmark: how long each admin page takes to answer, and how many queries
it runs, on whatever database the settings point at (the full dataset, for real figures).

    ATELIER_DATA_DIR=/path/to/full/data .venv/bin/python -m loadtests.admin_pages [--repeat 5]

Each page is requested in-process (Django's full request path: URL resolution, the admin view, the
queries, the template rendered), as a signed-in staff user held in memory, so nothing is written
to the database. The moderation actions run inside a transaction that is rolled back. It prints
one line per page: median and slowest time over the repeats, and the query count.
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass

import django


@dataclass(frozen=True)
class PageTiming:
    name: str
    median_ms: float
    slowest_ms: float
    queries: int
    status: int


class Rollback(Exception):
    """Raised to undo a measured write."""


def bench_user():
    """A superuser that exists only in memory: the admin lets it in, the database never sees it."""
    from django.contrib.auth import get_user_model

    return get_user_model()(username="benchmark", is_staff=True, is_superuser=True, is_active=True)


def admin_request(method: str, path: str, data: dict | None = None):
    from django.contrib.messages.storage.cookie import CookieStorage
    from django.test import RequestFactory

    factory = RequestFactory()
    request = factory.post(path, data or {}) if method == "POST" else factory.get(path, data)
    request.user = bench_user()
    # What the middleware and the test client would set: a session (a dict serves), the message
    # store and the CSRF opt-out.
    request.session = {}  # type: ignore[assignment]
    request._messages = CookieStorage(request)  # type: ignore[attr-defined]
    request._dont_enforce_csrf_checks = True  # type: ignore[attr-defined]
    return request


def page_call(method: str, path: str, data: dict | None = None) -> Callable[[], int]:
    from django.urls import resolve

    def call() -> int:
        request = admin_request(method, path, data)
        match = resolve(request.path_info)
        response = match.func(request, *match.args, **match.kwargs)
        if hasattr(response, "render"):
            response.render()
        return response.status_code

    return call


def service_call(service, values: dict) -> Callable[[], int]:
    def call() -> int:
        service(review_ids=values["queue"])
        return 200

    return call


def rolled_back(call: Callable[[], int]) -> Callable[[], int]:
    from django.db import transaction

    def undone() -> int:
        status = 0
        try:
            with transaction.atomic():
                status = call()
                raise Rollback
        except Rollback:
            pass
        return status

    return undone


def measure(name: str, call: Callable[[], int], repeat: int) -> PageTiming:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    call()  # warm: caches, prepared templates, the pages the database needs
    times = []
    status = 0
    for _ in range(repeat):
        with CaptureQueriesContext(connection) as captured:
            started = time.perf_counter()
            status = call()
            times.append((time.perf_counter() - started) * 1000)
    return PageTiming(
        name, statistics.median(times), max(times), len(captured.captured_queries), status
    )


def sample_values() -> dict:
    """Real values to search and act on: the newest reported reviews, a product, a reviewer."""
    from reviews.models import Review, ReviewPhoto

    queue = list(
        Review.objects.filter(reported=True)
        .order_by("-date", "-id")
        .values_list("id", flat=True)[:50]
    )
    if not queue:
        raise SystemExit("no reported review: report some first")
    newest = Review.objects.get(pk=queue[0])
    with_photos = ReviewPhoto.objects.order_by("-id").values_list("review_id", flat=True).first()
    return {
        "queue": queue,
        "review": newest.id,
        "product": newest.product_id,
        "reviewer": newest.reviewer_name,
        "with_photos": with_photos or newest.id,
    }


def pages(values: dict) -> list[tuple[str, Callable[[], int]]]:
    from django.contrib.admin.helpers import ACTION_CHECKBOX_NAME

    from reviews.services import reviews_remove, reviews_restore

    reviews = "/admin/reviews/review/"
    selected = {ACTION_CHECKBOX_NAME: [str(i) for i in values["queue"]]}
    gets = [
        ("admin index", "/admin/"),
        ("reported queue", reviews),
        ("reported queue, page 200", f"{reviews}?p=200"),
        ("all reviews (unfiltered)", f"{reviews}?status=all"),
        ("all reviews, page 200", f"{reviews}?status=all&p=200"),
        ("visible reviews", f"{reviews}?status=visible"),
        ("pending queue", f"{reviews}?status=pending"),
        ("rejected queue", f"{reviews}?status=rejected"),
        ("queue, rating 1", f"{reviews}?rating=1"),
        (
            "visible, rating 5, not recommended",
            f"{reviews}?status=visible&rating=5&recommend__exact=0",
        ),
        ("queue, rating 5, not recommended", f"{reviews}?rating=5&recommend__exact=0"),
        ("all, rating 3", f"{reviews}?status=all&rating=3"),
        ("queue, search review id", f"{reviews}?q={values['review']}"),
        ("all, search review id", f"{reviews}?status=all&q={values['review']}"),
        ("all, search product id", f"{reviews}?status=all&q={values['product']}"),
        ("all, search reviewer name", f"{reviews}?status=all&q={values['reviewer']}"),
        ("review change page", f"{reviews}{values['with_photos']}/change/"),
        ("review delete page", f"{reviews}{values['with_photos']}/delete/"),
        ("review history", f"{reviews}{values['review']}/history/"),
        ("characteristics", "/admin/reviews/characteristic/"),
        (
            "characteristics, search product",
            f"/admin/reviews/characteristic/?q={values['product']}",
        ),
        ("product meta", "/admin/reviews/productmeta/"),
        ("characteristic meta", "/admin/reviews/characteristicmeta/"),
    ]
    measured = [(name, page_call("GET", path)) for name, path in gets]
    measured += [
        (
            "remove confirmation, 50 reviews",
            page_call("POST", reviews, {"action": "remove", "index": "0", **selected}),
        ),
        ("restore 50 reviews (rolled back)", rolled_back(service_call(reviews_restore, values))),
        ("remove 50 reviews (rolled back)", rolled_back(service_call(reviews_remove, values))),
    ]
    return measured


def bench_settings(settings) -> None:
    """The request factory's host, and static URLs without a `collectstatic` manifest (the same
    cost, nothing to prepare)."""
    settings.ALLOWED_HOSTS = [*settings.ALLOWED_HOSTS, "testserver"]
    settings.STORAGES = {
        **settings.STORAGES,
        "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
    }


def run(repeat: int, out=sys.stdout) -> list[PageTiming]:
    timings = [measure(name, call, repeat) for name, call in pages(sample_values())]

    out.write(f"{'page':<40} {'median ms':>10} {'slowest ms':>11} {'queries':>8} {'status':>7}\n")
    for t in timings:
        line = (
            f"{t.name:<40} {t.median_ms:>10.1f} {t.slowest_ms:>11.1f} {t.queries:>8} {t.status:>7}"
        )
        out.write(line + "\n")
    slowest = max(timings, key=lambda t: t.slowest_ms)
    out.write(
        f"{len(timings)} admin pages, {repeat} runs each: the slowest, {slowest.name!r}, "
        f"took {slowest.slowest_ms:.0f} ms\n"
    )
    return timings


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=5, help="timed runs per page (default 5)")
    args = parser.parse_args()
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "atelier.settings")
    django.setup()
    from django.conf import settings

    bench_settings(settings)
    run(args.repeat)


if __name__ == "__main__":
    main()
