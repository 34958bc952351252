"""The workers' heartbeat: when a worker last ran the task beat queues for it (read by /healthz)."""

from __future__ import annotations

from django.db import models


class WorkerHeartbeat(models.Model):
    """One row per heartbeat name, overwritten by each run, so the table never grows.

    In the database rather than the cache: web processes and workers always share the database,
    while a local cache (no CACHE_URL) would keep a worker's heartbeat where no web process looks.
    """

    name = models.CharField(primary_key=True, max_length=50)
    beat_at = models.DateTimeField(help_text="When a worker last ran the heartbeat task.")
    worker = models.CharField(max_length=200, blank=True, help_text="That worker's name.")

    def __str__(self) -> str:
        return f"{self.name}: {self.beat_at:%Y-%m-%d %H:%M:%S} by {self.worker or 'a worker'}"
