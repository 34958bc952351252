"""A claim's history in words, read from the hash-chained history (claims/ledger): the claim row's
change records and those of its parts (figures, chain hops, targets, evidence, the answers it
makes and receives), with field labels, names for ids and a sentence per change.

Nothing here writes or re-hashes: it reads the records the triggers wrote. A part's records are
found two ways, because a part removed since has no row left to name it: by the ids of the
claim's parts now, and, after each change record of the claim row, by walking the records that
follow it in the same write (a write's records are contiguous: writers extend the chain one at a
time until they commit) while they are parts of this claim.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from django.db import models
from django.db.models import CharField, Q
from django.db.models.functions import Cast

from claims.ledger.history import history_of
from claims.models import (
    Attribution,
    CasualtyFigure,
    ChangeRecord,
    Claim,
    ClaimTarget,
    Evidence,
    Incident,
    Response,
)
from claimtracker.dates import describe
from sources.models import Actor, Document

# Records read after each change of the claim row for the parts written with it: more than the
# parts any one claim holds.
WINDOW = 200
PARTS: list[type[models.Model]] = [CasualtyFigure, Attribution, ClaimTarget, Evidence, Response]
PART_TABLES = {model._meta.db_table: model for model in PARTS}
CLAIM_TABLE = Claim._meta.db_table
# Bookkeeping, derived or internal columns: what an editor wrote is what the page lists.
HIDDEN = {
    "id", "uid", "updated_at", "version", "created_by_id", "created_at", "published_at",
    "quote_anchor", "claim_id", "archive_attempts", "archive_verified_at", "archive_size",
    "archive_content_type", "archive_final_url", "archive_http_status", "archive_file",
}  # fmt: skip
NAMED = {Actor: "name", Incident: "title", Document: "title"}


@dataclass
class Row:
    label: str
    before: str | None
    after: str | None


@dataclass
class Change:
    sentence: str
    rows: list[Row] = field(default_factory=list)
    as_published: bool = False  # the public's view of a publication: no draft values before


@dataclass
class Entry:
    """One write: its first change record (time, door, hash) and what it changed."""

    record: ChangeRecord
    changes: list[Change] = field(default_factory=list)
    records: list[ChangeRecord] = field(default_factory=list)
    who: str = ""

    @property
    def last_pk(self) -> int:
        return self.records[-1].pk if self.records else self.record.pk


def _belongs(record: ChangeRecord, claim_id: int) -> bool:
    if record.table_name not in PART_TABLES:
        return False
    image = record.after or record.before
    return claim_id in (image.get("claim_id"), image.get("answers_id"))


def _records(claim: Claim) -> list[ChangeRecord]:
    """The claim row's change records and its parts', in the order they were written."""
    own = list(history_of(claim))
    # The parts the claim has now, by id, as sub-queries of the one query for their records.
    current = Q(pk__in=[])
    for model in PARTS:
        by = Q(claim=claim) | Q(answers=claim) if model is Response else Q(claim=claim)
        ids = model._default_manager.filter(by).annotate(text=Cast("pk", CharField()))
        current |= Q(table_name=model._meta.db_table, record_id__in=ids.values("text"))
    windows = Q(pk__in=[])
    for record in own:
        windows |= Q(pk__gt=record.pk, pk__lte=record.pk + WINDOW)
    found = {r.pk: r for r in ChangeRecord.objects.filter(current)}
    following = list(ChangeRecord.objects.filter(windows).order_by("pk")) if own else []
    starts = {record.pk for record in own}
    walking = False
    for record in following:
        if record.pk - 1 in starts or (walking and record.pk - 1 in found):
            walking = _belongs(record, claim.pk)
            if walking:
                found[record.pk] = record
        else:
            walking = False
    return sorted([*own, *found.values()], key=lambda r: r.pk)


def _names(records: Iterable[ChangeRecord]) -> dict[tuple[type, Any], str]:
    """The name of every actor, incident and document the records refer to, one query each."""
    wanted: dict[type[models.Model], set] = {Actor: set(), Incident: set(), Document: set()}
    for record in records:
        model = Claim if record.table_name == CLAIM_TABLE else PART_TABLES[record.table_name]
        for f in model._meta.concrete_fields:
            if f.is_relation and f.related_model in wanted:
                for image in (record.before, record.after):
                    if image.get(f.column) is not None:
                        wanted[f.related_model].add(image[f.column])
    names: dict[tuple[type, Any], str] = {}
    for model, ids in wanted.items():
        if ids:
            for pk, name in model._default_manager.filter(pk__in=ids).values_list(
                "pk", NAMED[model]
            ):
                names[(model, pk)] = name
    return names


class Reader:
    """Turns change records into labelled rows and sentences, for one claim and one reader."""

    def __init__(self, claim: Claim, names: dict, others: dict[int, Claim]) -> None:
        self.claim, self.names, self.others = claim, names, others

    def value(self, model: type[models.Model], column: str, value: Any) -> str | None:
        if value is None or value == "":
            return None
        f = next((f for f in model._meta.concrete_fields if f.column == column), None)
        if f is None:
            return str(value)
        if f.choices:
            return str(dict(f.flatchoices).get(value, value))
        if f.is_relation:
            if f.related_model is Claim:
                other = self.others.get(value)
                return f"the claim by {other.speaker.name}" if other else "a claim not shown"
            return self.names.get((f.related_model, value), "a row since removed")
        if isinstance(value, bool):
            return "yes" if value else "no"
        return str(value)

    def label(self, model: type[models.Model], column: str) -> str:
        f = next((f for f in model._meta.concrete_fields if f.column == column), None)
        return _cap(f, column)

    def when(self, model: type[models.Model], column: str, value: Any, image: dict) -> Any:
        """A claim's date made in words with its precision ("week of 18 Sep 2017 – …")."""
        if model is Claim and column == "made_on" and value:
            precision = image.get("made_precision") or "day"
            return describe(dt.date.fromisoformat(str(value)[:10]), precision)
        return self.value(model, column, value)

    def rows(self, model: type[models.Model], record: ChangeRecord) -> list[Row]:
        before, after = record.before, record.after
        return [
            Row(
                self.label(model, c),
                self.when(model, c, old, before),
                self.when(model, c, new, after),
            )
            for c, old, new in record.changes()
            if c not in HIDDEN
        ]

    def instance(self, model: type[models.Model], image: dict) -> Any:
        columns = {f.column: f.attname for f in model._meta.concrete_fields}
        return model(**{columns[c]: v for c, v in image.items() if c in columns})


