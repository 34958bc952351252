"""Writes of actors with their aliases and the roles people hold in organisations."""

from __future__ import annotations

import copy
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


def save_alias(*, by: Any, values: dict[str, Any], alias: Alias | None = None) -> Alias:
    """Add an alias to ``values["actor"]``, or change ``alias`` (it stays with its actor); the
    actor's other aliases stay as they are. Every rule is save_actor's."""
    actor = alias.actor if alias is not None else values["actor"]
    row = copy.copy(alias) if alias is not None else Alias()
    _move_refused(alias, values, "actor", "An alias stays with its actor: add one to the other.")
    for name, value in values.items():
        setattr(row, name, value)
    others = [a for a in actor.aliases.all() if alias is None or a.pk != alias.pk]
    save_actor(by=by, values={}, actor=actor, aliases=[*others, row])
    return row


def remove_alias(*, by: Any, alias: Alias) -> None:
    """Remove one of an actor's names; the history keeps it and who removed it."""
    actor = alias.actor
    kept = [a for a in actor.aliases.all() if a.pk != alias.pk]
    save_actor(by=by, values={}, actor=actor, aliases=kept)


def save_affiliation(
    *, by: Any, values: dict[str, Any], affiliation: Affiliation | None = None
) -> Affiliation:
    """Add a role to ``values["person"]``, or change ``affiliation`` (it stays with its
    person); the person's other roles stay as they are. Every rule is save_actor's."""
    person = affiliation.person if affiliation is not None else values["person"]
    row = copy.copy(affiliation) if affiliation is not None else Affiliation()
    _move_refused(affiliation, values, "person", "A role stays with its person: add one.")
    for name, value in values.items():
        setattr(row, name, value)
    others = [a for a in person.affiliations.all() if affiliation is None or a.pk != affiliation.pk]
    save_actor(by=by, values={}, actor=person, affiliations=[*others, row])
    return row


def remove_affiliation(*, by: Any, affiliation: Affiliation) -> None:
    """Remove a role a person held; the history keeps it and who removed it."""
    person = affiliation.person
    kept = [a for a in person.affiliations.all() if a.pk != affiliation.pk]
    save_actor(by=by, values={}, actor=person, affiliations=kept)


def _move_refused(
    row: Alias | Affiliation | None, values: dict[str, Any], owner: str, why: str
) -> None:
    if row is not None and owner in values and values[owner] != getattr(row, owner):
        raise RecordInvalid({owner: [why]})


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
