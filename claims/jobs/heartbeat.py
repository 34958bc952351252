"""The heartbeat: beat queues it every HEALTH_HEARTBEAT_SECONDS, any worker runs it, and /healthz
fails once no worker has run it for HEALTH_WORKER_MINUTES (claims.pages.health)."""

from __future__ import annotations

from celery import Task, shared_task
from django.utils import timezone

from claims.models import WorkerHeartbeat

NAME = "workers"


def record_heartbeat(*, worker: str) -> WorkerHeartbeat:
    """Overwrite the heartbeat with now and ``worker``'s name; safe to run any number of times."""
    heartbeat, _ = WorkerHeartbeat.objects.update_or_create(
        name=NAME, defaults={"beat_at": timezone.now(), "worker": worker[:200]}
    )
    return heartbeat


def last_heartbeat() -> WorkerHeartbeat | None:
    return WorkerHeartbeat.objects.filter(name=NAME).first()


@shared_task(bind=True, ignore_result=True)
def heartbeat(self: Task) -> None:
    record_heartbeat(worker=self.request.hostname or "")
