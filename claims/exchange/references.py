"""What an import's later rows can refer to: each earlier row's key and id, and no more.

A 50 MB dataset names tens of thousands of actors, documents, incidents and claims, and any
later row may refer to any of them. Held as model instances (a document with its full text, a
claim with its quote) they made an import's memory grow with its file: 306 MB for a 52.5 MB
file. Held as a key and an id each, they take a few hundred bytes a row.

A real import refers to a row by its database id. A dry run saves nothing, so each row an
earlier line would create gets a stand-in id, negative so that it is never a database's, and
keeps what the checks of the rows referring to it read: an actor's kind (only a person holds a
role) and a claim's speaker and date (an answer is not dated before the claim it answers; only
its own speaker retracts a claim). Stand-ins are distinct, so a dry run sees that two new rows
are one or two as the real run does.
"""

from __future__ import annotations

import datetime as dt
import itertools
import sys
from typing import Any

from django.core.exceptions import ValidationError
from django.db import models

from claims.exchange.dataset import RowError
from claims.models import Claim, Incident
from sources.models import Actor, Document

# Each kind of row a record may refer to: its model, and the field its key in the file is.
LOOKUPS: dict[str, tuple[type[models.Model], str]] = {
    "actor": (Actor, "slug"),
    "document": (Document, "uid"),
    "incident": (Incident, "slug"),
    "claim": (Claim, "uid"),
}


class References:
    """The rows earlier lines of the file made (or would make) and the database rows the file
    named so far, by kind and key: their ids."""

    def __init__(self) -> None:
        self.ids: dict[str, dict[str, int]] = {kind: {} for kind in LOOKUPS}
        self.actor_kinds: dict[int, str] = {}  # a stand-in actor's kind
        self.claims: dict[int, tuple[int, dt.date, str]] = {}  # a stand-in claim's
        self._stand_ins = itertools.count(-1, -1)

    def add(self, kind: str, key: str, row: models.Model) -> int:
        """Record ``row``, which a line of the file keyed ``key`` saved (or, unsaved, would
        create); return the id later rows refer to it by."""
        ident = row.pk if row.pk is not None else next(self._stand_ins)
        self.ids[kind][key] = ident
        if ident < 0 and isinstance(row, Actor):
            self.actor_kinds[ident] = sys.intern(str(row.kind))
        elif ident < 0 and isinstance(row, Claim):
            self.claims[ident] = (row.speaker_id, row.made_on, sys.intern(str(row.made_precision)))
        return ident

    def id_of(self, kind: str, key: Any) -> int | None:
        """The id of the row of ``kind`` that ``key`` names (None for no key): an earlier
        line's, or else the database's; RowError when it is neither."""
        if key is None or key == "":
            return None
        key = str(key)
        found = self.ids[kind].get(key)
        if found is None:
            found = self._stored(kind, key)
            if found is None:
                raise RowError(
                    f"refers to {kind} {key!r}, which is neither in the database nor earlier "
                    "in the file"
                )
            self.ids[kind][key] = found
        return found

    @staticmethod
    def _stored(kind: str, key: str) -> int | None:
        model, field = LOOKUPS[kind]
        try:
            return model._default_manager.filter(**{field: key}).values_list("pk", flat=True)[0]
        except (IndexError, ValidationError, ValueError):  # none, or a key no row can have
            return None

    def actor(self, ident: int) -> Actor:
        """The actor with id ``ident``, as the checks of a row referring to it read it."""
        if ident > 0:
            return Actor._default_manager.get(pk=ident)
        return Actor(pk=ident, kind=self.actor_kinds[ident])

    def claim(self, ident: int) -> Claim:
        """The claim with id ``ident``, as the checks of an answer to it (or by it) read it."""
        if ident > 0:
            return Claim._default_manager.get(pk=ident)
        speaker_id, made_on, made_precision = self.claims[ident]
        return Claim(
            pk=ident, speaker_id=speaker_id, made_on=made_on, made_precision=made_precision
        )
