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
from claimtracker.schedule import TASK_MODULES, beat_schedule

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
    # failure in another middleware answers the API's JSON error, never the site's HTML page.
    "claims.api.middleware.ServerErrorsAsJsonMiddleware",
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
if IS_SQLITE:
    VAR_DIR.mkdir(exist_ok=True)
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# --- Jobs -------------------------------------------------------------------------------------
# With no broker configured, tasks run in-process so a first run needs no services.
CELERY_BROKER_URL = env_str("CELERY_BROKER_URL")
CELERY_TASK_ALWAYS_EAGER = CELERY_BROKER_URL is None
# In-process tasks behave as on a worker: they retry, and their errors are recorded on the row
# (archive status, delivery log) instead of breaking the request that queued them.
CELERY_TASK_EAGER_PROPAGATES = False
# A task is acknowledged only when it finishes, and handed to another worker when its worker
# dies; one message at a time per worker process so a long fetch never holds others back.
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_TASK_SERIALIZER = "json"
CELERY_ACCEPT_CONTENT = ["json"]
# Nothing reads task results: state lives in our own tables (archive status, deliveries, imports).
CELERY_TASK_IGNORE_RESULT = True
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
# Redis re-delivers an unacknowledged message after the visibility timeout, so every task must
# be stopped well before it, or a slow task would run twice at the same time.
JOBS_VISIBILITY_TIMEOUT = env_int("CELERY_VISIBILITY_TIMEOUT", 3600)
CELERY_TASK_TIME_LIMIT = env_int("CELERY_TASK_TIME_LIMIT", 300)
CELERY_TASK_SOFT_TIME_LIMIT = env_int("CELERY_TASK_SOFT_TIME_LIMIT", 240)
if not CELERY_TASK_SOFT_TIME_LIMIT < CELERY_TASK_TIME_LIMIT < JOBS_VISIBILITY_TIMEOUT:
    raise ImproperlyConfigured(
        "Need CELERY_TASK_SOFT_TIME_LIMIT < CELERY_TASK_TIME_LIMIT < CELERY_VISIBILITY_TIMEOUT."
    )
CELERY_BROKER_TRANSPORT_OPTIONS = {
    "visibility_timeout": JOBS_VISIBILITY_TIMEOUT,
    # How often a worker looks for messages a dead worker left unacknowledged past the timeout
    # (kombu's default is every 10 × 10 s); throttle 1 makes the interval the only control.
    "unacked_restore_interval": env_int("CELERY_UNACKED_RESTORE_INTERVAL", 60),
    "unacked_restore_throttle": 1,
    # A broker that vanishes without closing the connection must not hang a request's publish.
    "socket_connect_timeout": 3,
    "socket_timeout": 10,
}
# A web request that queues a task after commit must not hang when the broker is down: the
# outbox and the pending archive status keep the work, and the beat sweep queues it later.
CELERY_TASK_PUBLISH_RETRY_POLICY = {"max_retries": 2, "interval_start": 0, "interval_step": 0.5}
CELERY_BROKER_CONNECTION_TIMEOUT = 3
# Workers log through LOGGING (below) like the web processes, in the same format.
CELERY_WORKER_HIJACK_ROOT_LOGGER = False
# Beat queues a heartbeat this often; /healthz fails when none ran for HEALTH_WORKER_MINUTES.
HEALTH_HEARTBEAT_SECONDS = env_int("HEALTH_HEARTBEAT_SECONDS", 60)
HEALTH_WORKER_MINUTES = env_int("HEALTH_WORKER_MINUTES", 5)
if not 0 < HEALTH_HEARTBEAT_SECONDS < HEALTH_WORKER_MINUTES * 60:
    raise ImproperlyConfigured(
        "Need 0 < HEALTH_HEARTBEAT_SECONDS < HEALTH_WORKER_MINUTES × 60, or /healthz would fail "
        "between two heartbeats."
    )
