"""Finding the actor or incident a reader means from what they typed: a short name, a name, an
alias, or part of one, among the rows the reader may see (claims.reading.visibility).

The first rule that finds anything decides: the short name in the address, then a name or alias
equal to the text (ignoring case), then every name, alias or title that contains it. One row found
is the answer; several are candidates to choose from, never a silent pick.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Generic, TypeVar, cast

from django.db.models import Model, Q, QuerySet

from claims.models import Incident, Reader
from claims.reading.visibility import actors_visible_to, incidents_visible_to
from sources.models import Actor, ActorQuerySet

# Candidates offered for a text that names several rows: enough to recognise the one meant.
MAX_CANDIDATES = 8

Row = TypeVar("Row", bound=Model)


@dataclass
class Found(Generic[Row]):
    """What a text names: ``row`` when exactly one, else the ``candidates`` (maybe none)."""

    text: str
    row: Row | None = None
    candidates: list[Row] = field(default_factory=list)


def _first_rule_that_finds(
    text: str, rules: list[Callable[[str], QuerySet[Row]]], order: str
) -> Found[Row]:
    for rule in rules:
        rows = list(rule(text).order_by(order)[: MAX_CANDIDATES + 1])
        if len(rows) == 1:
            return Found(text, row=rows[0])
        if rows:
            return Found(text, candidates=rows[:MAX_CANDIDATES])
    return Found(text)


def find_actor(text: str, reader: Reader) -> Found[Actor]:
    """The actor ``text`` names for ``reader``: by short name, then name or alias, then part."""
    visible = cast(ActorQuerySet, actors_visible_to(reader))  # Actor.objects is one
    rules: list[Callable[[str], QuerySet[Actor]]] = [
        lambda t: visible.filter(slug=t),
        lambda t: visible.named(t),
        lambda t: visible.matching(t),
    ]
    return _first_rule_that_finds(text.strip(), rules, "name")


def find_incident(text: str, reader: Reader) -> Found[Incident]:
    """The incident ``text`` names for ``reader``: by short name, then title, then part of its
    title or place."""
    visible = incidents_visible_to(reader)
    rules: list[Callable[[str], QuerySet[Incident]]] = [
        lambda t: visible.filter(slug=t),
        lambda t: visible.filter(title__iexact=t),
        lambda t: visible.filter(
            Q(title__icontains=t) | Q(place__icontains=t) | Q(region__icontains=t)
        ),
    ]
    return _first_rule_that_finds(text.strip(), rules, "title")
