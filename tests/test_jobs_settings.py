"""Production Celery settings: what makes tasks survive dying workers, and fails loudly if wrong."""

from __future__ import annotations

import os
import subprocess
import sys

import pytest
from django.conf import settings

from claimtracker.celery import app as celery_app


def test_tasks_are_acknowledged_late_and_handed_on_when_a_worker_dies():
    conf = celery_app.conf
    assert conf.task_acks_late is True
    assert conf.task_reject_on_worker_lost is True
    assert conf.worker_prefetch_multiplier == 1


def test_time_limits_stay_below_the_visibility_timeout():
    visibility = celery_app.conf.broker_transport_options["visibility_timeout"]
    assert celery_app.conf.task_soft_time_limit < celery_app.conf.task_time_limit < visibility
    assert max(settings.ARCHIVE_DEADLINE, settings.WEBHOOK_DEADLINE) < (
        celery_app.conf.task_soft_time_limit
    )


def test_without_a_broker_tasks_run_in_process():
    assert settings.CELERY_BROKER_URL is None
    assert celery_app.conf.task_always_eager is True


def test_the_beat_schedule_holds_the_periodic_checks():
    tasks = {entry["task"] for entry in celery_app.conf.beat_schedule.values()}
    assert tasks == {
        "claims.jobs.webhooks.sweep_outbox",
        "claims.jobs.archiving.retry_failed_archives",
        "claims.jobs.archiving.verify_archives",
        "claims.jobs.housekeeping.purge_idempotency_keys",
        "claims.jobs.heartbeat.heartbeat",
        "claims.jobs.sweep.sweep_stuck_jobs",
        "claims.jobs.timestamps.stamp_latest_head",
    }
    celery_app.loader.import_default_modules()  # what a worker does at start: autodiscovery
    assert set(tasks) <= set(celery_app.tasks)


@pytest.mark.parametrize(
    "env",
    [
        {"CELERY_TASK_TIME_LIMIT": "4000"},  # above the default visibility timeout
        {"CELERY_VISIBILITY_TIMEOUT": "100"},
        {"ARCHIVE_DEADLINE": "500"},
    ],
)
def test_limits_that_would_run_a_task_twice_stop_start_up(env):
    result = subprocess.run(
        [sys.executable, "-c", "import claimtracker.settings"],
        env={**os.environ, "SECRET_KEY": "x", "DEBUG": "false", **env},
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode != 0
    assert "ImproperlyConfigured" in result.stderr
