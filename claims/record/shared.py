"""What the writes of rows that statements share (actors, incidents, documents) have in common:
their own permission, and a reviewer's once the public sees the row."""

from __future__ import annotations

from typing import Any

from django.db import models

from claims.models import Incident
from claims.reading.visibility import (
    actors_visible_to,
    documents_visible_to,
    incidents_visible_to,
)
from claims.record.errors import RecordInvalid, errors_of
from claims.record.workflow import check_permission, check_shared_change
from sources.models import Actor, Document

# Who the public sees: a shared row once a public claim uses it (claims.reading.visibility).
SEEN_BY_THE_PUBLIC = {
    Actor: actors_visible_to,
    Document: documents_visible_to,
    Incident: incidents_visible_to,
}


def is_public(row: models.Model) -> bool:
    """Whether anonymous readers see ``row`` today (a new row: not yet)."""
    visible = SEEN_BY_THE_PUBLIC.get(type(row))
    return bool(row.pk and visible and visible(None).filter(pk=row.pk).exists())


def check_shared_write(by: Any, row: models.Model) -> None:
    """Refuse a write of ``row`` (new when it has no id) that ``by``'s role does not allow: its
    own permission, and a reviewer's once the public sees it."""
    meta = row._meta
    action = "add" if row.pk is None else "change"
    check_permission(
        by,
        f"{meta.app_label}.{action}_{meta.model_name}",
        f"Your role may not {action} {meta.verbose_name_plural}.",
    )
    if row.pk is not None:
        check_shared_change(by, is_public=is_public(row), what=f"this {meta.verbose_name}")


def written_columns(model: type[models.Model]) -> list[str]:
    return [
        f.attname for f in model._meta.local_concrete_fields if f.editable and not f.primary_key
    ]


def stored_values(row: models.Model) -> dict[str, Any]:
    """The written columns of ``row`` as the database holds them (defaults for a new row): what
    a change is compared with, since a door may hand over a copy it already changed."""
    columns = written_columns(type(row))
    stored = (
        type(row)._default_manager.filter(pk=row.pk).values(*columns).first() if row.pk else None
    )
    return stored or {c: getattr(type(row)(), c) for c in columns}


def apply_values(row: models.Model, values: dict[str, Any]) -> list[str]:
    """Set ``values`` on ``row``, validate it, and return the columns to write: for a stored row,
    those ``values`` name whose value differs from the database's (so whatever else the caller's
    copy holds, perhaps stale, is never written); for a new row, every column."""
    before = stored_values(row)
    for name, value in values.items():
        setattr(row, name, value)
    errors = errors_of(row)
    if errors:
        raise RecordInvalid(errors)
    # Only fields can be named here: setattr above refuses a reverse relation.
    named = {
        field.attname
        for field in map(row._meta.get_field, values)
        if isinstance(field, models.Field)
    }
    if row.pk is None:
        named = set(before)
    return [c for c in before if c in named and getattr(row, c) != before[c]]
