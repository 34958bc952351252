"""Removing rows of the record: answers and evidence by the statement's rules, an actor's aliases
and roles by the actor's (save_actor), anything else
only by those whose role may delete it. The history keeps every removed row and who removed it."""

from __future__ import annotations

from typing import Any

from django.db import models, transaction
from django.db.models import ProtectedError

from claims.ledger.history import acting
from claims.models import Evidence, Response
from claims.record.actors import remove_affiliation, remove_alias
from claims.record.errors import Refused
from claims.record.evidence import remove_evidence
from claims.record.responses import remove_response
from claims.record.workflow import check_permission
from sources.models import Affiliation, Alias


@transaction.atomic
def remove_row(*, by: Any, row: models.Model) -> None:
    """Remove ``row`` as ``by``; a row others still refer to is refused, naming why."""
    if isinstance(row, Response):
        remove_response(by=by, response=row)
        return
    if isinstance(row, Evidence):
        remove_evidence(by=by, evidence=row)
        return
    if isinstance(row, Alias):
        remove_alias(by=by, alias=row)
        return
    if isinstance(row, Affiliation):
        remove_affiliation(by=by, affiliation=row)
        return
    meta = row._meta
    check_permission(
        by,
        f"{meta.app_label}.delete_{meta.model_name}",
        f"Your role may not remove {meta.verbose_name_plural}.",
    )
    try:
        with transaction.atomic(), acting(by):
            row.delete()
    except ProtectedError as error:
        raise Refused(
            f"This {meta.verbose_name} is still used by {len(error.protected_objects)} other "
            "row(s) of the record; remove those first."
        ) from error
