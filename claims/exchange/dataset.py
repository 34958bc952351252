"""The dataset format, and importing and exporting it.

A dataset is JSON Lines: one record per line, each an object with a ``type`` and the fields of
that type, every row named by a natural key instead of a database id:

    actor        slug (aliases listed in the record)       affiliation  person, organisation, role
    document     uid                                       incident     slug
    claim        uid (targets, figures, chain, evidence    response     claim uid, answers uid, kind
                 listed in the record)

Records come in that order of types, each type sorted by its key, with keys sorted and no extra
white space, so exporting, importing into an empty database and exporting again gives the same
bytes. CSV with the same field names as columns (a ``type`` column; list fields as JSON) is
accepted for import too. A dataset exported as the record stood at a change record
(``export_dataset --recorded-by``) starts with one ``head`` record naming that change record
(id, hash, time), which the importer passes over. Archive state, quote checks, authors and
assessments are not part of a dataset: they belong to the database that made them.

Importing (claims.exchange.importer) validates every row before writing any: one bad row and
nothing is written, and every bad row is reported with its line number. Rows whose key exists
already are left as they are, so importing a file twice adds nothing.
"""

from __future__ import annotations

import codecs
import csv
import io
import json
import uuid
from collections import Counter
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any, BinaryIO, Protocol, TextIO, cast

from django.db import models

from claims.ledger.exports import head_at, snapshot
from claims.ledger.rebuild import Point, recorded_state
from claims.models import (
    Attribution,
    CasualtyFigure,
    Claim,
    ClaimTarget,
    Incident,
    Response,
)
from sources.models import Actor, Affiliation, Document

Progress = Callable[[int, int], None]

ACTOR_FIELDS = ["slug", "name", "kind", "country", "description", "wikidata_id"]
AFFILIATION_FIELDS = ["role", "start_on", "end_on"]
DOCUMENT_FIELDS = ["title", "url", "kind", "language", "published_on", "published_precision"]
DOCUMENT_FIELDS += ["full_text"]
DOCUMENT_FIELDS += ["wikidata_id", "doi"]
INCIDENT_FIELDS = ["slug", "title", "description", "place", "region", "country", "latitude"]
INCIDENT_FIELDS += ["longitude", "start_on", "start_precision", "start_as_stated", "end_on"]
INCIDENT_FIELDS += ["end_precision", "end_as_stated", "location_precision"]
INCIDENT_FIELDS += ["acled_id", "ucdp_id", "wikidata_id"]
CLAIM_FIELDS = ["kind", "summary", "quote", "quote_language", "translation", "made_on"]
CLAIM_FIELDS += ["made_precision", "made_as_stated", "status", "withdrawal_reason"]
FIGURE_FIELDS = ["category", "outcome", "low", "high", "qualifier", "as_stated", "basis"]
HOP_FIELDS = ["verb", "note"]
EVIDENCE_FIELDS = ["relation", "kind", "description", "url", "availability"]
TYPES = ["actor", "affiliation", "document", "incident", "claim", "response"]
# The record naming the change record a dataset was exported at; not a row of the record.
HEAD_TYPE = "head"
# Fields a CSV cell holds as JSON, because they are lists.
LIST_FIELDS = {"aliases", "targets", "figures", "chain", "evidence"}


class RowError(Exception):
    """A row that cannot be imported, and why."""


class DependsOnBadRow(Exception):
    """A row refers to a row already reported as bad; one report of the cause is enough."""


@dataclass
class Row:
    line: int
    record: dict[str, Any]
    file: str = ""  # the package's CSV the row comes from; "" for a single-file dataset


@dataclass
class Outcome:
    rows: int = 0
    errors: list[dict[str, Any]] = field(default_factory=list)
    created: Counter[str] = field(default_factory=Counter)

    @property
    def ok(self) -> bool:
        return not self.errors


# --- Export -------------------------------------------------------------------------------------


