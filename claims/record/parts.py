"""Replacing the rows that belong to one owner (a claim's figures, an actor's aliases…).

The rows given are what the owner has afterwards: rows with an id are changed in place, writing
only the fields that differ (so a worker's write to other fields meanwhile is kept), rows without
one are added, and the owner's other rows of that kind are removed.
"""

from __future__ import annotations

from collections.abc import Callable, Hashable, Sequence
from dataclasses import dataclass, field
from typing import Any

from django.db import models
from django.db.models import F

from claims.record.errors import RecordInvalid, errors_of

NOT_ITS_OWN = "This row is not one of this record's: it belongs to another or was removed."


@dataclass
class Plan:
    """What replacing one kind of row means for the rows stored: which to add, change, remove."""

    model: type[models.Model]
    owner_field: str
    add: list[models.Model] = field(default_factory=list)
    change: list[tuple[models.Model, list[str]]] = field(default_factory=list)
    remove: list[models.Model] = field(default_factory=list)

    @property
    def empty(self) -> bool:
        return not (self.add or self.change or self.remove)


def written_fields(model: type[models.Model], owner_field: str) -> list[models.Field]:
    """The columns people write on a row of ``model``, the owner's key aside."""
    return [
        f
        for f in model._meta.local_concrete_fields
        if not f.primary_key and f.editable and f.name != owner_field
    ]


def part_errors(
    owner: models.Model,
    rows: Sequence[models.Model],
    *,
    owner_field: str,
    key: Callable[[models.Model], Hashable] | None = None,
    repeated: str = "",
) -> dict[str, Any]:
    """Every rule each row breaks, by its index, with the owner set on it; ``key`` names what
    may not repeat within the owner's rows (the unique constraint), said as ``repeated``."""
    found: dict[str, Any] = {}
    seen: set = set()
    for n, row in enumerate(rows):
        setattr(row, owner_field, owner)
        row_errors = errors_of(row, exclude=[owner_field])
        if key is not None:
            if key(row) in seen:
                row_errors.setdefault("non_field_errors", []).append(repeated)
            seen.add(key(row))
        if row_errors:
            found[str(n)] = row_errors
    return found


def plan_parts(
    owner: models.Model, name: str, rows: Sequence[models.Model], *, related: str
) -> Plan:
    """Compare ``rows`` with the owner's stored rows of the relation ``related``; errors are
    reported under ``name`` and the row's index."""
    relation = owner._meta.get_field(related)
    assert isinstance(relation, models.ForeignObjectRel)  # ``related`` names a reverse relation
    model, owner_field = relation.related_model, relation.field.name
    plan = Plan(model=model, owner_field=owner_field)
    stored = {row.pk: row for row in getattr(owner, related).all()} if owner.pk else {}
    for n, row in enumerate(rows):
        if row.pk is None:
            plan.add.append(row)
            continue
        old = stored.pop(row.pk, None)
        if old is None:
            raise RecordInvalid({name: {str(n): {"non_field_errors": [NOT_ITS_OWN]}}})
        names = [
            f.attname
            for f in written_fields(model, owner_field)
            if getattr(row, f.attname) != getattr(old, f.attname)
        ]
        if names:
            plan.change.append((row, names))
    plan.remove = list(stored.values())
    return plan


def apply(plan: Plan, *, owner: models.Model) -> None:
    """Removals first (they free unique keys), then changes, then additions."""
    if plan.empty:
        return
    if plan.remove:
        plan.model._default_manager.filter(pk__in=[row.pk for row in plan.remove]).delete()
    moved = [row for row, names in plan.change if "position" in names]
    if len(moved) > 1:
        # Rows swapping places would collide on (owner, position): move them out of the way.
        plan.model._default_manager.filter(pk__in=[row.pk for row in moved]).update(
            position=F("position") + 10000
        )
    for row, names in plan.change:
        row.save(update_fields=names)
    for row in plan.add:
        setattr(row, plan.owner_field, owner)
    plan.model._default_manager.bulk_create(plan.add)
