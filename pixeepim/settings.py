"""Pixee PIM settings.

Every value comes from the environment, read here once; code reads ``settings.X``.
Defaults are safe: DEBUG is off, and outside DEBUG the secrets must be given.
"""

import base64
import hashlib
import os
from datetime import timedelta
from pathlib import Path

import dj_database_url
from django.core.exceptions import ImproperlyConfigured

BASE_DIR = Path(__file__).resolve().parent.parent


def env_bool(name, default=False):
    value = os.environ.get(name)
    if value is None or value == "":
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def env_list(name, default=""):
    return [item.strip() for item in os.environ.get(name, default).split(",") if item.strip()]


DEBUG = env_bool("DJANGO_DEBUG", False)

SECRET_KEY = os.environ.get("DJANGO_SECRET_KEY", "")
if not SECRET_KEY:
    if not DEBUG:
        raise ImproperlyConfigured("DJANGO_SECRET_KEY must be set when DJANGO_DEBUG is off.")
    SECRET_KEY = "django-insecure-development-only-key-do-not-use-in-production"

ALLOWED_HOSTS = env_list("DJANGO_ALLOWED_HOSTS", "localhost,127.0.0.1,[::1]" if DEBUG else "")
CSRF_TRUSTED_ORIGINS = env_list("DJANGO_CSRF_TRUSTED_ORIGINS")

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "rest_framework",
    "django_filters",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "django_dramatiq",
    "pixeepim.tenancy",
    "pixeepim.auth",
    "pixeepim.api",
    "products",
    "workflow",
    "connectors",
    "webhooks",
    "exports",
    "imports",
    "extapi",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
]

ROOT_URLCONF = "pixeepim.urls"
WSGI_APPLICATION = "pixeepim.wsgi.application"
# Paths are exact: /api/v1/connectors/ needs its slash, /api/v1/products must not get one.
APPEND_SLASH = False

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
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

# --- Database --------------------------------------------------------------------------------
DATABASES = {
    "default": dj_database_url.parse(
        os.environ.get("DATABASE_URL", f"sqlite:///{BASE_DIR / 'db.sqlite3'}"),
        conn_max_age=int(os.environ.get("DATABASE_CONN_MAX_AGE", "60")),
        conn_health_checks=True,
    )
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # A file, not memory, so that a worker process started by a test sees the test's data.
    DATABASES["default"]["TEST"] = {"NAME": str(BASE_DIR / ".test-db.sqlite3")}
    # WAL: readers never wait for a writer (the web process and its in-process worker share the file).
    DATABASES["default"]["OPTIONS"] = {
        "transaction_mode": "IMMEDIATE",
        "timeout": 20,
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
    }
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_USER_MODEL = "tenancy.User"
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

# --- Cache (rate limits) ---------------------------------------------------------------------
REDIS_URL = os.environ.get("REDIS_URL", "")
if REDIS_URL:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": REDIS_URL}}
else:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}

# --- Internationalisation, static files ------------------------------------------------------
LANGUAGE_CODE = "en-us"
TIME_ZONE = "UTC"
USE_I18N = True
USE_TZ = True
STATIC_URL = "static/"
STATIC_ROOT = BASE_DIR / "staticfiles"
MEDIA_URL = "media/"
MEDIA_ROOT = Path(os.environ.get("PIXEE_MEDIA_ROOT", BASE_DIR / "media"))
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"
        if DEBUG
        else "whitenoise.storage.CompressedManifestStaticFilesStorage"
    },
}

# --- Security --------------------------------------------------------------------------------
SECURE_CONTENT_TYPE_NOSNIFF = True
X_FRAME_OPTIONS = "DENY"
# Whether the site is served over HTTPS (directly or behind a TLS proxy): cookies are then Secure,
# plain HTTP is redirected and HSTS is sent. Off only for local plain-HTTP set-ups.
PIXEE_HTTPS = env_bool("PIXEE_HTTPS", not DEBUG)
SESSION_COOKIE_SECURE = CSRF_COOKIE_SECURE = PIXEE_HTTPS
SECURE_SSL_REDIRECT = env_bool("PIXEE_SSL_REDIRECT", PIXEE_HTTPS)
SECURE_HSTS_SECONDS = int(os.environ.get("PIXEE_HSTS_SECONDS", "31536000" if PIXEE_HTTPS else "0"))
SECURE_HSTS_INCLUDE_SUBDOMAINS = SECURE_HSTS_SECONDS > 0
SECURE_HSTS_PRELOAD = SECURE_HSTS_SECONDS > 0
if env_bool("PIXEE_BEHIND_TLS_PROXY", False):
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")