def _value(row: models.Model, name: str) -> Any:
    value = getattr(row, name)
    if isinstance(value, Decimal):
        places = cast(models.DecimalField, row._meta.get_field(name)).decimal_places
        return f"{value:.{places}f}"
    if hasattr(value, "isoformat"):
        return value.isoformat()
    if isinstance(value, uuid.UUID):
        return str(value)
    return value


def _fields(row: models.Model, names: Iterable[str]) -> dict[str, Any]:
    return {name: _value(row, name) for name in names}


# Rows fetched (and prefetched for) at a time: memory stays flat however large the record is.
CHUNK_SIZE = 1000


def dataset_records() -> Iterator[dict[str, Any]]:
    """Every record of the dataset, in the stable order of the format, read in chunks."""
    actors = Actor.objects.order_by("slug").prefetch_related("aliases")
    for actor in actors.iterator(chunk_size=CHUNK_SIZE):
        aliases = sorted([a.name, a.language] for a in actor.aliases.all())
        yield {"type": "actor", **_fields(actor, ACTOR_FIELDS), "aliases": aliases}
    affiliations = Affiliation.objects.select_related("person", "organisation")
    for row in sorted(
        affiliations,
        key=lambda a: (a.person.slug, a.organisation.slug, a.role, str(a.start_on), str(a.end_on)),
    ):
        yield {
            "type": "affiliation",
            "person": row.person.slug,
            "organisation": row.organisation.slug,
            **_fields(row, AFFILIATION_FIELDS),
        }
    documents = Document.objects.select_related("publisher").order_by("uid")
    for document in documents.iterator(chunk_size=CHUNK_SIZE):
        yield {
            "type": "document",
            "uid": str(document.uid),
            "publisher": document.publisher.slug,
            **_fields(document, DOCUMENT_FIELDS),
        }
    for incident in Incident.objects.order_by("slug").iterator(chunk_size=CHUNK_SIZE):
        yield {"type": "incident", **_fields(incident, INCIDENT_FIELDS)}
    yield from _claim_records()
    for response in _responses():
        yield {
            "type": "response",
            "claim": str(response.claim.uid),
            "answers": str(response.answers.uid),
            "kind": response.kind,
            "note": response.note,
        }


def _responses() -> Iterator[Response]:
    """Responses by answering claim uid, answered claim uid, then kind.

    The database orders by the two uids (UUIDs compare as their text does on both backends);
    the kinds of one pair are sorted here, so that the order never depends on a collation.
    """
    rows = Response.objects.select_related("claim", "answers").order_by(
        "claim__uid", "answers__uid"
    )
    pair: list[Response] = []
    for response in rows.iterator(chunk_size=CHUNK_SIZE):
        if pair and (pair[0].claim_id, pair[0].answers_id) != (
            response.claim_id,
            response.answers_id,
        ):
            yield from sorted(pair, key=lambda r: r.kind)
            pair = []
        pair.append(response)
    yield from sorted(pair, key=lambda r: r.kind)


def _claim_records() -> Iterator[dict[str, Any]]:
    claims = (
        Claim.objects.order_by("uid")
        .select_related("speaker", "spokesperson", "incident")
        .prefetch_related(
            # Each of these would otherwise be one query per claim.
            models.Prefetch("claim_targets", ClaimTarget.objects.select_related("actor")),
            models.Prefetch("figures", CasualtyFigure.objects.select_related("reported_by")),
            models.Prefetch(
                "attributions", Attribution.objects.select_related("actor", "document")
            ),
            "evidence",
        )
    )
    for claim in claims.iterator(chunk_size=CHUNK_SIZE):
        yield {
            "type": "claim",
            "uid": str(claim.uid),
            "speaker": claim.speaker.slug,
            "spokesperson": claim.spokesperson.slug if claim.spokesperson is not None else None,
            "incident": claim.incident.slug if claim.incident is not None else None,
            **_fields(claim, CLAIM_FIELDS),
            "targets": sorted([t.actor.slug, t.role] for t in claim.claim_targets.all()),
            "figures": [
                {
                    **_fields(f, FIGURE_FIELDS),
                    "reported_by": f.reported_by.slug if f.reported_by is not None else None,
                }
                for f in sorted(claim.figures.all(), key=lambda f: f.pk)
            ],
            "chain": [
                {
                    "actor": hop.actor.slug,
                    "document": str(hop.document.uid) if hop.document is not None else None,
                    **_fields(hop, HOP_FIELDS),
                }
                for hop in claim.chain
            ],
            "evidence": [
                _fields(e, EVIDENCE_FIELDS)
                for e in sorted(claim.evidence.all(), key=lambda e: e.pk)
            ],
        }


