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
accepted for import too. Archive state, quote checks, authors and assessments are not part of a
dataset: they belong to the database that made them.

Import validates every row before writing any: one bad row and nothing is written, and every bad
row is reported with its line number. Rows whose key exists already are left as they are, so
importing a file twice adds nothing.
"""

from __future__ import annotations

import csv
import io
import json
import uuid
from collections import Counter
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any, TextIO

from django.core.exceptions import ValidationError
from django.db import models, transaction

from claims.ledger.history import acting_as
from claims.models import (
    Attribution,
    CasualtyFigure,
    Claim,
    ClaimTarget,
    Evidence,
    Incident,
    Response,
)
from sources.models import Actor, Affiliation, Alias, Document

Progress = Callable[[int, int], None]

ACTOR_FIELDS = ["slug", "name", "kind", "country", "description", "wikidata_id"]
AFFILIATION_FIELDS = ["role", "start_on", "end_on"]
DOCUMENT_FIELDS = ["title", "url", "kind", "language", "published_on", "published_precision"]
DOCUMENT_FIELDS += ["full_text"]
INCIDENT_FIELDS = ["slug", "title", "description", "place", "region", "country", "latitude"]
INCIDENT_FIELDS += ["longitude", "start_on", "start_precision", "start_as_stated", "end_on"]
INCIDENT_FIELDS += ["end_precision", "end_as_stated"]
CLAIM_FIELDS = ["kind", "summary", "quote", "quote_language", "translation", "made_on"]
CLAIM_FIELDS += ["made_precision", "made_as_stated", "status", "withdrawal_reason"]
FIGURE_FIELDS = ["category", "outcome", "low", "high", "qualifier", "as_stated", "basis"]
HOP_FIELDS = ["verb", "note"]
EVIDENCE_FIELDS = ["relation", "kind", "description", "url", "availability"]
TYPES = ["actor", "affiliation", "document", "incident", "claim", "response"]
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
        places = row._meta.get_field(name).decimal_places
        return f"{value:.{places}f}"
    if hasattr(value, "isoformat"):
        return value.isoformat()
    if isinstance(value, uuid.UUID):
        return str(value)
    return value


def _fields(row: models.Model, names: Iterable[str]) -> dict[str, Any]:
    return {name: _value(row, name) for name in names}


def dataset_records() -> Iterator[dict[str, Any]]:
    """Every record of the dataset, in the stable order of the format."""
    for actor in Actor.objects.order_by("slug").prefetch_related("aliases"):
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
    for document in Document.objects.select_related("publisher").order_by("uid"):
        yield {
            "type": "document",
            "uid": str(document.uid),
            "publisher": document.publisher.slug,
            **_fields(document, DOCUMENT_FIELDS),
        }
    for incident in Incident.objects.order_by("slug"):
        yield {"type": "incident", **_fields(incident, INCIDENT_FIELDS)}
    yield from _claim_records()
    responses = Response.objects.select_related("claim", "answers")
    for response in sorted(responses, key=lambda r: (str(r.claim.uid), str(r.answers.uid), r.kind)):
        yield {
            "type": "response",
            "claim": str(response.claim.uid),
            "answers": str(response.answers.uid),
            "kind": response.kind,
            "note": response.note,
        }


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
    for claim in claims:
        yield {
            "type": "claim",
            "uid": str(claim.uid),
            "speaker": claim.speaker.slug,
            "spokesperson": claim.spokesperson.slug if claim.spokesperson_id else None,
            "incident": claim.incident.slug if claim.incident_id else None,
            **_fields(claim, CLAIM_FIELDS),
            "targets": sorted([t.actor.slug, t.role] for t in claim.claim_targets.all()),
            "figures": [
                {
                    **_fields(f, FIGURE_FIELDS),
                    "reported_by": f.reported_by.slug if f.reported_by_id else None,
                }
                for f in sorted(claim.figures.all(), key=lambda f: f.pk)
            ],
            "chain": [
                {
                    "actor": hop.actor.slug,
                    "document": str(hop.document.uid) if hop.document_id else None,
                    **_fields(hop, HOP_FIELDS),
                }
                for hop in claim.chain
            ],
            "evidence": [
                _fields(e, EVIDENCE_FIELDS)
                for e in sorted(claim.evidence.all(), key=lambda e: e.pk)
            ],
        }


def dumps(record: dict[str, Any]) -> str:
    return json.dumps(record, ensure_ascii=False, sort_keys=True, separators=(",", ":"))


def export_dataset(*, out: TextIO, progress: Progress | None = None) -> int:
    """Write the whole dataset to ``out`` as JSON Lines; return the number of records."""
    total = sum(
        model.objects.count() for model in (Actor, Affiliation, Document, Incident, Claim, Response)
    )
    count = 0
    for record in dataset_records():
        out.write(dumps(record) + "\n")
        count += 1
        if progress:
            progress(count, total)
    return count


# --- Reading ------------------------------------------------------------------------------------


def read_rows(text: str, *, name: str = "") -> tuple[list[Row], list[dict[str, Any]]]:
    """Parse JSON Lines or CSV into rows; return the rows and the lines that did not parse."""
    is_csv = name.lower().endswith(".csv") or (
        not name.lower().endswith((".jsonl", ".ndjson", ".json"))
        and not text.lstrip().startswith("{")
    )
    return _read_csv(text) if is_csv else _read_jsonl(text)


def _read_jsonl(text: str) -> tuple[list[Row], list[dict[str, Any]]]:
    rows, errors = [], []
    for line_number, line in enumerate(text.splitlines(), start=1):
        if not line.strip():
            continue
        try:
            record = json.loads(line)
        except json.JSONDecodeError as error:
            errors.append({"line": line_number, "reason": f"not valid JSON ({error.msg})"})
            continue
        if not isinstance(record, dict):
            errors.append({"line": line_number, "reason": "a record must be a JSON object"})
            continue
        rows.append(Row(line_number, record))
    return rows, errors


def _read_csv(text: str) -> tuple[list[Row], list[dict[str, Any]]]:
    rows, errors = [], []
    reader = csv.DictReader(io.StringIO(text))
    for record in reader:
        line_number = reader.line_num
        cleaned: dict[str, Any] = {}
        try:
            for key, value in record.items():
                if key is None or value in (None, ""):
                    continue  # an empty cell means "the default"
                cleaned[key] = json.loads(value) if key in LIST_FIELDS else value
        except json.JSONDecodeError as error:
            errors.append({"line": line_number, "reason": f"{key}: not valid JSON ({error.msg})"})
            continue
        rows.append(Row(line_number, cleaned))
    return rows, errors


# --- Import -------------------------------------------------------------------------------------


def _messages(error: ValidationError) -> str:
    if hasattr(error, "error_dict"):
        return "; ".join(
            f"{'' if key == '__all__' else key + ': '}{' '.join(messages)}"
            for key, messages in error.message_dict.items()
        )
    return " ".join(error.messages)


def _check(row: models.Model, *, exclude: Iterable[str] = (), where: str = "") -> None:
    try:
        row.full_clean(exclude=list(exclude), validate_unique=False, validate_constraints=False)
    except ValidationError as error:
        raise RowError(f"{where}{_messages(error)}") from None


def _take(record: dict[str, Any], names: Iterable[str]) -> dict[str, Any]:
    return {name: record[name] for name in names if name in record and record[name] is not None}


class Importer:
    """Applies rows in file order. With ``write`` off it only checks them, saving nothing, and
    keeps what earlier rows would create in memory so later rows can refer to it."""

    KNOWN = {
        "actor": {"type", "aliases", *ACTOR_FIELDS},
        "affiliation": {"type", "person", "organisation", *AFFILIATION_FIELDS},
        "document": {"type", "uid", "publisher", *DOCUMENT_FIELDS},
        "incident": {"type", *INCIDENT_FIELDS},
        "claim": {"type", "uid", "speaker", "spokesperson", "incident", *CLAIM_FIELDS}
        | LIST_FIELDS - {"aliases"},
        "response": {"type", "claim", "answers", "kind", "note"},
    }

    def __init__(self, *, write: bool) -> None:
        self.write = write
        self.created: Counter[str] = Counter()
        self.seen: set[tuple[str, str]] = set()
        self.failed: set[tuple[str, str]] = set()
        self.known: dict[str, dict[str, models.Model]] = {t: {} for t in TYPES}
        self.new_documents: list[Document] = []
        self.new_evidence: list[Evidence] = []
        self.new_claims: list[Claim] = []

    def apply(self, row: Row) -> None:
        record = row.record
        kind = record.get("type")
        if kind not in TYPES:
            raise RowError(f"unknown record type {kind!r} (expected one of {', '.join(TYPES)})")
        unknown = sorted(set(record) - self.KNOWN[kind])
        if unknown:
            raise RowError(f"unknown fields for a {kind}: {', '.join(unknown)}")
        try:
            getattr(self, f"_{kind}")(record)
        except RowError:
            self.failed.add((kind, str(record.get("uid") or record.get("slug") or "")))
            raise

    def _once(self, kind: str, key: str) -> None:
        if (kind, key) in self.seen:
            raise RowError(f"the {kind} {key!r} appears more than once in the file")
        self.seen.add((kind, key))

    def _save(self, row: models.Model) -> None:
        if self.write:
            row.save()
        self.created[str(row._meta.verbose_name_plural)] += 1

    def _find(self, model: type[models.Model], kind: str, key: Any, **lookup: Any) -> Any:
        if key is None or key == "":
            return None
        key = str(key)
        if (kind, key) in self.failed:
            raise DependsOnBadRow(key)
        if key not in self.known[kind]:
            try:
                self.known[kind][key] = model.objects.get(**lookup)
            except (model.DoesNotExist, ValidationError, ValueError):
                raise RowError(
                    f"refers to {kind} {key!r}, which is neither in the database nor earlier "
                    "in the file"
                ) from None
        return self.known[kind][key]

    def actor(self, slug: Any) -> Actor:
        return self._find(Actor, "actor", slug, slug=slug)

    def _actor(self, record: dict[str, Any]) -> None:
        slug = str(record.get("slug") or "")
        self._once("actor", slug)
        actor = Actor.objects.filter(slug=slug).first() if slug else None
        if actor is None:
            actor = Actor(**_take(record, ACTOR_FIELDS))
            _check(actor)
            self._save(actor)
        self.known["actor"][slug] = actor
        existing = set()
        if actor.pk:
            existing = {(a.name, a.language) for a in actor.aliases.all()}
        for pair in record.get("aliases") or []:
            if not (isinstance(pair, list) and len(pair) == 2):
                raise RowError("aliases: each alias is a [name, language] pair")
            if tuple(pair) in existing:
                continue
            existing.add(tuple(pair))
            alias = Alias(actor=actor, name=pair[0], language=pair[1])
            _check(alias, exclude=["actor"], where=f"alias {pair[0]!r}: ")
            self._save(alias)

    def _affiliation(self, record: dict[str, Any]) -> None:
        person, organisation = (
            self.actor(record.get("person")),
            self.actor(record.get("organisation")),
        )
        if person is None or organisation is None:
            raise RowError("an affiliation needs a person and an organisation")
        fields = _take(record, AFFILIATION_FIELDS)
        self._once("affiliation", f"{person.slug}/{organisation.slug}/{fields}")
        row = Affiliation(person=person, organisation=organisation, **fields)
        _check(row, exclude=["person", "organisation"])
        if person.pk and organisation.pk:
            lookup = {"start_on": row.start_on, "end_on": row.end_on, "role": row.role}
            if Affiliation.objects.filter(
                person=person, organisation=organisation, **lookup
            ).exists():
                return
        self._save(row)

    def _document(self, record: dict[str, Any]) -> None:
        uid = self._uid(record)
        self._once("document", uid)
        document = Document.objects.filter(uid=uid).first()
        if document is None:
            publisher = self.actor(record.get("publisher"))
            if publisher is None:
                raise RowError("publisher: a document needs a publisher")
            document = Document(uid=uid, publisher=publisher, **_take(record, DOCUMENT_FIELDS))
            _check(document, exclude=["publisher"])
            self._save(document)
            self.new_documents.append(document)
        self.known["document"][uid] = document

    def _incident(self, record: dict[str, Any]) -> None:
        slug = str(record.get("slug") or "")
        self._once("incident", slug)
        incident = Incident.objects.filter(slug=slug).first() if slug else None
        if incident is None:
            incident = Incident(**_take(record, INCIDENT_FIELDS))
            _check(incident)
            self._save(incident)
        self.known["incident"][slug] = incident

    @staticmethod
    def _uid(record: dict[str, Any]) -> str:
        try:
            return str(uuid.UUID(str(record.get("uid"))))
        except ValueError:
            raise RowError(f"uid: {record.get('uid')!r} is not a UUID") from None

    def _claim(self, record: dict[str, Any]) -> None:
        uid = self._uid(record)
        self._once("claim", uid)
        claim = Claim.objects.filter(uid=uid).first()
        if claim is not None:
            self.known["claim"][uid] = claim
            return
        speaker = self.actor(record.get("speaker"))
        if speaker is None:
            raise RowError("speaker: a claim needs a speaker")
        claim = Claim(
            uid=uid,
            speaker=speaker,
            spokesperson=self.actor(record.get("spokesperson")),
            incident=self._find(
                Incident, "incident", record.get("incident"), slug=record.get("incident")
            ),
            **_take(record, CLAIM_FIELDS),
        )
        _check(claim, exclude=["speaker", "spokesperson", "incident"])
        parts = self._claim_parts(record)
        self._save(claim)
        self.known["claim"][uid] = claim
        self.new_claims.append(claim)
        for part in parts:
            part.claim = claim
            self._save(part)
            if isinstance(part, Evidence):
                self.new_evidence.append(part)

    def _claim_parts(self, record: dict[str, Any]) -> list[models.Model]:
        parts: list[models.Model] = []
        for n, pair in enumerate(record.get("targets") or [], start=1):
            if not (isinstance(pair, list) and len(pair) == 2):
                raise RowError(f"targets[{n}]: each target is an [actor slug, role] pair")
            parts.append(ClaimTarget(actor=self.actor(pair[0]), role=pair[1]))
            _check(parts[-1], exclude=["claim", "actor"], where=f"targets[{n}]: ")
        for n, figure in enumerate(record.get("figures") or [], start=1):
            row = CasualtyFigure(
                reported_by=self.actor(figure.get("reported_by")), **_take(figure, FIGURE_FIELDS)
            )
            _check(row, exclude=["claim", "reported_by"], where=f"figures[{n}]: ")
            parts.append(row)
        for n, hop in enumerate(record.get("chain") or [], start=1):
            document = self._find(
                Document, "document", hop.get("document"), uid=hop.get("document")
            )
            row = Attribution(
                position=n, actor=self.actor(hop.get("actor")), document=document,
                **_take(hop, HOP_FIELDS),
            )  # fmt: skip
            if row.actor is None:
                raise RowError(f"chain[{n}]: a hop needs an actor")
            _check(row, exclude=["claim", "actor", "document"], where=f"chain[{n}]: ")
            parts.append(row)
        for n, item in enumerate(record.get("evidence") or [], start=1):
            row = Evidence(**_take(item, EVIDENCE_FIELDS))
            _check(row, exclude=["claim"], where=f"evidence[{n}]: ")
            parts.append(row)
        return parts

    def _response(self, record: dict[str, Any]) -> None:
        claim = self._find(Claim, "claim", record.get("claim"), uid=record.get("claim"))
        answers = self._find(Claim, "claim", record.get("answers"), uid=record.get("answers"))
        if claim is None or answers is None:
            raise RowError("a response needs the answering claim and the claim it answers")
        kind = record.get("kind")
        self._once("response", f"{record.get('claim')}/{record.get('answers')}/{kind}")
        saved = claim.pk is not None and answers.pk is not None
        if saved and Response.objects.filter(claim=claim, answers=answers, kind=kind).exists():
            return
        response = Response(claim=claim, answers=answers, kind=kind, note=record.get("note") or "")
        _check(response, exclude=["claim", "answers"])
        self._save(response)


def _run(rows: list[Row], importer: Importer, progress: Progress | None) -> list[dict[str, Any]]:
    errors = []
    for done, row in enumerate(rows, start=1):
        try:
            importer.apply(row)
        except RowError as error:
            errors.append({"line": row.line, "reason": str(error)})
        except DependsOnBadRow:
            pass
        if progress:
            progress(done, len(rows))
    return errors


def import_rows(
    rows: list[Row],
    *,
    dry_run: bool = False,
    validated: Progress | None = None,
    imported: Progress | None = None,
    user: Any = None,
) -> Outcome:
    """Validate every row, then (unless ``dry_run`` or any row is bad) import them all in one
    transaction. Archives and quote checks for new rows are queued once it commits."""
    outcome = Outcome(rows=len(rows))
    outcome.errors = _run(rows, Importer(write=False), validated)
    if outcome.errors or dry_run:
        return outcome
    importer = Importer(write=True)
    # The history records every imported row as the uploader's, through "import".
    with acting_as(user, "import"), transaction.atomic():
        errors = _run(rows, importer, imported)
        if errors:
            # A rule only the database could check (the validation pass saw none): undo it all.
            transaction.set_rollback(True)
            outcome.errors = errors
            return outcome
        _after_import(importer)
    outcome.created = importer.created
    return outcome


def _after_import(importer: Importer) -> None:
    """Queue the work a save of these rows would queue: archives, quote checks, events."""
    from claims.jobs import quotes, webhooks
    from claims.jobs.archiving import request_archive

    for item in [*importer.new_documents, *importer.new_evidence]:
        if item.url:
            request_archive(item=item)
    for claim in importer.new_claims:
        if claim.quote:
            quotes.request_quote_check(claim=claim)
        webhooks.record_claim_changes(claim=claim, previous_status=None)


def import_text(text: str, *, name: str = "", **options: Any) -> Outcome:
    rows, errors = read_rows(text, name=name)
    if errors:
        return Outcome(rows=len(rows) + len(errors), errors=errors)
    return import_rows(rows, **options)
