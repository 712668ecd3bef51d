"""Settings, driven by the environment with safe defaults for local use.

With no ``DATABASE_URL`` the project runs on its own embedded PostgreSQL (``atelier.pgembedded``),
whose data lives in ``.data/postgres`` inside the checkout.
"""

import os
import secrets
from datetime import timedelta
from pathlib import Path

from psycopg.conninfo import conninfo_to_dict

BASE_DIR = Path(__file__).resolve().parent.parent
DATA_DIR = Path(os.environ.get("ATELIER_DATA_DIR", BASE_DIR / ".data"))


def env_bool(name: str, default: bool) -> bool:
    value = os.environ.get(name)
    if value is None or value == "":
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def env_list(name: str, default: str) -> list[str]:
    return [item.strip() for item in os.environ.get(name, default).split(",") if item.strip()]


def local_secret_key() -> str:
    """A per-checkout random key, kept beside the local database, for runs without one set."""
    key_file = DATA_DIR / "secret_key"
    if not key_file.exists():
        DATA_DIR.mkdir(parents=True, exist_ok=True)
        key_file.write_text(secrets.token_urlsafe(50))
        key_file.chmod(0o600)
    return key_file.read_text().strip()


DEBUG = env_bool("DJANGO_DEBUG", False)
SECRET_KEY = os.environ.get("DJANGO_SECRET_KEY") or local_secret_key()
ALLOWED_HOSTS = env_list("DJANGO_ALLOWED_HOSTS", "127.0.0.1,localhost,[::1]")
CSRF_TRUSTED_ORIGINS = env_list("DJANGO_CSRF_TRUSTED_ORIGINS", "")

# Behind TLS (production): HTTPS only. nginx or the load balancer in front terminates TLS and says
# so in X-Forwarded-Proto; each setting can be turned on or off by itself.
HTTPS = env_bool("ATELIER_HTTPS", False)
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SECURE_SSL_REDIRECT = env_bool("ATELIER_SSL_REDIRECT", HTTPS)
SECURE_REDIRECT_EXEMPT = [r"^health/?$"]  # probes inside the private network speak plain HTTP
SESSION_COOKIE_SECURE = env_bool("ATELIER_SECURE_COOKIES", HTTPS)
CSRF_COOKIE_SECURE = SESSION_COOKIE_SECURE
SECURE_HSTS_SECONDS = int(os.environ.get("ATELIER_HSTS_SECONDS", "31536000" if HTTPS else "0"))
SECURE_HSTS_INCLUDE_SUBDOMAINS = env_bool("ATELIER_HSTS_INCLUDE_SUBDOMAINS", HTTPS)
SECURE_HSTS_PRELOAD = env_bool("ATELIER_HSTS_PRELOAD", HTTPS)

INSTALLED_APPS = [
    "atelier.adminsite.AdminConfig",  # django.contrib.admin, its sign-in rate-limited
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.postgres",
    "corsheaders",
    "axes",
    "csp",
    "django_prometheus",
    "rest_framework",
    "rest_framework.authtoken",  # store staff's tokens (PUT /v2/reviews/<id>/response)
    "django_filters",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "atelier.pgembedded",
    "atelier.ratelimits",
    "atelier.purges",
    "reviews",
    "loaders",
]

# Sessions, users and flash messages serve the admin only (atelier.middleware).
MIDDLEWARE = [
    "atelier.metrics.ScrapeMiddleware",  # /metrics, whatever the Host the scraper sends
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
]

ROOT_URLCONF = "atelier.urls"
WSGI_APPLICATION = "atelier.wsgi.application"
# The hot path (atelier.hotpath, reviews.hot) answers the common valid read without Django's request
# cycle, with the same answer; off, every request goes through Django.
HOT_PATH = env_bool("ATELIER_HOT_PATH", True)

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
            ],
        },
    },
]

# Database: DATABASE_URL when set, otherwise the embedded server started on first connection.
DATABASE_CONN_MAX_AGE = int(os.environ.get("DATABASE_CONN_MAX_AGE", "60"))
# How long a request waits for a server to take its connection (an HA database between two
# leaders) before it is a 503; 0 tries once (atelier.postgresql).
DATABASE_CONNECT_WAIT_SECONDS = float(os.environ.get("DATABASE_CONNECT_WAIT_SECONDS", "0"))


