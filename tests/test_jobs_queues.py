"""Queues per kind of work: every task is routed by name to a declared queue, a worker started
without -Q (the Procfile's, make stack's, the tests') consumes all of them, and /healthz names a
queue no worker consumes."""

from __future__ import annotations

import re

import pytest
from django.conf import settings

from claims.models import WorkerHeartbeat
from claimtracker.celery import app as celery_app
from tests.workers import redis_url, wait_for


def registered_tasks() -> set[str]:
    """The application's tasks: not Celery's own, nor those test modules define for themselves."""
    celery_app.loader.import_default_modules()
    return {name for name in celery_app.tasks if not name.startswith(("celery.", "tests."))}


def test_every_task_is_routed_by_name_to_a_declared_queue():
    unrouted = registered_tasks() - set(settings.CELERY_TASK_ROUTES)
    declared = {queue.name for queue in celery_app.conf.task_queues}
    used = {route["queue"] for route in settings.CELERY_TASK_ROUTES.values()}

    assert unrouted == set()
    assert used == declared == set(settings.JOBS_QUEUES)


def test_no_route_names_a_task_that_does_not_exist():
    assert set(settings.CELERY_TASK_ROUTES) - registered_tasks() == set()


def test_each_kind_of_work_is_published_to_its_own_queue():
    route = celery_app.amqp.router.route
    queues = {
        name: route({}, name)["queue"].name
        for name in (
            "claims.jobs.archiving.archive_document",
            "claims.jobs.quotes.check_claim_quote",
            "claims.jobs.webhooks.deliver_webhook",
            "claims.exchange.jobs.run_import",
            "claims.jobs.timestamps.stamp",
            "claims.jobs.heartbeat.heartbeat",
        )
    }

    assert list(queues.values()) == [
        "archive", "quotes", "webhooks", "imports", "timestamps", "default"
    ]  # fmt: skip


def test_a_worker_without_a_queue_list_consumes_every_queue():
    consumed = set(celery_app.amqp.queues.consume_from)

    assert consumed == set(settings.JOBS_QUEUES)


def send_heartbeats_as_beat_does() -> None:
    for entry in settings.CELERY_BEAT_SCHEDULE.values():
        if entry["task"] == "claims.jobs.heartbeat.heartbeat":
            celery_app.send_task(entry["task"], kwargs=entry["kwargs"], **entry["options"])


@pytest.mark.worker
@pytest.mark.django_db(transaction=True)
def test_health_names_the_queue_no_worker_consumes_until_one_does(start_worker, client, settings):
    settings.CELERY_BROKER_URL = redis_url()  # /healthz watches workers when a broker is set
    # A worker for the small periodic work only: the other queues' heartbeats wait unrun.
    default_only = start_worker(queues="default")
    send_heartbeats_as_beat_does()
    wait_for(lambda: WorkerHeartbeat.objects.filter(name="default").exists(), "default's beat")
    worker = client.get("/healthz?full=1").json()["checks"]["worker"]
    assert worker["ok"] is False
    late = "archive, quotes, webhooks, imports, timestamps"
    assert worker["detail"].startswith(f"no heartbeat within 5 min on {late};")
    assert re.search(rf"; default: \d+ s ago from {default_only.name}@", worker["detail"])

    # A second worker takes the rest; the heartbeats left waiting on its queues run now.
    start_worker(queues="archive,quotes,webhooks,imports,timestamps")
    wait_for(lambda: WorkerHeartbeat.objects.count() == 6, "every queue's heartbeat")
    assert client.get("/healthz").json()["checks"]["worker"] is True