def _cap(f: models.Field | None, column: str) -> str:
    text = str(f.verbose_name) if f is not None else column
    return text[:1].upper() + text[1:]


# --- sentences ------------------------------------------------------------------------------


def _by(record: ChangeRecord, role: str) -> str:
    """Who, as the public may know it: the role the workflow requires, or a command."""
    return f"by {role}" if record.user_id else "by a command run on the server, no one signed in"


def claim_sentence(reader: Reader, record: ChangeRecord, as_published: bool) -> Change | None:
    before, after = record.before, record.after
    rows = reader.rows(Claim, record)
    if as_published:  # every field as it was published, none of the draft's values before
        # The precision is part of the date made, in words.
        columns = (c for c in after if c not in HIDDEN and c != "made_precision")
        shown = ((c, reader.when(Claim, c, after[c], after)) for c in columns)
        rows = [Row(reader.label(Claim, c), None, text) for c, text in shown if text]
    was, now = before.get("status"), after.get("status")
    if record.operation == ChangeRecord.Operation.INSERT:
        how = "Created and published" if now == Claim.Status.PUBLISHED else f"Created as a {now}"
        by = _by(record, "a reviewer" if now != Claim.Status.DRAFT else "an editor")
        return Change(f"{how} {by}.", rows, as_published)
    if record.operation == ChangeRecord.Operation.DELETE:
        return Change("Deleted from the record.")
    if was != now:
        moved: dict[str | None, str] = {"published": "Published", "withdrawn": "Withdrawn"}
        sentence = f"{moved.get(now, f'Made a {now}')} {_by(record, 'a reviewer')}."
        if now == Claim.Status.WITHDRAWN and after.get("withdrawal_reason"):
            sentence += f" The reason given: {after['withdrawal_reason']}"
        return Change(sentence, rows, as_published)
    if not rows:
        return None  # only bookkeeping: the parts written with it say what changed
    listed = ", ".join(row.label.lower() for row in rows)
    return Change(f"{listed[:1].upper()}{listed[1:]} changed.", rows)


def _figure(reader: Reader, image: dict) -> str:
    figure = reader.instance(CasualtyFigure, image)
    return (
        f"{figure.range_display} ({figure.get_category_display()}, {figure.get_outcome_display()})"
    )


