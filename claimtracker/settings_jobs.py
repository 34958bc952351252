"""Settings of the jobs: Celery, the stuck-job sweep, fetching archives and delivering webhooks.

Part of claimtracker.settings, which takes every name from here; read from the environment like
the rest (see .env.example).
"""

from __future__ import annotations

from django.core.exceptions import ImproperlyConfigured
from kombu import Queue

from claimtracker.env import env_int, env_list, env_str
from claimtracker.schedule import TASK_MODULES, beat_schedule

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
# Beat queues a heartbeat on each queue this often; /healthz fails when one queue's has not run
# for HEALTH_WORKER_MINUTES (HEALTH_WORKER_QUEUES, below).
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

# Queues per kind of work, so an operator runs and scales a worker per kind (README, Scale-out):
# `celery -A claimtracker worker -Q archive`. A worker started without -Q consumes all of them
# (the Procfile's, make stack's, the tests'). Every task is routed here by name; a task missing
# from the table fails tests/test_jobs_queues.py rather than landing silently on "default".
JOBS_QUEUES = ["default", "archive", "quotes", "webhooks", "imports", "timestamps"]
CELERY_TASK_QUEUES = [Queue(name, routing_key=name) for name in JOBS_QUEUES]
CELERY_TASK_DEFAULT_QUEUE = "default"
CELERY_TASK_ROUTES = {
    name: {"queue": queue}
    for queue, names in {
        # Fetching pages and files, and rehashing stored copies: slow, network and disk bound.
        "archive": [
            "claims.jobs.archiving.archive_document",
            "claims.jobs.archiving.archive_evidence",
            "claims.jobs.archiving.retry_failed_archives",
            "claims.jobs.archiving.verify_archives",
        ],
        "quotes": ["claims.jobs.quotes.check_claim_quote"],
        "webhooks": ["claims.jobs.webhooks.deliver_webhook", "claims.jobs.webhooks.sweep_outbox"],
        # One import can hold a worker for minutes: never in front of a heartbeat or a delivery.
        "imports": ["claims.exchange.jobs.run_import"],
        "timestamps": ["claims.jobs.timestamps.stamp", "claims.jobs.timestamps.stamp_latest_head"],
        # Small and periodic. The heartbeat's beat entries name a queue each, over this route.
        "default": [
            "claims.jobs.heartbeat.heartbeat",
            "claims.jobs.sweep.sweep_stuck_jobs",
            "claims.jobs.housekeeping.purge_idempotency_keys",
        ],
    }.items()
    for name in names
}
# Beat sends the heartbeat to each of these queues, and /healthz fails when one of them has had no
# worker run it for HEALTH_WORKER_MINUTES: a queue nobody consumes shows, not only "default".
# A deployment that leaves a queue's work undone on purpose names the others.
HEALTH_WORKER_QUEUES = env_list("HEALTH_WORKER_QUEUES", JOBS_QUEUES)
if unknown := sorted(set(HEALTH_WORKER_QUEUES) - set(JOBS_QUEUES)):
    raise ImproperlyConfigured(
        f"HEALTH_WORKER_QUEUES names {', '.join(unknown)}, which is no queue of "
        f"JOBS_QUEUES ({', '.join(JOBS_QUEUES)})."
    )
# What beat queues and where the tasks live (claimtracker/schedule.py).
CELERY_BEAT_SCHEDULE = beat_schedule(
    sweep_seconds=JOBS_SWEEP_SECONDS,
    heartbeat_seconds=HEALTH_HEARTBEAT_SECONDS,
    heartbeat_queues=HEALTH_WORKER_QUEUES,
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
