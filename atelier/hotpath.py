"""The hot path: a WSGI application in front of Django that answers the common request of a
cacheable read itself, and hands every other request to Django untouched.

A read costs about a millisecond of Python through Django, half of it in the request cycle, DRF
and the middleware stack; none of them change what a plain, valid read answers. So for a GET that
Django routes to one of the ``reads`` it is given (by URL name), with nothing the middleware would
act on — no body, no cookie, no ``Origin`` (CORS), an allowed ``Host``, no redirect to HTTPS due —
it calls the read directly and adds what the middleware adds to such an answer: ``Allow`` (DRF),
``X-Frame-Options``, ``Content-Length``, the security headers, ``Vary: origin`` (CORS), the request
id, and django-prometheus' counts and latencies. A read returns None for anything it does not
judge itself (an input that does not validate, a header it does not handle): Django answers that,
so every error answer has one source. A database error falls through to Django too, which answers
its 503. ``reviews/tests/test_hot_path.py`` drives both paths with the same requests and compares
status, headers and body.

The hot path runs only under the settings it was written for (``HANDLED_MIDDLEWARE`` and the
settings ``unhandled_settings`` names): any other stack serves everything through Django, with a
warning at start.
"""

import logging
import re
import uuid
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.core.exceptions import SuspiciousOperation
from django.core.signals import request_finished, request_started
from django.db import DatabaseError
from django.http import QueryDict
from django.http.request import split_domain_port, validate_host
from django.urls import Resolver404, get_resolver
from django_prometheus.middleware import Metrics
from django_prometheus.utils import Time, TimeSince

from atelier import requestid
from atelier.db import read_fence

logger = logging.getLogger(__name__)

# The middleware whose effect on a plain read's answer this module reproduces, in their order.
HANDLED_MIDDLEWARE = (
    "atelier.metrics.ScrapeMiddleware",  # /metrics only, which the hot path never answers
    "django_prometheus.middleware.PrometheusBeforeMiddleware",
    "atelier.requestid.RequestIdMiddleware",
    "atelier.middleware.HeadWithoutBodyMiddleware",
    "corsheaders.middleware.CorsMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "atelier.ratelimits.middleware.RateLimitMiddleware",
    "atelier.middleware.AdminSessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "atelier.middleware.AdminAuthenticationMiddleware",
    "atelier.middleware.AdminMessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "atelier.middleware.PagesCSPMiddleware",
    "axes.middleware.AxesMiddleware",
    "atelier.middleware.DatabaseUnavailableMiddleware",
    "django_prometheus.middleware.PrometheusAfterMiddleware",
)

STATUS_LINES = {200: "200 OK", 304: "304 Not Modified"}


@dataclass(frozen=True)
class Reply:
    """An answer before any framework: what a read answers, on either path."""

    status: int
    headers: list[tuple[str, str]]
    body: bytes


@dataclass(frozen=True)
class Request:
    """What a read may look at: the route's path arguments, the query string, the headers."""

    kwargs: Mapping[str, str]
    query: QueryDict
    environ: Mapping[str, Any]

    def header(self, name: str) -> str | None:
        return self.environ.get("HTTP_" + name.upper().replace("-", "_"))


@dataclass(frozen=True)
class HotRead:
    """A read the hot path answers: ``answer`` returns its Reply, or None to leave the request to
    Django; ``allow`` is the route's ``Allow`` header as DRF writes it."""

    answer: Callable[[Request], Reply | None]
    allow: str


def unhandled_settings() -> list[str]:
    """The settings under which the hot path would answer otherwise than Django: it stays off."""
    unhandled = []
    if tuple(settings.MIDDLEWARE) != HANDLED_MIDDLEWARE:
        unhandled.append("MIDDLEWARE")
    for name in (
        "PREPEND_WWW",
        "USE_X_FORWARDED_HOST",
        "DISALLOWED_USER_AGENTS",
        "FORCE_SCRIPT_NAME",
    ):
        if getattr(settings, name):
            unhandled.append(name)
    return unhandled


