"""Writes of incidents: the events claims are about."""

from __future__ import annotations

from typing import Any

from django.db import transaction

from claims.ledger.history import acting
from claims.models import Incident
from claims.record import effects
from claims.record.shared import apply_values, check_shared_write


@transaction.atomic
def save_incident(*, by: Any, values: dict[str, Any], incident: Incident | None = None) -> Incident:
    """Create an incident from ``values``, or change ``incident`` (only the fields that differ)."""
    incident = Incident() if incident is None else incident
    check_shared_write(by, incident)
    changed = apply_values(incident, values)
    if incident.pk is not None and not changed:
        return incident
    with acting(by):
        incident.save(update_fields=None if incident.pk is None else [*changed, "updated_at"])
    effects.after_incident_saved(incident=incident)
    return incident