def database_from_url(url: str) -> dict:
    """A libpq connection URI as Django's settings, read by libpq's own parser: one host or
    several (``postgresql://u:p@h1:5432,h2:5432/db?target_session_attrs=read-write``, an HA
    cluster's nodes), and any libpq parameter in the query (``sslmode``, ``connect_timeout``)."""
    params = conninfo_to_dict(url)
    return {
        "ENGINE": "atelier.postgresql",
        "NAME": params.pop("dbname", ""),
        "USER": params.pop("user", ""),
        "PASSWORD": params.pop("password", ""),
        "HOST": params.pop("host", ""),
        "PORT": params.pop("port", ""),
        "OPTIONS": params,
        "CONN_MAX_AGE": DATABASE_CONN_MAX_AGE,
        "CONN_HEALTH_CHECKS": True,
    }


if os.environ.get("DATABASE_URL"):
    DATABASES = {"default": database_from_url(os.environ["DATABASE_URL"])}
    # Replicas for the public reads that come through the cache, each only once it has applied
    # every write whose purge came before the read (atelier.db.read_cursor); tests read the
    # default database through it.
    if os.environ.get("DATABASE_REPLICA_URL"):
        DATABASES["replica"] = {
            **database_from_url(os.environ["DATABASE_REPLICA_URL"]),
            "TEST": {"MIRROR": "default"},
        }
else:
    DATABASES = {
        "default": {
            "ENGINE": "atelier.pgembedded",
            "NAME": os.environ.get("ATELIER_DB_NAME", "atelier"),
            "USER": "postgres",
            "CONN_MAX_AGE": DATABASE_CONN_MAX_AGE,
            "CONN_HEALTH_CHECKS": True,
        }
    }
# How long a request may wait on the database: PostgreSQL's lock_timeout and statement_timeout on
# every connection, when set (the app servers set them: deploy/gunicorn.conf.py). Below the cache's
# first-byte timeout (15 s) even for a read the hot path tries and Django tries again, and below
# nginx's 30 s: a held lock or a runaway query costs its requests a JSON 503 with Retry-After,
# never an upstream timeout. Commands run from a shell (loads, migrations) wait as long as needed.
DATABASE_LOCK_TIMEOUT = os.environ.get("ATELIER_DB_LOCK_TIMEOUT", "")
DATABASE_STATEMENT_TIMEOUT = os.environ.get("ATELIER_DB_STATEMENT_TIMEOUT", "")
_waits = " ".join(
    f"-c {name}={value}"
    for name, value in (
        ("lock_timeout", DATABASE_LOCK_TIMEOUT),
        ("statement_timeout", DATABASE_STATEMENT_TIMEOUT),
    )
    if value
)
if _waits:
    for _database in DATABASES.values():
        _options = _database.setdefault("OPTIONS", {})
        _options["options"] = f"{_options.get('options', '')} {_waits}".strip()
EMBEDDED_POSTGRES_DIR = DATA_DIR / "postgres"
# Backups of the embedded server (atelier.pgembedded.backup, docs/backups.md): set, it archives
# its WAL into this folder, and `make backup` puts base backups there.
BACKUP_DIR = os.environ.get("ATELIER_BACKUP_DIR") or None
# Whether connecting starts the embedded server: yes for commands and tests, never for requests
# (atelier/wsgi.py turns it off).
EMBEDDED_POSTGRES_AUTOSTART = env_bool("ATELIER_EMBEDDED_DB_AUTOSTART", True)
DEFAULT_AUTO_FIELD = "django.db.models.AutoField"

# The networks of the proxies whose X-Forwarded-For is believed, besides nginx on a Unix socket
# (the local cluster's, always trusted): the client is the right-most address that is not one of
# them (atelier.clients). None by default, not even loopback: list a container network or a load
# balancer's subnet (deploy/compose.yaml lists its own).
TRUSTED_PROXIES = env_list("ATELIER_TRUSTED_PROXIES", "")

# Rate limits per client (atelier.ratelimits), shared by all app servers through PostgreSQL:
# "COUNT/PERIOD" (PERIOD in seconds, or 10m, 1h, 1d) or "off"; ATELIER_RATE_LIMITS=off turns
# every one off. Reads are limited by nginx (deploy/nginx), before they cost the app anything.
RATE_LIMITS = {
    name: "off" if not env_bool("ATELIER_RATE_LIMITS", True) else os.environ.get(variable, default)
    for name, variable, default in [
        ("reviews-post", "ATELIER_RATE_LIMIT_REVIEWS_POST", "20/1h"),
        # Beside it: posts from one client on one product.
        ("reviews-post-product", "ATELIER_RATE_LIMIT_REVIEWS_POST_PRODUCT", "3/1d"),
        ("reviews-helpful", "ATELIER_RATE_LIMIT_REVIEWS_HELPFUL", "60/1m"),
        ("reviews-report", "ATELIER_RATE_LIMIT_REVIEWS_REPORT", "10/1h"),
        ("v2-vote", "ATELIER_RATE_LIMIT_V2_VOTE", "60/1m"),
        ("v2-reports", "ATELIER_RATE_LIMIT_V2_REPORTS", "10/1h"),
        ("admin-login", "ATELIER_RATE_LIMIT_ADMIN_LOGIN", "20/10m"),
    ]
}

