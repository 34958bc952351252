"""Settings for claimtracker, read from the environment (see .env.example for every variable)."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import dj_database_url
import sentry_sdk
from csp.constants import NONCE, NONE, SELF, UNSAFE_INLINE
from django.core.exceptions import ImproperlyConfigured

from claimtracker.env import (
    env_bool,
    env_choice,
    env_float,
    env_int,
    env_list,
    env_rate,
    env_str,
    load_dotenv,
    local_secret_key,
)
from claimtracker.logs import logging_config

PACKAGE_DIR = Path(__file__).resolve().parent
# A checkout keeps .env and var/ beside the packages; an installed copy (pip install .) keeps them
# in the directory it is started from, never inside site-packages.
_CHECKOUT = PACKAGE_DIR.parent
BASE_DIR = _CHECKOUT if (_CHECKOUT / "manage.py").is_file() else Path.cwd()
VAR_DIR = BASE_DIR / "var"


def _shipped(name: str) -> Path:
    """templates/ or static/: inside the package when installed, else beside it (a checkout)."""
    installed = PACKAGE_DIR / name
    return installed if installed.is_dir() else _CHECKOUT / name


TEMPLATES_DIR = _shipped("templates")
STATIC_SOURCE_DIR = _shipped("static")

load_dotenv(BASE_DIR / ".env")

DEBUG = env_bool("DEBUG", default=False)

SECRET_KEY = env_str("SECRET_KEY")
if SECRET_KEY is None:
    if not DEBUG:
        raise ImproperlyConfigured(
            "SECRET_KEY must be set when DEBUG is off (for a local run, set DEBUG=true "
            "and a key is generated under var/)."
        )
    SECRET_KEY = local_secret_key(VAR_DIR / "secret_key")

# Proves to PostgreSQL which user the application acts for (claims/ledger/postgres.py). Unset,
# the application uses the database's own key when its role may read it (the owner's: local runs).
HISTORY_KEY = env_str("HISTORY_KEY", "") or ""
# Keys replaced by set_history_key, still used by verify_integrity to check older records.
HISTORY_PREVIOUS_KEYS = env_list("HISTORY_PREVIOUS_KEYS", [])
# The Ed25519 key signing the history's tree heads (claims/ledger/heads.py): PEM or hex seed, or a
# file holding it. DEBUG makes one under var/; else none means no heads, and check --deploy fails.
LEDGER_SIGNING_KEY = env_str("LEDGER_SIGNING_KEY", "") or ""
_LOCAL_LEDGER_KEY = str(VAR_DIR / "ledger_signing_key.pem") if DEBUG else ""
LEDGER_SIGNING_KEY_FILE = env_str("LEDGER_SIGNING_KEY_FILE", "") or _LOCAL_LEDGER_KEY
# An RFC 3161 time-stamping authority for signed heads and archives, and the CA certificate
# (PEM file) its tokens must chain to. None by default: then nothing is stamped.
TSA_URL, TSA_CA_FILE = env_str("TSA_URL", "") or "", env_str("TSA_CA_FILE", "") or ""
# The licence the dataset export names (datapackage.json's "licenses"): an SPDX id and its text's
# address. The record's content is the operator's to license; CC BY 4.0 unless they say otherwise.
DATASET_LICENSE = env_str("DATASET_LICENSE", "CC-BY-4.0") or "CC-BY-4.0"
DATASET_LICENSE_URL = env_str("DATASET_LICENSE_URL", "") or (
    "https://creativecommons.org/licenses/by/4.0/" if DATASET_LICENSE == "CC-BY-4.0" else ""
)

# Who publishes this installation's ClaimReview documents (schema.org's author and publisher):
# the organisation running it, never the software's name. Unset, no ClaimReview is emitted.
CLAIMREVIEW_PUBLISHER_NAME = env_str("CLAIMREVIEW_PUBLISHER_NAME", "") or ""
CLAIMREVIEW_PUBLISHER_URL = env_str("CLAIMREVIEW_PUBLISHER_URL", "") or ""
if bool(CLAIMREVIEW_PUBLISHER_NAME) != bool(CLAIMREVIEW_PUBLISHER_URL):
    raise ImproperlyConfigured("Set CLAIMREVIEW_PUBLISHER_NAME and _URL together, or neither.")
if CLAIMREVIEW_PUBLISHER_URL and not CLAIMREVIEW_PUBLISHER_URL.startswith(("https://", "http://")):
    raise ImproperlyConfigured("CLAIMREVIEW_PUBLISHER_URL must be an http(s) address.")

ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", ["127.0.0.1", "localhost", "[::1]"] if DEBUG else [])

INSTALLED_APPS = [
    # django.contrib.admin, with the editors' site (its pickers say enough to choose by).
    "claims.admin_site.EditorsAdminConfig",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.postgres",
    "rest_framework",
    "django_filters",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "axes",
    "sources",
    "claims",
]

MIDDLEWARE = [
    # First: its request id, log line and X-Request-ID header cover every answer, 500s included.
    "claimtracker.middleware.RequestLogMiddleware",
    "django.middleware.security.SecurityMiddleware",
    # Serves collected static files from any web process, so no separate file server is needed.
    "whitenoise.middleware.WhiteNoiseMiddleware",
    # Outside everything that can fail (the database included), so that under /api/ even a
    # failure in another middleware answers the API's problem shape, never the site's HTML page.
    "claims.api.middleware.ProblemsMiddleware",
    # Before anything reads: where this request reads (a replica or the primary).
    "claimtracker.replicas.ReplicaReadsMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    # After authentication: signed-in users are not counted.
    "claimtracker.throttling.PageThrottleMiddleware",
    "claims.ledger.middleware.HistoryUserMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "csp.middleware.CSPMiddleware",
    # Last, so it sees the outcome of every login attempt.
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "claimtracker.urls"
WSGI_APPLICATION = "claimtracker.wsgi.application"
ASGI_APPLICATION = "claimtracker.asgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [TEMPLATES_DIR],
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

# --- Data -------------------------------------------------------------------------------------
_DEFAULT_DATABASE_URL = f"sqlite:///{VAR_DIR / 'claimtracker.sqlite3'}"
DATABASE_URL = env_str("DATABASE_URL", _DEFAULT_DATABASE_URL)
try:
    DATABASES = {
        "default": dj_database_url.parse(
            DATABASE_URL,
            conn_max_age=env_int("DATABASE_CONN_MAX_AGE", 0),
            # A kept connection the server has since closed (a restart, a failover, an idle
            # timeout) is tested before each request reuses it, instead of failing that request.
            conn_health_checks=env_bool("DATABASE_CONN_HEALTH_CHECKS", True),
        )
    }
except ValueError as error:
    raise ImproperlyConfigured(f"DATABASE_URL is not a usable database URL: {error}") from None
IS_SQLITE = DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3"
# Streaming replicas of the primary (claimtracker/replicas.py): safe requests that have not
# written read from one whose lag is within REPLICA_MAX_LAG_SECONDS; everything else, the primary.
DATABASE_REPLICA_URLS = env_list("DATABASE_REPLICA_URLS", [])
for _number, _url in enumerate(DATABASE_REPLICA_URLS, start=1):
    try:
        _replica = dj_database_url.parse(
            _url,
            conn_max_age=DATABASES["default"]["CONN_MAX_AGE"],
            conn_health_checks=DATABASES["default"]["CONN_HEALTH_CHECKS"],
        )
    except ValueError as error:
        raise ImproperlyConfigured(f"DATABASE_REPLICA_URLS: not a usable URL: {error}") from None
    if IS_SQLITE or _replica["ENGINE"] != DATABASES["default"]["ENGINE"]:
        raise ImproperlyConfigured("DATABASE_REPLICA_URLS needs PostgreSQL for both ends.")
    # A replica that does not answer must cost a request seconds, not minutes; tests create no
    # database on it (the replica tests point it at the real replica: tests/replicas.py).
    _replica["OPTIONS"] = {"connect_timeout": env_int("DATABASE_REPLICA_CONNECT_TIMEOUT", 2)}
    _replica["TEST"] = {"MIRROR": "default"}
    DATABASES[f"replica_{_number}"] = _replica
DATABASE_ROUTERS = ["claimtracker.replicas.ReplicaRouter"]
REPLICA_MAX_LAG_SECONDS = env_float("REPLICA_MAX_LAG_SECONDS", 5.0, minimum=0)
REPLICA_LAG_CHECK_SECONDS = env_float("REPLICA_LAG_CHECK_SECONDS", 1.0, minimum=0)
# After a write, the same API token reads the primary this long (a session always does).
REPLICA_STICKY_SECONDS = env_int("REPLICA_STICKY_SECONDS", 10)
if REPLICA_STICKY_SECONDS <= REPLICA_MAX_LAG_SECONDS + REPLICA_LAG_CHECK_SECONDS:
    raise ImproperlyConfigured(
        "REPLICA_STICKY_SECONDS must be longer than REPLICA_MAX_LAG_SECONDS + "
        "REPLICA_LAG_CHECK_SECONDS, or a client could read a replica that lacks its own write."
    )
# Always read the primary: the admin, and the ledger's heads and proofs, which must be exact.
REPLICA_PRIMARY_PATHS = env_list("REPLICA_PRIMARY_PATHS", ["/admin/", "/api/v1/ledger/"])
if IS_SQLITE:
    VAR_DIR.mkdir(exist_ok=True)
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# --- Jobs: Celery, the sweep, fetching and delivering (claimtracker/settings_jobs.py) --------
from claimtracker.settings_jobs import *  # noqa: E402, F403
from claimtracker.settings_jobs import CELERY_TASK_ALWAYS_EAGER  # noqa: E402

# --- Cache ----------------------------------------------------------------------------------------
# API throttle counts (and anything else cached) must be shared by every web process: Redis in
# production; the in-process cache only for a single local process.
CACHE_URL = env_str("CACHE_URL")
CACHES = {
    "default": (
        {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": CACHE_URL,
            # A cache that stops answering must fail a request (and /healthz) fast, not hang it.
            "OPTIONS": {"socket_connect_timeout": 2, "socket_timeout": 2},
        }
        if CACHE_URL
        else {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}
    )
}

# --- Language and time ------------------------------------------------------------------------
LANGUAGE_CODE = "en"
TIME_ZONE = "UTC"
USE_I18N = True
USE_TZ = True

# --- Static and uploaded files ----------------------------------------------------------------
STATIC_URL = "static/"
STATIC_ROOT = Path(env_str("STATIC_ROOT", str(BASE_DIR / "staticfiles")))
STATICFILES_DIRS = [STATIC_SOURCE_DIR] if STATIC_SOURCE_DIR.is_dir() else []
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"
        if not DEBUG
        else "django.contrib.staticfiles.storage.StaticFilesStorage"
    },
}
MEDIA_URL = "media/"
MEDIA_ROOT = Path(env_str("MEDIA_ROOT", str(VAR_DIR / "media")))

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

LOGIN_URL = "admin:login"

# --- Security -----------------------------------------------------------------------------------
# Production differs from a local run only by environment: with DEBUG off, cookies are secure and
# HSTS is sent; behind a TLS-terminating proxy set BEHIND_TLS_PROXY and SECURE_SSL_REDIRECT.
SESSION_COOKIE_SECURE = env_bool("SECURE_COOKIES", not DEBUG)
CSRF_COOKIE_SECURE = SESSION_COOKIE_SECURE
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", False)
BEHIND_TLS_PROXY = env_bool("BEHIND_TLS_PROXY", False)
if BEHIND_TLS_PROXY:
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
# How many proxies in front of the web processes append to X-Forwarded-For: the client is the
# address that many entries from the end (the one our nearest proxy appended); whatever a client
# writes there itself comes before it and is never believed. 0: the connection's own address.
PROXY_COUNT = env_int("PROXY_COUNT", 1 if BEHIND_TLS_PROXY else 0)
if PROXY_COUNT < 0:
    raise ImproperlyConfigured(f"PROXY_COUNT must be 0 or more, got {PROXY_COUNT}.")
SECURE_HSTS_SECONDS = env_int("SECURE_HSTS_SECONDS", 0 if DEBUG else 31_536_000)
SECURE_HSTS_INCLUDE_SUBDOMAINS = True
SECURE_HSTS_PRELOAD = True
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS", [])

# Content Security Policy: scripts only from this site, or inline with the per-response nonce
# ({{ request.csp_nonce }}); nothing is ever loaded from another origin.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [SELF],
        "script-src": [SELF, NONCE],
        # Inline style attributes (some in Django's admin) are allowed; inline script is not.
        "style-src": [SELF, UNSAFE_INLINE],
        "img-src": [SELF, "data:"],
        "font-src": [SELF],
        "connect-src": [SELF],
        "object-src": [NONE],
        "base-uri": [NONE],
        "form-action": [SELF],
        "frame-ancestors": [NONE],
    }
}

# Sign-in lockout: after AXES_FAILURE_LIMIT failures for one user name from one address, that
# pair is refused until the cool-off has passed. The count lives in the database, so every web
# process sees the same count.
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]
AXES_FAILURE_LIMIT = env_int("LOGIN_FAILURE_LIMIT", 5)
AXES_COOLOFF_TIME = dt.timedelta(minutes=env_int("LOGIN_COOLOFF_MINUTES", 15))
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_TEMPLATE = "registration/locked_out.html"
# The same client address as the API's throttles (PROXY_COUNT). django-ipware is not installed,
# so axes would otherwise key every lockout on the proxy's address.
AXES_CLIENT_IP_CALLABLE = "claimtracker.throttling.client_address"

# --- REST API ---------------------------------------------------------------------------------
REST_FRAMEWORK = {
    "DEFAULT_SCHEMA_CLASS": "claims.api.schema.AutoSchema",
    "DEFAULT_FILTER_BACKENDS": ["claims.api.filters.AskedFilterBackend"],
    # Tools send "Authorization: Token …"; the browsable API and pages use the session.
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "claims.api.authentication.ApiTokenAuthentication",
        "rest_framework.authentication.SessionAuthentication",
    ],
    # Anyone reads (views scope claims to published ones); model permissions decide writes.
    # DRF's model permissions, answering reads without building the view's queryset.
    "DEFAULT_PERMISSION_CLASSES": ["claims.api.permissions.ReadsFreelyModelPermissions"],
    # Anonymous clients by address, token clients by user, each counted by one throttle only;
    # counts live in the cache.
    "DEFAULT_THROTTLE_CLASSES": [
        "rest_framework.throttling.AnonRateThrottle",
        "claims.api.throttles.SignedInRateThrottle",
    ],
    # Clients are named by their address behind PROXY_COUNT proxies (claimtracker.throttling);
    # DRF's default (None) would take the whole X-Forwarded-For header, which clients write.
    "NUM_PROXIES": PROXY_COUNT,
    "DEFAULT_THROTTLE_RATES": {
        "anon": env_str("API_THROTTLE_ANON", "120/minute"),
        "user": env_str("API_THROTTLE_USER", "1200/minute"),
    },
    "DEFAULT_PAGINATION_CLASS": "claims.api.pagination.CappedLimitOffsetPagination",
    "PAGE_SIZE": 50,
    "TEST_REQUEST_DEFAULT_FORMAT": "json",
    # The write path's refusals (claims.record.errors) become 400 / 403 / 412 in one place.
    "EXCEPTION_HANDLER": "claims.api.errors.exception_handler",
}
# Failed token authentications per client address, counted like failed sign-ins: beyond the limit
# within the window that address answers 429, whatever token it sends, until the window ends.
API_TOKEN_FAILURE_LIMIT = env_int("API_TOKEN_FAILURE_LIMIT", 20)
API_TOKEN_FAILURE_WINDOW = env_int("API_TOKEN_FAILURE_WINDOW", 15 * 60)
# How long the answer to a write sent with an Idempotency-Key is kept to answer its retries.
IDEMPOTENCY_TTL = dt.timedelta(hours=env_int("IDEMPOTENCY_TTL_HOURS", 24))
# Requests for pages per anonymous address ("off" when the proxy in front limits them).
PAGE_THROTTLE = env_rate("PAGE_THROTTLE", "300/minute")

# The API's public base URL for the schema's `servers` (such as https://claims.example.org/);
# "/" names this server, whatever its address.
API_PUBLIC_URL = env_str("API_PUBLIC_URL", "/")
SPECTACULAR_SETTINGS = {
    "TITLE": "claimtracker API",
    "DESCRIPTION": "Who claimed what about contested events, who answered, on what evidence.",
    "VERSION": "1.0.0",
    "SERVE_INCLUDE_SCHEMA": False,
    # The docs page's files come from drf-spectacular-sidecar, never from a CDN.
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    "SCHEMA_PATH_PREFIX": "/api/v1",
    "COMPONENT_SPLIT_REQUEST": True,
    # Where clients reach the API; relative (this server) unless API_PUBLIC_URL names it.
    "SERVERS": [{"url": API_PUBLIC_URL}],
    # The problem shapes every error answer refers to (claims.api.schema).
    "POSTPROCESSING_HOOKS": [
        "drf_spectacular.hooks.postprocess_schema_enums",
        "claims.api.schema.add_problem_components",
    ],
    "ENUM_NAME_OVERRIDES": {
        "ClaimStatusEnum": "claims.models.Claim.Status",
        "ClaimKindEnum": "claims.models.Claim.Kind",
        "ActorKindEnum": "sources.models.Actor.Kind",
        "DocumentKindEnum": "sources.models.Document.Kind",
        "EvidenceKindEnum": "claims.models.Evidence.Kind",
        "ResponseKindEnum": "claims.models.Response.Kind",
        "PrecisionEnum": "claimtracker.dates.Precision",
        "LocationPrecisionEnum": "claims.models.LocationPrecision",
    },
}

# --- Discrepancy flags on casualty figures (claims/reading/discrepancies.py) ----------------
# A speaker's figure counts as lowered when its top lies below the bottom of its previous figure
# by at least this fraction of it (0.05: a drop of 5% or more).
FIGURE_FLAG_LOWERED_BY = env_float("FIGURE_FLAG_LOWERED_BY", 0.05, minimum=0)
# Two parties' latest ranges that do not overlap are flagged when the higher one's bottom is at
# least this many times the lower one's top.
FIGURE_FLAG_APART_RATIO = env_float("FIGURE_FLAG_APART_RATIO", 1.5, minimum=1)
# A relay is flagged once its originator gave another figure (or corrected itself) at least this
# many days after the statement relayed.
FIGURE_FLAG_SUPERSEDED_DAYS = env_int("FIGURE_FLAG_SUPERSEDED_DAYS", 1)
# One originator's figure is flagged as counted twice when this many relays carry it.
FIGURE_FLAG_COUNTED_TWICE_RELAYS = env_int("FIGURE_FLAG_COUNTED_TWICE_RELAYS", 2)
# The figures endpoints list at most this many flags with each figure, and say how many more
# there are and where to read them all: the busiest incident at a million claims has a figure in
# over a thousand flags, and half a million flags in all.
FIGURE_FLAGS_PER_FIGURE = env_int("FIGURE_FLAGS_PER_FIGURE", 5)
if FIGURE_FLAG_SUPERSEDED_DAYS < 0 or FIGURE_FLAG_COUNTED_TWICE_RELAYS < 2:
    raise ImproperlyConfigured(
        "FIGURE_FLAG_SUPERSEDED_DAYS must be 0 or more, FIGURE_FLAG_COUNTED_TWICE_RELAYS 2 or more."
    )
if FIGURE_FLAGS_PER_FIGURE < 1:
    raise ImproperlyConfigured("FIGURE_FLAGS_PER_FIGURE must be 1 or more.")

# --- Logs and error reports -----------------------------------------------------------------
# Everything to stderr, one line per record: text, or JSON lines with LOG_FORMAT=json. Each line
# names its request id (X-Request-ID); secrets are redacted (claimtracker/logs.py).
LOG_FORMAT = env_choice("LOG_FORMAT", ("text", "json"), "text")
LOG_LEVEL = env_choice("LOG_LEVEL", ("DEBUG", "INFO", "WARNING", "ERROR"), "INFO")
LOGGING_CONFIG = "claimtracker.logs.configure"
LOGGING = logging_config(
    log_format=LOG_FORMAT, level=LOG_LEVEL, tasks_in_process=CELERY_TASK_ALWAYS_EAGER
)

# Sentry, only when SENTRY_DSN is set. Its Django and Celery integrations turn on by themselves;
# no personal data is sent (no cookies, user details or request bodies), and the request id
# goes along as a tag (claimtracker.middleware).
SENTRY_DSN = env_str("SENTRY_DSN")
if SENTRY_DSN:
    sentry_sdk.init(
        dsn=SENTRY_DSN,
        environment=env_str("SENTRY_ENVIRONMENT", "production"),
        send_default_pii=False,
        max_request_body_size="never",
        traces_sample_rate=0.0,
    )
