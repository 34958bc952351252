"""The heartbeats: beat sends one to each queue every HEALTH_HEARTBEAT_SECONDS, whichever worker
consumes that queue runs it, and /healthz fails once a queue's has not run for
HEALTH_WORKER_MINUTES (claims.pages.health). A row per queue, so a queue nobody consumes shows
by name while the others' workers are busy and well."""

from __future__ import annotations

from celery import Task, shared_task
from django.utils import timezone

from claims.models import WorkerHeartbeat


def record_heartbeat(*, queue: str, worker: str) -> WorkerHeartbeat:
    """Overwrite ``queue``'s heartbeat with now and ``worker``'s name; safe to run any number of
    times."""
    heartbeat, _ = WorkerHeartbeat.objects.update_or_create(
        name=queue, defaults={"beat_at": timezone.now(), "worker": worker[:200]}
    )
    return heartbeat


def last_heartbeats(queues: list[str]) -> dict[str, WorkerHeartbeat | None]:
    """Each of ``queues`` with its last heartbeat (None: none has run yet), in one query."""
    found = {row.name: row for row in WorkerHeartbeat.objects.filter(name__in=queues)}
    return {queue: found.get(queue) for queue in queues}


@shared_task(bind=True, ignore_result=True)
def heartbeat(self: Task, queue: str = "default") -> None:
    # The queue is the one beat sent it to (its kwargs), not read from the delivery: a message
    # sent to "archive" proves a worker consumes "archive" whichever name the broker gives it.
    record_heartbeat(queue=queue, worker=self.request.hostname or "")