# Characters that many line readers (Python's str.splitlines(), JavaScript) take for line ends,
# though JSON allows them raw in a string: written as escapes, a record stays on one line for
# every reader. They can only occur inside strings, where an escape means the same character.
_LINE_BREAKING = {"\u2028": "\\u2028", "\u2029": "\\u2029", "\x85": "\\u0085"}


def dumps(record: dict[str, Any]) -> str:
    text = json.dumps(record, ensure_ascii=False, sort_keys=True, separators=(",", ":"))
    for raw, escaped in _LINE_BREAKING.items():
        text = text.replace(raw, escaped)
    return text


def head_problem(record: Any) -> str | None:
    """Why a ``head`` record is not one an export writes, or None: the importer checks it."""
    if not isinstance(record, dict):
        return "the head is not a JSON object"
    size, root = record.get("tree_size"), record.get("root_hash")
    if not isinstance(size, int) or isinstance(size, bool) or size < 0:
        return "head: tree_size is not a whole number"
    if not (isinstance(root, str) and len(root) == 64 and set(root) <= set("0123456789abcdef")):
        return "head: root_hash is not 64 hex digits"
    return None


@contextmanager
def view(recorded_by: Point | None) -> Iterator[dict[str, Any]]:
    """The head record, with the record read as of it for as long as the block runs: one
    read-only snapshot of the database now, or the state rebuilt at ``recorded_by``."""
    if recorded_by is None:
        with snapshot() as held:
            yield held.record
        held.keep()
        return
    held = head_at(recorded_by.id)
    with recorded_state(recorded_by):
        yield held.record
    held.keep()


def export_dataset(
    *,
    out: TextIO | io.TextIOBase,
    progress: Progress | None = None,
    recorded_by: Point | None = None,
) -> int:
    """Write the whole dataset to ``out`` as JSON Lines; return the number of records.

    The first line is a ``head`` record naming the signed tree head the data was read at, in
    the same snapshot as the data. With ``recorded_by``, the dataset as the record stood at
    that change record, rebuilt from the history (claims.ledger.rebuild), after the head of the
    tree that ends with it.
    """
    with view(recorded_by) as head:
        out.write(dumps(head) + "\n")
        return _export(out, progress)


def counted(progress: Progress | None) -> Iterator[dict[str, Any]]:
    """The dataset's records, telling ``progress`` how many of how many have been read."""
    total = sum(
        model.objects.count() for model in (Actor, Affiliation, Document, Incident, Claim, Response)
    )
    for count, record in enumerate(dataset_records(), start=1):
        yield record
        if progress:
            progress(count, total)


def _export(out: TextIO | io.TextIOBase, progress: Progress | None) -> int:
    count = 0
    for record in counted(progress):
        out.write(dumps(record) + "\n")
        count += 1
    return count


# --- Reading ------------------------------------------------------------------------------------


def read_rows(text: str, *, name: str = "") -> tuple[list[Row], list[dict[str, Any]]]:
    """Parse JSON Lines or CSV into rows; return the rows and the lines that did not parse."""
    if _is_csv(name, text.lstrip()[:1]):
        parsed: Iterable[Row | dict[str, Any]] = _csv_rows(io.StringIO(text, newline=""))
    else:
        parsed = (_jsonl_row(n, line) for n, line in enumerate(lines_of(text), start=1))
    rows: list[Row] = []
    errors: list[dict[str, Any]] = []
    for item in parsed:
        if isinstance(item, Row):
            rows.append(item)
        elif item:
            errors.append(item)
    return rows, errors