# Retries of failed fetches and deliveries: exponential backoff from this base, with jitter.
JOBS_RETRY_BACKOFF = env_int("JOBS_RETRY_BACKOFF", 30)
JOBS_RETRY_BACKOFF_MAX = env_int("JOBS_RETRY_BACKOFF_MAX", 3600)
JOBS_MAX_RETRIES = env_int("JOBS_MAX_RETRIES", 6)
# Dataset uploads (claims.exchange.files): larger files are refused (413 from the API).
IMPORT_MAX_BYTES = env_int("IMPORT_MAX_BYTES", 20 * 1000 * 1000)
# The stuck-job sweep (claims.jobs.sweep): a job still waiting for a worker after
# JOBS_STUCK_QUEUED_MINUTES was lost on the way to the broker and is queued again; one running
# past JOBS_STUCK_RUNNING_MINUTES lost its worker (the hard time limit ends any live run before
# it) and is run again or ended. An import is tried JOBS_STUCK_MAX_ATTEMPTS times, then failed.
JOBS_STUCK_QUEUED_MINUTES = env_int("JOBS_STUCK_QUEUED_MINUTES", 15)
JOBS_STUCK_RUNNING_MINUTES = env_int("JOBS_STUCK_RUNNING_MINUTES", 15)
JOBS_STUCK_MAX_ATTEMPTS = env_int("JOBS_STUCK_MAX_ATTEMPTS", 3)
JOBS_SWEEP_SECONDS = env_int("JOBS_SWEEP_SECONDS", 300)
if JOBS_STUCK_RUNNING_MINUTES * 60 <= CELERY_TASK_TIME_LIMIT:
    raise ImproperlyConfigured(
        "JOBS_STUCK_RUNNING_MINUTES must be longer than CELERY_TASK_TIME_LIMIT, or the sweep "
        "would take a job from a worker still running it."
    )
# What beat queues and where the tasks live (claimtracker/schedule.py).
CELERY_BEAT_SCHEDULE = beat_schedule(
    sweep_seconds=JOBS_SWEEP_SECONDS, heartbeat_seconds=HEALTH_HEARTBEAT_SECONDS
)
CELERY_IMPORTS = TASK_MODULES

# Fetching archives and delivering webhooks (sources/fetching.py). Only public addresses are
# fetched; ARCHIVE_ALLOWED_NETWORKS adds ranges on purpose (tests allow 127.0.0.1/32).
ARCHIVE_ALLOWED_NETWORKS = env_list("ARCHIVE_ALLOWED_NETWORKS", [])
ARCHIVE_ALLOWED_PORTS = [int(port) for port in env_list("ARCHIVE_ALLOWED_PORTS", ["80", "443"])]
ARCHIVE_MAX_BYTES = env_int("ARCHIVE_MAX_BYTES", 50 * 1024 * 1024)
# Seconds for the whole fetch, redirects included; below the soft time limit.
ARCHIVE_DEADLINE = env_int("ARCHIVE_DEADLINE", 60)
ARCHIVE_MAX_REDIRECTS = 5
WEBHOOK_DEADLINE = env_int("WEBHOOK_DEADLINE", 10)
if max(ARCHIVE_DEADLINE, WEBHOOK_DEADLINE) >= CELERY_TASK_SOFT_TIME_LIMIT:
    raise ImproperlyConfigured(
        "ARCHIVE_DEADLINE and WEBHOOK_DEADLINE must stay below CELERY_TASK_SOFT_TIME_LIMIT."
    )

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
    "DEFAULT_PERMISSION_CLASSES": [
        "rest_framework.permissions.DjangoModelPermissionsOrAnonReadOnly"
    ],
    # Anonymous clients by address, token clients by user; counts live in the cache.
    "DEFAULT_THROTTLE_CLASSES": [
        "rest_framework.throttling.AnonRateThrottle",
        "rest_framework.throttling.UserRateThrottle",
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
    "ENUM_NAME_OVERRIDES": {
        "ClaimStatusEnum": "claims.models.Claim.Status",
        "ClaimKindEnum": "claims.models.Claim.Kind",
        "ActorKindEnum": "sources.models.Actor.Kind",
        "DocumentKindEnum": "sources.models.Document.Kind",
        "EvidenceKindEnum": "claims.models.Evidence.Kind",
        "ResponseKindEnum": "claims.models.Response.Kind",
        "PrecisionEnum": "claimtracker.dates.Precision",
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
if FIGURE_FLAG_SUPERSEDED_DAYS < 0 or FIGURE_FLAG_COUNTED_TWICE_RELAYS < 2:
    raise ImproperlyConfigured(
        "FIGURE_FLAG_SUPERSEDED_DAYS must be 0 or more, FIGURE_FLAG_COUNTED_TWICE_RELAYS 2 or more."
    )

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
