"""Queues per kind of work: every task is routed by name to a declared queue, and a worker
started without -Q (the Procfile's, make stack's, the tests') consumes all of them."""

from __future__ import annotations

from django.conf import settings

from claimtracker.celery import app as celery_app


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
