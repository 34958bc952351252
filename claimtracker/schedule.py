"""What beat queues, how often, and the modules a worker imports for its tasks.

Settings build CELERY_BEAT_SCHEDULE from ``beat_schedule`` with the two intervals the
environment sets, and take CELERY_IMPORTS from ``TASK_MODULES``.
"""

from __future__ import annotations

from typing import Any

# Where the tasks live, each beside the request_* helper that queues it; a worker imports these.
TASK_MODULES = [
    "claims.jobs.archiving",
    "claims.jobs.quotes",
    "claims.jobs.webhooks",
    "claims.jobs.housekeeping",
    "claims.jobs.heartbeat",
    "claims.jobs.sweep",
    "claims.jobs.timestamps",
    "claims.exchange.jobs",
]


def beat_schedule(
    *, sweep_seconds: int, heartbeat_seconds: int, heartbeat_queues: list[str]
) -> dict[str, dict[str, Any]]:
    return {
        "sweep-stuck-jobs": {
            "task": "claims.jobs.sweep.sweep_stuck_jobs",
            "schedule": float(sweep_seconds),
        },
        "queue-undelivered-webhooks": {
            "task": "claims.jobs.webhooks.sweep_outbox",
            "schedule": 60.0,
        },
        "retry-failed-archives": {
            "task": "claims.jobs.archiving.retry_failed_archives",
            "schedule": 3600.0,
        },
        "rehash-archived-files": {
            "task": "claims.jobs.archiving.verify_archives",
            "schedule": 86400.0,
        },
        # Does nothing unless TSA_URL names a time-stamping authority.
        "stamp-latest-head": {
            "task": "claims.jobs.timestamps.stamp_latest_head",
            "schedule": 3600.0,
        },
        "purge-idempotency-keys": {
            "task": "claims.jobs.housekeeping.purge_idempotency_keys",
            "schedule": 3600.0,
        },
        # One heartbeat per queue, sent to that queue: /healthz fails once no worker has run a
        # queue's for HEALTH_WORKER_MINUTES. One left queued while no worker consumes its queue
        # is dropped rather than run late.
        **{
            f"worker-heartbeat-{queue}": {
                "task": "claims.jobs.heartbeat.heartbeat",
                "schedule": float(heartbeat_seconds),
                "kwargs": {"queue": queue},
                "options": {"queue": queue, "expires": heartbeat_seconds},
            }
            for queue in heartbeat_queues
        },
    }
