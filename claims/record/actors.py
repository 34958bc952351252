"""Writes of actors with their aliases and the roles people hold in organisations."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from django.db import IntegrityError, transaction

from claims.ledger.history import acting
from claims.record import effects
from claims.record.errors import RecordInvalid
from claims.record.parts import apply, part_errors, plan_parts
from claims.record.shared import apply_values, check_shared_write
from sources.models import Actor, Affiliation, Alias

ALIAS_REPEATED = "This actor already has this alias in this language."
CONFLICT = "This conflicts with a record saved meanwhile; read it again and retry."


@transaction.atomic
def save_actor(
    *,
    by: Any,
    values: dict[str, Any],
    actor: Actor | None = None,
    aliases: Sequence[Alias] | None = None,
    affiliations: Sequence[Affiliation] | None = None,
) -> Actor:
    """Create an actor from ``values``, or change ``actor``; ``aliases`` and ``affiliations``
    (roles the actor, a person, holds) are given whole, as the rows it has afterwards."""
    actor = Actor() if actor is None else actor
    check_shared_write(by, actor)
    changed = apply_values(actor, values)
    parts = {"aliases": aliases, "affiliations": affiliations}
    _validate_parts(actor, {name: rows for name, rows in parts.items() if rows is not None})
    plans = [
        plan_parts(actor, name, rows, related=name)
        for name, rows in parts.items()
        if rows is not None
    ]
    if actor.pk is not None and not changed and all(plan.empty for plan in plans):
        return actor
    try:
        with transaction.atomic(), acting(by):
            actor.save(update_fields=None if actor.pk is None else [*changed, "updated_at"])
            for plan in plans:
                apply(plan, owner=actor)
    except IntegrityError as error:
        raise RecordInvalid({"non_field_errors": [CONFLICT]}) from error
    effects.after_actor_saved(actor=actor)
    return actor


def add_alias(*, by: Any, actor: Actor, name: str, language: str = "") -> Alias:
    """One more name for ``actor``; the actor's other aliases stay as they are."""
    alias = Alias(name=name, language=language)
    save_actor(by=by, values={}, actor=actor, aliases=[*actor.aliases.all(), alias])
    return alias


def _validate_parts(actor: Actor, parts: dict[str, Sequence[Any]]) -> None:
    rules = {
        "aliases": ("actor", lambda a: (a.name.casefold(), a.language), ALIAS_REPEATED),
        "affiliations": (
            "person",
            lambda a: (a.organisation_id, a.role, a.start_on, a.end_on),
            "This role is listed twice.",
        ),
    }
    errors: dict[str, Any] = {}
    for name, rows in parts.items():
        owner_field, key, repeated = rules[name]
        found = part_errors(actor, rows, owner_field=owner_field, key=key, repeated=repeated)
        if found:
            errors[name] = found
    if errors:
        raise RecordInvalid(errors)