class HotPath:
    """The WSGI application: ``reads`` by URL name, everything else by ``django``."""

    def __init__(self, django: Callable, reads: Mapping[str, HotRead]):
        self.django = django
        self.reads = dict(reads)
        unhandled = unhandled_settings()
        if unhandled:
            logger.warning("hot path off: %s not as it expects", ", ".join(unhandled))
            self.reads = {}
        self.resolver = get_resolver()
        self.metrics = Metrics.get_instance()
        self.series: dict[tuple[str, str, str], Series] = {}
        self.cors_urls = re.compile(settings.CORS_URLS_REGEX)
        self.allowed_hosts = settings.ALLOWED_HOSTS or (
            [".localhost", "127.0.0.1", "[::1]"] if settings.DEBUG else []
        )
        self.ssl_header, self.ssl_value = settings.SECURE_PROXY_SSL_HEADER or ("", "")
        self.ssl_redirect_exempt = [re.compile(r) for r in settings.SECURE_REDIRECT_EXEMPT]

    def __call__(self, environ: dict, start_response: Callable) -> Iterable[bytes]:
        # Both paths read on a replica only past the fence the cache sent (atelier.db).
        with read_fence(environ):
            if self.reads and environ["REQUEST_METHOD"] == "GET":
                answered = self.answer(environ, start_response)
                if answered is not None:
                    return answered
            return self.django(environ, start_response)

    def answer(self, environ: dict, start_response: Callable) -> list[bytes] | None:
        started = Time()
        path = environ.get("PATH_INFO", "")
        if not self.plain(environ, path):
            return None
        secure = self.secure(environ)
        if not secure and settings.SECURE_SSL_REDIRECT:
            return None  # Django redirects (or serves an exempt path)
        try:
            match = self.resolver.resolve(path)
        except Resolver404:
            return None
        view = match.url_name or ""
        read = self.reads.get(view)
        if read is None:
            return None
        try:  # as Django reads it: the raw bytes, decoded as UTF-8 (else Latin-1)
            query = QueryDict(environ.get("QUERY_STRING", "").encode("iso-8859-1"))
        except SuspiciousOperation:
            return None  # too many parameters: Django's 400
        given_id = environ.get("HTTP_X_REQUEST_ID", "")
        request_id = given_id if requestid.WELL_FORMED.fullmatch(given_id) else uuid.uuid4().hex
        requestid.current.set(request_id)
        request_started.send(sender=self.__class__, environ=environ)
        request = Request(match.kwargs, query, environ)
        try:
            reply = read.answer(request)
        except DatabaseError:
            reply = None  # Django answers: its 503 while the database is down
        except Exception:
            logger.exception("hot path failed on %s; Django answers", path)
            reply = None
        if reply is None:
            environ["HTTP_X_REQUEST_ID"] = request_id  # one id in both paths' log lines
            return None
        headers = reply.headers + self.middleware_headers(
            read, reply, path=path, secure=secure, request_id=request_id
        )
        start_response(STATUS_LINES[reply.status], headers)
        self.count(environ, view, reply, secure=secure, started=started)
        request_finished.send(sender=self.__class__)
        return [reply.body]

    def plain(self, environ: dict, path: str) -> bool:
        """Nothing in the request that the middleware would act on or a read not judge."""
        if environ.get("SCRIPT_NAME") or not path.isascii():
            return False
        if "HTTP_ORIGIN" in environ or "HTTP_COOKIE" in environ:
            return False
        if environ.get("CONTENT_LENGTH") not in (None, "", "0"):
            return False
        if "HTTP_TRANSFER_ENCODING" in environ:
            return False
        domain, _ = split_domain_port(environ.get("HTTP_HOST", ""))
        return bool(domain) and validate_host(domain, self.allowed_hosts)

    def secure(self, environ: dict) -> bool:
        """``request.is_secure()``, with the proxy's ``SECURE_PROXY_SSL_HEADER``."""
        forwarded = environ.get(self.ssl_header) if self.ssl_header else None
        if forwarded is not None:
            return forwarded.split(",", 1)[0].strip() == self.ssl_value
        return environ.get("wsgi.url_scheme") == "https"

    def middleware_headers(
        self, read: HotRead, reply: Reply, *, path: str, secure: bool, request_id: str
    ) -> list[tuple[str, str]]:
        """What DRF and the middleware add to a read's answer, in the order they add it."""
        headers = [
            ("Allow", read.allow),  # DRF
            ("X-Frame-Options", settings.X_FRAME_OPTIONS.upper()),  # XFrameOptionsMiddleware
            ("Content-Length", str(len(reply.body))),  # CommonMiddleware
        ]
        # SecurityMiddleware
        if settings.SECURE_HSTS_SECONDS and secure:
            hsts = f"max-age={settings.SECURE_HSTS_SECONDS}"
            if settings.SECURE_HSTS_INCLUDE_SUBDOMAINS:
                hsts += "; includeSubDomains"
            if settings.SECURE_HSTS_PRELOAD:
                hsts += "; preload"
            headers.append(("Strict-Transport-Security", hsts))
        if settings.SECURE_CONTENT_TYPE_NOSNIFF:
            headers.append(("X-Content-Type-Options", "nosniff"))
        if settings.SECURE_REFERRER_POLICY:
            policy = settings.SECURE_REFERRER_POLICY
            values = policy.split(",") if isinstance(policy, str) else policy
            headers.append(("Referrer-Policy", ",".join(value.strip() for value in values)))
        if settings.SECURE_CROSS_ORIGIN_OPENER_POLICY:
            headers.append(
                ("Cross-Origin-Opener-Policy", settings.SECURE_CROSS_ORIGIN_OPENER_POLICY)
            )
        if self.cors_urls.match(path):  # CorsMiddleware
            headers.append(("Vary", "origin"))
        headers.append((requestid.HEADER, request_id))  # RequestIdMiddleware
        return headers

    def count(self, environ: dict, view: str, reply: Reply, *, secure: bool, started) -> None:
        """django-prometheus' counts and latencies, as its two middleware record a GET."""
        metrics = self.metrics
        key = (view, str(reply.status), "https" if secure else "http")
        series = self.series.get(key) or self.series.setdefault(key, Series.of(metrics, *key))
        metrics.requests_total.inc()
        for counter in series.counters:
            counter.inc()
        if environ.get("HTTP_X_REQUESTED_WITH") == "XMLHttpRequest":
            metrics.requests_ajax.inc()
        metrics.requests_body_bytes.observe(0)
        metrics.responses_body_bytes.observe(len(reply.body))
        elapsed = TimeSince(started)
        series.latency.observe(elapsed)
        metrics.responses_total.inc()
        metrics.requests_latency_before.observe(elapsed)


@dataclass(frozen=True)
class Series:
    """django-prometheus' labelled series a read's answer counts in, looked up once."""

    counters: tuple  # by method, transport, view; by status, status and view, charset
    latency: Any

    @classmethod
    def of(cls, metrics: Metrics, view: str, status: str, transport: str) -> "Series":
        return cls(
            counters=(
                metrics.requests_by_method.labels(method="GET"),
                metrics.requests_by_transport.labels(transport=transport),
                metrics.requests_by_view_transport_method.labels(
                    view=view, transport=transport, method="GET"
                ),
                metrics.responses_by_status.labels(status=status),
                metrics.responses_by_status_view_method.labels(
                    status=status, view=view, method="GET"
                ),
                metrics.responses_by_charset.labels(charset="utf-8"),
            ),
            latency=metrics.requests_latency_by_view_method.labels(view=view, method="GET"),
        )
