"""Writes of evidence attached to a claim on its own (the claim page writes it as a part).

Evidence is a part of its claim's statement: public when the claim is, and changed by an editor
only while the claim is a draft.
"""

from __future__ import annotations

from typing import Any

from django.db import transaction

from claims.ledger.history import acting
from claims.models import Claim, Evidence
from claims.record import effects
from claims.record.shared import apply_values, stored_values
from claims.record.workflow import check_part_change


@transaction.atomic
def save_evidence(*, by: Any, values: dict[str, Any], evidence: Evidence | None = None) -> Evidence:
    """Create evidence from ``values``, or change ``evidence``, writing only what changed (an
    archive task finishing meanwhile keeps what it recorded); a new or changed URL is archived
    once this transaction commits."""
    evidence = Evidence() if evidence is None else evidence
    stored = stored_values(evidence)
    claim_id = values["claim"].pk if values.get("claim") is not None else evidence.claim_id
    for answered in {stored["claim_id"], claim_id} - {None}:
        check_part_change(by, Claim(pk=answered))
    changed = apply_values(evidence, values)
    if evidence.pk is not None and not changed:
        return evidence
    with acting(by):
        evidence.save(update_fields=None if evidence.pk is None else changed)
    effects.after_evidence_saved(evidence=evidence, url_changed="url" in changed)
    return evidence


@transaction.atomic
def remove_evidence(*, by: Any, evidence: Evidence) -> None:
    """Remove evidence from its claim; the history keeps the row and who removed it."""
    check_part_change(by, evidence.claim)
    with acting(by):
        evidence.delete()
    effects.after_evidence_removed(evidence=evidence)