# Fernet keys for credentials at rest, newest first (MultiFernet rotation).
PIXEE_FERNET_KEYS = env_list("PIXEE_FERNET_KEYS")
if not PIXEE_FERNET_KEYS:
    if not DEBUG:
        raise ImproperlyConfigured(
            "PIXEE_FERNET_KEYS must be set when DJANGO_DEBUG is off "
            "(comma-separated Fernet keys, newest first)."
        )
    PIXEE_FERNET_KEYS = [base64.urlsafe_b64encode(hashlib.sha256(SECRET_KEY.encode()).digest()).decode()]

# Hosts or CIDRs that connectors may reach although private (on-premise shops, test fakes).
PIXEE_SSRF_ALLOW = env_list("PIXEE_SSRF_ALLOW")

# --- Connectors ------------------------------------------------------------------------------
# Seconds a platform has to answer one request; attempts per request on 429/5xx/timeouts, and
# the exponential back-off between them (base, doubled per attempt, capped) when the platform
# does not say how long to wait.
PIXEE_CONNECTOR_TIMEOUT = float(os.environ.get("PIXEE_CONNECTOR_TIMEOUT", "30"))
PIXEE_CONNECTOR_MAX_ATTEMPTS = int(os.environ.get("PIXEE_CONNECTOR_MAX_ATTEMPTS", "6"))
PIXEE_CONNECTOR_BACKOFF_BASE = float(os.environ.get("PIXEE_CONNECTOR_BACKOFF_BASE", "1"))
PIXEE_CONNECTOR_BACKOFF_CAP = float(os.environ.get("PIXEE_CONNECTOR_BACKOFF_CAP", "60"))
# Webhooks: seconds a receiver has to answer; tries before a delivery fails; first retry delay in
# seconds (doubled per try); how often each worker process looks for due deliveries.
PIXEE_WEBHOOK_TIMEOUT = float(os.environ.get("PIXEE_WEBHOOK_TIMEOUT", "10"))
PIXEE_WEBHOOK_MAX_ATTEMPTS = int(os.environ.get("PIXEE_WEBHOOK_MAX_ATTEMPTS", "8"))
PIXEE_WEBHOOK_RETRY_BASE = float(os.environ.get("PIXEE_WEBHOOK_RETRY_BASE", "30"))
PIXEE_WEBHOOK_POLL_SECONDS = float(os.environ.get("PIXEE_WEBHOOK_POLL_SECONDS", "5"))
# How often each worker process looks for scheduled syncs that are due.
PIXEE_SCHEDULER_SECONDS = float(os.environ.get("PIXEE_SCHEDULER_SECONDS", "30"))

# --- Authentication --------------------------------------------------------------------------
PIXEE_ACCESS_TOKEN_TTL = timedelta(minutes=15)
PIXEE_REFRESH_TOKEN_TTL = timedelta(days=int(os.environ.get("PIXEE_REFRESH_TOKEN_DAYS", "14")))
PIXEE_REFRESH_COOKIE_NAME = "refresh_token"
PIXEE_REFRESH_COOKIE_PATH = "/api/v1/auth"
PIXEE_REFRESH_COOKIE_SECURE = PIXEE_HTTPS
PIXEE_LOCKOUT_THRESHOLD = 5
PIXEE_LOCKOUT_WINDOW = timedelta(minutes=15)
PIXEE_LOCKOUT_DURATION = timedelta(minutes=15)
# An API key's last_used_at is written at most this often, so hot keys cost no write per request.
PIXEE_API_KEY_TOUCH_INTERVAL = timedelta(seconds=60)

SIMPLE_JWT = {
    "ACCESS_TOKEN_LIFETIME": PIXEE_ACCESS_TOKEN_TTL,
    "ALGORITHM": "HS256",
    "SIGNING_KEY": SECRET_KEY,
    "AUTH_HEADER_TYPES": ("Bearer",),
    "USER_ID_CLAIM": "sub",
    "USER_ID_FIELD": "id",
    "TOKEN_TYPE_CLAIM": "typ",
    "UPDATE_LAST_LOGIN": False,
}