# Signed shoppers (reviews.shoppers): the secrets the storefront signs its shoppers' tokens (JWT,
# HS256) with, comma-separated (any of them verifies, while one is rotated out). Set, v2 votes and
# reports require a signed shopper; unset (local use), votes take unsigned voter tokens, and
# `manage.py check --deploy` warns.
SHOPPER_TOKEN_SECRETS = env_list("ATELIER_SHOPPER_TOKEN_SECRET", "")

# Reports: each queues its review for a moderator, and hides it at once while reports have hidden
# fewer than this many of the product's reviews in the last 24 hours (and no moderator kept it
# published); beyond, reports only queue (reviews.services.review_report_add).
REPORT_HIDES_PER_PRODUCT = int(os.environ.get("ATELIER_REPORT_HIDES_PER_PRODUCT", "3"))

# Moderation (docs/moderation.md): what becomes of a new review. "post" publishes it at once (the
# legacy behaviour); "pre" holds every one for a moderator; "screened" publishes it unless the
# screen (reviews.screening) flags it, and holds a flagged one with the reasons. A screen that
# fails or takes longer than SCREEN_TIMEOUT_SECONDS holds the review too.
MODERATION_WORKFLOW = os.environ.get("ATELIER_MODERATION", "post")
SCREEN_TIMEOUT_SECONDS = float(os.environ.get("ATELIER_SCREEN_TIMEOUT_SECONDS", "1"))
# The screen's spam rules: more new reviews than this on one product within an hour is a burst.
SCREEN_BURST_PER_PRODUCT_HOUR = int(os.environ.get("ATELIER_SCREEN_BURST_PER_PRODUCT_HOUR", "20"))

# Admin sign-in (django-axes): after this many failures an account from one client, and a client
# whatever the accounts, is locked out for the cool-off time (never an account everywhere: anyone
# could lock a moderator out); `manage.py axes_reset` (or axes_reset_username) unlocks.
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]
AXES_FAILURE_LIMIT = int(os.environ.get("ATELIER_ADMIN_LOGIN_FAILURES", "5"))
AXES_COOLOFF_TIME = timedelta(minutes=int(os.environ.get("ATELIER_ADMIN_LOCKOUT_MINUTES", "15")))
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"], "ip_address"]
AXES_CLIENT_IP_CALLABLE = "atelier.clients.client_address"
AXES_RESET_ON_SUCCESS = True

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

LANGUAGE_CODE = "en-us"
TIME_ZONE = "UTC"
USE_I18N = True
USE_TZ = True

# The admin's and the docs' assets, served by WhiteNoise under hashed names (cached for a year).
# Not compressed ahead: compressing every file took most of `collectstatic` (20 s and more, for
# pages a few moderators open), while nginx gzips them on the way out.
STATIC_URL = "static/"
STATIC_ROOT = BASE_DIR / "staticfiles"
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.ManifestStaticFilesStorage"},
}

# JSON in, JSON out. The public routes ignore the Authorization header old clients still send.
REST_FRAMEWORK = {
    "DEFAULT_RENDERER_CLASSES": ["rest_framework.renderers.JSONRenderer"],
    "DEFAULT_PARSER_CLASSES": ["reviews.parsers.BoundedJSONParser"],
    "DEFAULT_AUTHENTICATION_CLASSES": [],
    "DEFAULT_PERMISSION_CLASSES": [],
    "UNAUTHENTICATED_USER": None,
    "EXCEPTION_HANDLER": "reviews.exceptions.api_exception_handler",
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
}

# OpenAPI 3 schema at /api/schema/, Swagger UI at /api/docs/ with its assets served locally.
SPECTACULAR_SETTINGS = {
    "TITLE": "Atelier Reviews API",
    "DESCRIPTION": "Ratings and reviews of the Atelier store's products.",
    "VERSION": "1.0.0",
    "OAS_VERSION": "3.1.0",
    "SERVE_INCLUDE_SCHEMA": False,
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    "POSTPROCESSING_HOOKS": [
        "drf_spectacular.hooks.postprocess_schema_enums",
        "reviews.schema.unknown_keys_allowed",
    ],
    # One name per set of choices that several fields share (a vote asked for and answered).
    "ENUM_NAME_OVERRIDES": {
        "VoteValueEnum": "reviews.v2.serializers.VOTE_VALUES",
        "ReportReasonInputEnum": "reviews.v2.serializers.REPORT_REASONS",
        "ReportReasonEnum": "reviews.v2.serializers.REPORT_REASONS_STORED",
    },
}