def part_sentence(reader: Reader, record: ChangeRecord) -> Change | None:
    model = PART_TABLES[record.table_name]
    image = record.after or record.before
    op = record.operation
    added, removed = op == ChangeRecord.Operation.INSERT, op == ChangeRecord.Operation.DELETE
    rows = [] if added or removed else reader.rows(model, record)
    if model is CasualtyFigure:
        if added or removed:
            return Change(f"Figure {'added' if added else 'removed'}: {_figure(reader, image)}.")
        old = reader.instance(CasualtyFigure, record.before).range_display
        new = reader.instance(CasualtyFigure, record.after).range_display
        if old != new:
            return Change(f"Figure changed from {old} to {new}.", rows)
        return Change(f"Figure {new} changed.", rows)
    if model is Attribution:
        who = reader.value(Attribution, "actor_id", image.get("actor_id"))
        verb = reader.value(Attribution, "verb", image.get("verb"))
        if added or removed:
            return Change(f"Chain: {who} {'added' if added else 'removed'} ({verb}).")
        return Change(f"Chain: the hop through {who} changed.", rows)
    if model is ClaimTarget:
        who = reader.value(ClaimTarget, "actor_id", image.get("actor_id"))
        role = "accused" if image.get("role") == ClaimTarget.Role.ACCUSED else "its subject"
        if added:  # the claim's speaker accuses, not the record: say whose list it is
            return Change(f"The claim now lists {who} as {role}.")
        if removed:
            return Change(f"The claim no longer lists {who} as {role}.")
        return Change(f"{who}'s role changed.", rows)
    if model is Evidence:
        kind = reader.value(Evidence, "kind", image.get("kind"))
        if added or removed:
            relation = reader.value(Evidence, "relation", image.get("relation"))
            return Change(f"Evidence {'added' if added else 'removed'}: {kind}, {relation}.")
        status = record.after.get("archive_status")
        if status != record.before.get("archive_status") and status in ARCHIVE_WORDS:
            error = record.after.get("archive_error") or ""
            return Change(f"{ARCHIVE_WORDS[status]} ({kind}). {error}".strip())
        return (Change(f"Evidence ({kind}) changed.", rows)) if rows else None
    return _response_sentence(reader, record, image, added, removed, rows)


ARCHIVE_WORDS = {
    "archived": "A copy of the evidence was archived",
    "failed": "Archiving the evidence failed",
    "blocked": "The evidence's address was not fetched for archiving",
    "mismatch": "The archived copy of the evidence no longer matches its hash",
}


def _response_sentence(
    reader: Reader, record: ChangeRecord, image: dict, added: bool, removed: bool, rows: list
) -> Change | None:
    kind = reader.value(Response, "kind", image.get("kind"))
    made = image.get("claim_id") == reader.claim.pk
    other = reader.others.get(image.get("answers_id" if made else "claim_id") or 0)
    if other is None:
        return None  # the other side is not shown to this reader
    if made:
        what = f"{reader.claim.speaker.name} {kind} a claim by {other.speaker.name}"
    else:
        what = f"{other.speaker.name} {kind} this claim"
    if added:
        return Change(f"Answer recorded: {what}.")
    if removed:
        return Change(f"Answer removed: {what}.")
    return Change(f"Answer changed: {what}.", rows)


# --- the history --------------------------------------------------------------------------------


def _other_claims(records: list[ChangeRecord], claim: Claim, shown: Iterable[str]) -> dict:
    """The claims on the other side of the answers in ``records`` that the reader may see."""
    ids: set[int] = set()
    for record in records:
        if record.table_name == Response._meta.db_table:
            image = record.after or record.before
            ids |= {image.get("claim_id") or 0, image.get("answers_id") or 0} - {claim.pk, 0}
    if not ids:
        return {}
    others = Claim.objects.filter(pk__in=ids, status__in=list(shown)).select_related("speaker")
    return {other.pk: other for other in others}


def _same_write(previous: ChangeRecord | None, record: ChangeRecord) -> bool:
    """Whether ``record`` follows ``previous`` in one write: next in the chain and, where the
    history names transactions (PostgreSQL), in the same one."""
    if previous is None or record.pk != previous.pk + 1:
        return False
    return record.txid == previous.txid


def changes_of(claim: Claim, *, editors_view: bool, shown: Iterable[str]) -> list[Entry]:
    """The claim's history as writes, oldest first, each with its changes in words. The public
    (not ``editors_view``) sees it from publication on: what a draft held, and the parts
    written while it was one, are left out, and the publication shows what was published."""
    records = _records(claim)
    reader = Reader(claim, _names(records), _other_claims(records, claim, shown))
    entries: list[Entry] = []
    status: str | None = None
    previous = None
    for record in records:
        is_claim = record.table_name == CLAIM_TABLE
        if is_claim:
            status = record.after.get("status", status)
        if not editors_view and status in (None, Claim.Status.DRAFT):
            previous = None
            continue
        if is_claim:
            published_now = record.before.get("status") in (None, Claim.Status.DRAFT)
            change = claim_sentence(reader, record, as_published=published_now and not editors_view)
        else:
            change = part_sentence(reader, record)
        if is_claim or not _same_write(previous, record):
            entries.append(Entry(record))
        entries[-1].records.append(record)
        if change is not None:
            entries[-1].changes.append(change)
        previous = record
    return [entry for entry in entries if entry.changes]