# --- REST framework --------------------------------------------------------------------------
REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        # The first class's scheme is the one a 401 names in WWW-Authenticate.
        "pixeepim.auth.authentication.AccessTokenAuthentication",
        "pixeepim.auth.authentication.ApiKeyAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated"],
    "DEFAULT_THROTTLE_CLASSES": ["pixeepim.api.throttling.TierRateThrottle"],
    "DEFAULT_PAGINATION_CLASS": "pixeepim.api.pagination.PagePagination",
    "DEFAULT_FILTER_BACKENDS": ["django_filters.rest_framework.DjangoFilterBackend"],
    "DEFAULT_RENDERER_CLASSES": ["pixeepim.api.renderers.FastJSONRenderer"],
    "DEFAULT_PARSER_CLASSES": ["rest_framework.parsers.JSONParser"],
    "EXCEPTION_HANDLER": "pixeepim.api.exceptions.api_exception_handler",
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "UNAUTHENTICATED_USER": None,
    "DATETIME_FORMAT": "%Y-%m-%dT%H:%M:%S.%fZ",  # pixeepim.api.formats.ISO_UTC
    "COERCE_DECIMAL_TO_STRING": False,
}

# Requests per minute for each tier, per caller (user, API key, or client address for AUTH).
PIXEE_RATE_LIMITS = {
    "AUTH": int(os.environ.get("PIXEE_RATE_AUTH", "30")),
    "READ_STANDARD": int(os.environ.get("PIXEE_RATE_READ", "1200")),
    "WRITE_STANDARD": int(os.environ.get("PIXEE_RATE_WRITE", "600")),
    "EXPORT_STANDARD": int(os.environ.get("PIXEE_RATE_EXPORT", "30")),
}

SPECTACULAR_SETTINGS = {
    "TITLE": "Pixee PIM API",
    "DESCRIPTION": "Product information management: catalog, workflow, connectors and partner APIs.",
    "VERSION": "1.0.0",
    "SERVE_INCLUDE_SCHEMA": False,
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    "COMPONENT_SPLIT_REQUEST": True,
    "ENUM_NAME_OVERRIDES": {
        "ProductStatusEnum": "products.models.Product.Status",
        "CatalogJobStatusEnum": "products.models.CatalogJob.Status",
        "ItemResultStatusEnum": ["created", "updated", "skipped", "error"],
    },
}

# --- Workers ---------------------------------------------------------------------------------
DRAMATIQ_BROKER_URL = os.environ.get("DRAMATIQ_BROKER_URL", "")
# Without a broker, jobs run in a worker thread inside the web process (the zero-setup mode).
PIXEE_IN_PROCESS_WORKER = env_bool("PIXEE_IN_PROCESS_WORKER", not DRAMATIQ_BROKER_URL)
PIXEE_IN_PROCESS_WORKER_THREADS = int(os.environ.get("PIXEE_IN_PROCESS_WORKER_THREADS", "2"))

from pixeepim.workers import broker_settings  # noqa: E402  (needs the values above)

DRAMATIQ_BROKER = broker_settings(
    DRAMATIQ_BROKER_URL,
    os.environ.get("DRAMATIQ_NAMESPACE", "dramatiq"),
    heartbeat_timeout_ms=int(os.environ.get("DRAMATIQ_HEARTBEAT_TIMEOUT_MS", "60000")),
    maintenance_chance=int(os.environ.get("DRAMATIQ_MAINTENANCE_CHANCE", "1000")),
)
DRAMATIQ_AUTODISCOVER_MODULES = ["tasks"]

# --- Logging ---------------------------------------------------------------------------------
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s: %(message)s"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "plain"}},
    "root": {"handlers": ["console"], "level": os.environ.get("PIXEE_LOG_LEVEL", "INFO")},
    "loggers": {
        # Django's own default handler would print every django.* record a second time.
        "django": {"handlers": ["console"], "level": "INFO", "propagate": False},
        "django.db.backends": {"level": "WARNING"},
    },
}