class Rows(Protocol):
    """Rows that can be read more than once and counted: a list, or a DatasetFile."""

    def __iter__(self) -> Iterator[Row]: ...

    def __len__(self) -> int: ...


class DatasetFile:
    """A dataset file as rows, parsed as they are read and never held all at once.

    ``stream`` is a binary file that can be read again from its start (a file on disk, a stored
    upload): each pass over the rows reads it again, so that a 50 MB file costs the memory of a
    line, not of the file and its rows. ``scan()`` reads it once to count the rows and collect
    the lines that do not parse; iterating gives the rows that do. Its text must have passed
    claims.exchange.files.check_stream (UTF-8) first.
    """

    def __init__(self, stream: BinaryIO, *, name: str = "") -> None:
        self.stream = stream
        self.name = name
        self.errors: list[dict[str, Any]] = []
        self.count = 0

    def scan(self) -> DatasetFile:
        self.errors, self.count = [], 0
        for item in self._parsed():
            if isinstance(item, Row):
                self.count += 1
            elif item:
                self.errors.append(item)
        return self

    def __len__(self) -> int:
        return self.count

    def __iter__(self) -> Iterator[Row]:
        return (item for item in self._parsed() if isinstance(item, Row))

    def _parsed(self) -> Iterator[Row | dict[str, Any]]:
        self.stream.seek(0)
        start = self.stream.read(4096).removeprefix(codecs.BOM_UTF8)
        self.stream.seek(0)
        if _is_csv(self.name, start.lstrip()[:1].decode("utf-8", "replace")):
            text = io.TextIOWrapper(self.stream, encoding="utf-8-sig", newline="")
            try:
                yield from _csv_rows(text)
            finally:
                text.detach()  # the stream stays open for the next pass
            return
        for number, raw in enumerate(self.stream, start=1):
            if number == 1:
                raw = raw.removeprefix(codecs.BOM_UTF8)
            yield _jsonl_row(number, raw.decode("utf-8").removesuffix("\n").removesuffix("\r"))


def _is_csv(name: str, first_character: str) -> bool:
    name = name.lower()
    return name.endswith(".csv") or (
        not name.endswith((".jsonl", ".ndjson", ".json")) and first_character != "{"
    )


def lines_of(text: str) -> list[str]:
    """JSON Lines' lines: split at \\n only (a \\r before it dropped), never at the other
    characters str.splitlines() breaks at, which a JSON string may hold raw."""
    return [line.removesuffix("\r") for line in text.split("\n")]


def _jsonl_row(line_number: int, line: str) -> Row | dict[str, Any]:
    """One line as a row, its error ({"line", "reason"}), or an empty dict for a blank line."""
    if not line.strip():
        return {}
    try:
        record = json.loads(line)
    except json.JSONDecodeError as error:
        return {"line": line_number, "reason": f"not valid JSON ({error.msg})"}
    if not isinstance(record, dict):
        return {"line": line_number, "reason": "a record must be a JSON object"}
    return Row(line_number, record)


def _csv_rows(text: TextIO | io.TextIOBase) -> Iterator[Row | dict[str, Any]]:
    # ``text`` opened with newline="": line ends in quoted cells are the cell's own (csv docs).
    reader = csv.DictReader(cast(Iterable[str], text))
    for record in reader:
        line_number = reader.line_num
        cleaned: dict[str, Any] = {}
        try:
            for key, value in record.items():
                if key is None or value in (None, ""):
                    continue  # an empty cell means "the default"
                cleaned[key] = json.loads(value) if key in LIST_FIELDS else value
        except json.JSONDecodeError as error:
            yield {"line": line_number, "reason": f"{key}: not valid JSON ({error.msg})"}
            continue
        yield Row(line_number, cleaned)