# Content-Security-Policy (django-csp) of the HTML pages, the admin and the API docs: their own
# scripts only, framed by nobody. Images may come from anywhere on the web (the admin shows the
# reviews' photos; the docs' icons are data: images). Both set inline style attributes (Django's
# admin templates, Swagger UI's React), so styles may be inline.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "style-src": ["'self'", "'unsafe-inline'"],
        "img-src": ["'self'", "data:", "https:", "http:"],
        "object-src": ["'none'"],
        "base-uri": ["'self'"],
        "form-action": ["'self'"],
        "frame-ancestors": ["'none'"],
    }
}

# CORS: store pages on these origins (scheme://host[:port], comma-separated) may call the public API
# from the browser; other origins get no CORS headers. Preflights are cached for a day.
CORS_ALLOWED_ORIGINS = env_list("ATELIER_CORS_ALLOWED_ORIGINS", "")
CORS_URLS_REGEX = r"^/(reviews|v2)(/.*)?$"
CORS_ALLOW_HEADERS = (
    "accept", "content-type", "idempotency-key", "if-none-match", "x-voter", "x-shopper-token",
)  # fmt: skip
CORS_EXPOSE_HEADERS = ("location", "etag", "retry-after", "ratelimit", "ratelimit-policy")
CORS_PREFLIGHT_MAX_AGE = 86400

# The HTTP cache tier in front of the app servers (deploy/varnish): the nodes this app server purges
# right after each write, as http://host:port URLs (none: no cache to keep exact); the purge outbox
# (`manage.py purge_drain`) sends each purge again this many seconds later, within the time the
# cache checks young objects against purges (docs/cache.md), and to nodes that missed it.
CACHE_NODES = env_list("ATELIER_CACHE_NODES", "")
# A node answers a purge in well under a millisecond: one that takes this long is unreachable.
CACHE_PURGE_TIMEOUT = float(os.environ.get("ATELIER_CACHE_PURGE_TIMEOUT", "0.25"))
CACHE_REPURGE_SECONDS = float(os.environ.get("ATELIER_CACHE_REPURGE_SECONDS", "2"))

# /metrics (atelier.metrics): migrations are not exported (that would query at every start).
PROMETHEUS_EXPORT_MIGRATIONS = False
# Latency buckets around what the API takes (a cached read well under a millisecond, a miss about
# one, a deep page or a post a few), up to the app servers' 30 s timeout.
PROMETHEUS_LATENCY_BUCKETS = (
    0.0005, 0.001, 0.002, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0, 30.0,
    float("inf"),
)  # fmt: skip

# Logs: one JSON object per line on stderr, with the request's id (atelier.requestid), or plain
# text with ATELIER_LOG_FORMAT=text.
LOG_FORMAT = os.environ.get("ATELIER_LOG_FORMAT", "json")
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "filters": {"request_id": {"()": "atelier.requestid.RequestIdFilter"}},
    "formatters": {
        "json": {
            "()": "pythonjsonlogger.json.JsonFormatter",
            "fmt": "%(asctime)s %(levelname)s %(name)s %(request_id)s %(message)s",
            "rename_fields": {"asctime": "time", "levelname": "level", "name": "logger"},
        },
        "text": {"format": "%(asctime)s %(levelname)s %(name)s [%(request_id)s] %(message)s"},
    },
    "handlers": {
        "console": {
            "class": "logging.StreamHandler",
            "filters": ["request_id"],
            "formatter": "text" if LOG_FORMAT == "text" else "json",
        }
    },
    "root": {"handlers": ["console"], "level": os.environ.get("DJANGO_LOG_LEVEL", "WARNING")},
}

# Error reporting to Sentry (sentry-sdk), only when a DSN is set. No personal data is sent.
SENTRY_DSN = os.environ.get("SENTRY_DSN", "")
if SENTRY_DSN:
    import sentry_sdk
    from sentry_sdk.integrations.django import DjangoIntegration

    sentry_sdk.init(
        dsn=SENTRY_DSN,
        integrations=[DjangoIntegration()],
        environment=os.environ.get("SENTRY_ENVIRONMENT", "production"),
        traces_sample_rate=float(os.environ.get("SENTRY_TRACES_SAMPLE_RATE", "0")),
        send_default_pii=False,
    )
