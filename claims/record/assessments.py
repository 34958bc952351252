"""Writes of assessments: an analyst's grading of a claim, with the reasons."""

from __future__ import annotations

from typing import Any

from django.db import transaction
from django.utils import timezone

from claims.ledger.history import acting
from claims.models import Assessment
from claims.record import effects
from claims.record.errors import RecordInvalid, errors_of
from claims.record.workflow import check_permission


@transaction.atomic
def save_assessment(
    *, by: Any, values: dict[str, Any], assessment: Assessment | None = None
) -> Assessment:
    """Create an assessment graded by ``by`` (``assessment`` None or unsaved), or change it."""
    assessment = Assessment() if assessment is None else assessment
    is_new = assessment.pk is None
    action = "add" if is_new else "change"
    check_permission(by, f"claims.{action}_assessment", f"Your role may not {action} assessments.")
    for name, value in values.items():
        setattr(assessment, name, value)
    if is_new:
        assessment.analyst = by
    if assessment.status == Assessment.Status.PUBLISHED and assessment.published_at is None:
        # First published: the date a ClaimReview of it gives; a later edit keeps it.
        assessment.published_at = timezone.now()
    errors = errors_of(assessment)
    if errors:
        raise RecordInvalid(errors)
    with acting(by):
        assessment.save()
    effects.after_assessment_saved(assessment=assessment)
    return assessment
