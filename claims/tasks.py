"""Tasks of the claims app: evidence archives, quote checks, webhook deliveries, imports."""

from __future__ import annotations

from celery import shared_task

from claims import imports, quotes, webhooks
from claims.models import Claim, Evidence, ImportJob, WebhookDelivery
from sources import archiving, fetching
from sources.tasks import ArchiveTask, RetryingTask


@shared_task(base=ArchiveTask, model="claims.Evidence")
def archive_evidence(evidence_id: int) -> str | None:
    """Fetch and store what an evidence item's URL points to."""
    evidence = Evidence.objects.filter(pk=evidence_id).first()
    if evidence is None:  # deleted since it was queued
        return None
    return archiving.archive(item=evidence)


@shared_task
def check_quote(claim_id: int) -> str | None:
    """Look for a claim's quote in its source document's text."""
    claim = Claim.objects.filter(pk=claim_id).prefetch_related("attributions__document").first()
    if claim is None:
        return None
    return quotes.check_quote(claim=claim)


class DeliveryTask(RetryingTask):
    def on_failure(self, exc, task_id, args, kwargs, einfo) -> None:
        if isinstance(exc, fetching.Unavailable) and args:
            webhooks.give_up(delivery_id=args[0], reason=exc.reason)


@shared_task(base=DeliveryTask)
def deliver_webhook(delivery_id: int) -> str | None:
    """POST one event to one subscriber, signed; retried with backoff until it answers 2xx."""
    delivery = (
        WebhookDelivery.objects.select_related("event", "subscription")
        .filter(pk=delivery_id)
        .first()
    )
    if delivery is None:
        return None
    return webhooks.deliver(delivery=delivery)


@shared_task
def sweep_outbox() -> int:
    """Queue webhook deliveries whose first queueing was lost (Celery beat, every minute)."""
    return webhooks.sweep_outbox()


@shared_task
def run_import(job_id: int) -> str | None:
    """Validate an uploaded dataset whole, then import it in one transaction."""
    job = ImportJob.objects.filter(pk=job_id).first()
    if job is None:
        return None
    return imports.run_import_job(job=job)
