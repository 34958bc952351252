"""Importing a dataset: every row checked first, then every row written through the write path.

The first pass checks each row against the models' rules without writing, and reports every
bad row with its line number. Only a file with no bad row is written, in one transaction, each
row through the service of its kind (claims.record), which enforces the workflow for the
uploader (an editor's file cannot publish), records the uploader in the history and queues what
each row calls for. Anything a service refuses undoes the whole import and is reported with its
line.

Of the rows before, each pass keeps only what later rows can refer to, as keys and ids
(claims.exchange.references), never the rows themselves; with the rows of a JSON Lines or CSV
file read from it again for each pass (claims.exchange.dataset.DatasetFile), a 50 MB file is
checked and written in the memory of its keys.
"""

from __future__ import annotations

import uuid
from collections import Counter
from collections.abc import Callable, Iterable
from typing import Any

from django.core.exceptions import ValidationError
from django.db import IntegrityError, models, transaction

from claims.exchange.dataset import (
    ACTOR_FIELDS,
    AFFILIATION_FIELDS,
    CLAIM_FIELDS,
    DOCUMENT_FIELDS,
    EVIDENCE_FIELDS,
    FIGURE_FIELDS,
    HEAD_TYPE,
    HOP_FIELDS,
    INCIDENT_FIELDS,
    LIST_FIELDS,
    TYPES,
    DependsOnBadRow,
    Outcome,
    Progress,
    Row,
    RowError,
    Rows,
    head_problem,
    read_rows,
)
from claims.exchange.references import References
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
from claims.record import effects
from claims.record.actors import save_actor
from claims.record.claims import save_statement
from claims.record.documents import save_document
from claims.record.errors import RecordInvalid, Refused, StaleVersion
from claims.record.incidents import save_incident
from claims.record.responses import link_response
from sources.models import Actor, Affiliation, Alias, Document


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
    keeps the keys of what earlier rows would create so later rows can refer to it; with
    ``write`` on, each row goes through its service as ``by``."""

    KNOWN = {
        "actor": {"type", "aliases", *ACTOR_FIELDS},
        "affiliation": {"type", "person", "organisation", *AFFILIATION_FIELDS},
        "document": {"type", "uid", "publisher", *DOCUMENT_FIELDS},
        "incident": {"type", *INCIDENT_FIELDS},
        "claim": {"type", "uid", "speaker", "spokesperson", "incident", *CLAIM_FIELDS}
        | LIST_FIELDS - {"aliases"},
        "response": {"type", "claim", "answers", "kind", "note"},
    }

    def __init__(self, *, write: bool, by: Any = None) -> None:
        self.write = write
        self.by = by
        self.created: Counter[str] = Counter()
        # The keys of the file's rows by type, to refuse one that comes twice: the same string
        # objects as the references' keys, so a claim's uid is held once.
        self.seen: dict[str, set[str]] = {t: set() for t in TYPES}
        self.failed: set[tuple[str, str]] = set()
        self.references = References()
        self.applied = False  # whether a record has been applied yet (a head comes first)

    def apply(self, row: Row) -> None:
        record = row.record
        kind = record.get("type")
        if kind == HEAD_TYPE:
            # Names the tree head the dataset was exported at; checked, nothing to write.
            problem = head_problem(record)
            if self.applied:
                problem = "a head record may only be the first record of a dataset"
            self.applied = True
            if problem:
                raise RowError(problem)
            return
        self.applied = True
        if kind not in TYPES:
            raise RowError(f"unknown record type {kind!r} (expected one of {', '.join(TYPES)})")
        unknown = sorted(set(record) - self.KNOWN[kind])
        if unknown:
            raise RowError(f"unknown fields for a {kind}: {', '.join(unknown)}")
        try:
            getattr(self, f"_{kind}")(record)
        except (RecordInvalid, Refused, StaleVersion) as error:
            self.failed.add((kind, str(record.get("uid") or record.get("slug") or "")))
            reason = "; ".join(error.messages) if isinstance(error, RecordInvalid) else str(error)
            raise RowError(reason) from None
        except RowError:
            self.failed.add((kind, str(record.get("uid") or record.get("slug") or "")))
            raise

    def _once(self, kind: str, key: str) -> None:
        if key in self.seen[kind]:
            raise RowError(f"the {kind} {key!r} appears more than once in the file")
        self.seen[kind].add(key)

    def _count(self, model: type[models.Model], n: int = 1) -> None:
        if n:
            self.created[str(model._meta.verbose_name_plural)] += n

    def _id(self, kind: str, key: Any) -> Any:
        """The id of the row ``key`` names (None for no key), for a foreign key's ``_id``."""
        if key is not None and key != "" and (kind, str(key)) in self.failed:
            raise DependsOnBadRow(str(key))
        return self.references.id_of(kind, key)

    # --- one method per type of record ---

    def _actor(self, record: dict[str, Any], *, again: bool = False) -> None:
        slug = str(record.get("slug") or "")
        if not again:
            self._once("actor", slug)
        actor = Actor.objects.filter(slug=slug).first() if slug else None
        is_new = actor is None
        if actor is None:
            actor = Actor(**_take(record, ACTOR_FIELDS))
            _check(actor)
        existing = {(a.name, a.language) for a in actor.aliases.all()} if actor.pk else set()
        new_aliases = []
        for pair in record.get("aliases") or []:
            if not (isinstance(pair, list) and len(pair) == 2):
                raise RowError("aliases: each alias is a [name, language] pair")
            if tuple(pair) in existing:
                continue
            existing.add(tuple(pair))
            alias = Alias(actor=actor, name=pair[0], language=pair[1])
            _check(alias, exclude=["actor"], where=f"alias {pair[0]!r}: ")
            new_aliases.append(alias)
        if self.write and (is_new or new_aliases):
            kept = [*actor.aliases.all()] if actor.pk else []
            try:
                actor = save_actor(
                    by=self.by, values={}, actor=actor, aliases=[*kept, *new_aliases]
                )
            except RecordInvalid as error:
                if again or not is_new or not isinstance(error.__cause__, IntegrityError):
                    raise
                # Another import (or editor) created this slug after our look-up, and its
                # INSERT committed first: look the actor up again and add only what it lacks.
                return self._actor(record, again=True)
        self._count(Actor, int(is_new))
        self._count(Alias, len(new_aliases))
        self.references.add("actor", slug, actor)

    def _affiliation(self, record: dict[str, Any]) -> None:
        person_id = self._id("actor", record.get("person"))
        organisation_id = self._id("actor", record.get("organisation"))
        if person_id is None or organisation_id is None:
            raise RowError("an affiliation needs a person and an organisation")
        fields = _take(record, AFFILIATION_FIELDS)
        self._once("affiliation", f"{record['person']}/{record['organisation']}/{fields}")
        person = self.references.actor(person_id)
        row = Affiliation(
            person=person, organisation=self.references.actor(organisation_id), **fields
        )
        _check(row, exclude=["person", "organisation"])
        if person_id > 0 and organisation_id > 0:
            lookup = {"start_on": row.start_on, "end_on": row.end_on, "role": row.role}
            if Affiliation.objects.filter(
                person_id=person_id, organisation_id=organisation_id, **lookup
            ).exists():
                return
        if self.write:
            kept = list(person.affiliations.all())
            save_actor(by=self.by, values={}, actor=person, affiliations=[*kept, row])
        self._count(Affiliation)

    def _document(self, record: dict[str, Any]) -> None:
        uid = self._uid(record)
        self._once("document", uid)
        document = Document.objects.filter(uid=uid).only("pk").first()
        if document is None:
            publisher_id = self._id("actor", record.get("publisher"))
            if publisher_id is None:
                raise RowError("publisher: a document needs a publisher")
            values = {"uid": uid, "publisher_id": publisher_id, **_take(record, DOCUMENT_FIELDS)}
            document = Document(**values)
            _check(document, exclude=["publisher"])
            if self.write:
                document = save_document(by=self.by, values=values)
            self._count(Document)
        self.references.add("document", uid, document)

    def _incident(self, record: dict[str, Any]) -> None:
        slug = str(record.get("slug") or "")
        self._once("incident", slug)
        incident = Incident.objects.filter(slug=slug).only("pk").first() if slug else None
        if incident is None:
            values = _take(record, INCIDENT_FIELDS)
            incident = Incident(**values)
            _check(incident)
            if self.write:
                incident = save_incident(by=self.by, values=values)
            self._count(Incident)
        self.references.add("incident", slug, incident)

    @staticmethod
    def _uid(record: dict[str, Any]) -> str:
        try:
            return str(uuid.UUID(str(record.get("uid"))))
        except ValueError:
            raise RowError(f"uid: {record.get('uid')!r} is not a UUID") from None

    def _claim(self, record: dict[str, Any]) -> None:
        uid = self._uid(record)
        self._once("claim", uid)
        claim = Claim.objects.filter(uid=uid).only("pk").first()
        if claim is not None:
            self.references.add("claim", uid, claim)
            return
        speaker_id = self._id("actor", record.get("speaker"))
        if speaker_id is None:
            raise RowError("speaker: a claim needs a speaker")
        spokesperson_id = self._id("actor", record.get("spokesperson"))
        claim = Claim(
            uid=uid,
            speaker_id=speaker_id,
            # The claim's check reads the spokesperson's kind.
            spokesperson=self.references.actor(spokesperson_id) if spokesperson_id else None,
            incident_id=self._id("incident", record.get("incident")),
            **_take(record, CLAIM_FIELDS),
        )
        _check(claim, exclude=["speaker", "spokesperson", "incident"])
        parts = self._claim_parts(record)
        if self.write:
            save_statement(by=self.by, claim=claim, **parts)
        self.references.add("claim", uid, claim)
        self._count(Claim)
        for rows in parts.values():
            if rows:
                self._count(type(rows[0]), len(rows))

    def _claim_parts(self, record: dict[str, Any]) -> dict[str, Any]:
        """The parts of a claim, by save_statement's keyword: targets, figures, chain, evidence."""
        targets: list[ClaimTarget] = []
        for n, pair in enumerate(record.get("targets") or [], start=1):
            if not (isinstance(pair, list) and len(pair) == 2):
                raise RowError(f"targets[{n}]: each target is an [actor slug, role] pair")
            targets.append(ClaimTarget(actor_id=self._id("actor", pair[0]), role=pair[1]))
            _check(targets[-1], exclude=["claim", "actor"], where=f"targets[{n}]: ")
        figures: list[CasualtyFigure] = []
        for n, figure in enumerate(record.get("figures") or [], start=1):
            row = CasualtyFigure(
                reported_by_id=self._id("actor", figure.get("reported_by")),
                **_take(figure, FIGURE_FIELDS),
            )
            _check(row, exclude=["claim", "reported_by"], where=f"figures[{n}]: ")
            figures.append(row)
        chain: list[Attribution] = []
        for n, hop in enumerate(record.get("chain") or [], start=1):
            link = Attribution(
                position=n, actor_id=self._id("actor", hop.get("actor")),
                document_id=self._id("document", hop.get("document")), **_take(hop, HOP_FIELDS),
            )  # fmt: skip
            if link.actor_id is None:
                raise RowError(f"chain[{n}]: a hop needs an actor")
            _check(link, exclude=["claim", "actor", "document"], where=f"chain[{n}]: ")
            chain.append(link)
        evidence: list[Evidence] = []
        for n, item in enumerate(record.get("evidence") or [], start=1):
            proof = Evidence(**_take(item, EVIDENCE_FIELDS))
            _check(proof, exclude=["claim"], where=f"evidence[{n}]: ")
            evidence.append(proof)
        return {"targets": targets, "figures": figures, "chain": chain, "evidence": evidence}

    def _response(self, record: dict[str, Any]) -> None:
        claim_id = self._id("claim", record.get("claim"))
        answers_id = self._id("claim", record.get("answers"))
        if claim_id is None or answers_id is None:
            raise RowError("a response needs the answering claim and the claim it answers")
        kind: Any = record.get("kind")  # None too: the service's validation refuses it
        self._once("response", f"{record.get('claim')}/{record.get('answers')}/{kind}")
        if (
            claim_id > 0
            and answers_id > 0
            and Response.objects.filter(
                claim_id=claim_id, answers_id=answers_id, kind=kind
            ).exists()
        ):
            return
        claim, answers = self.references.claim(claim_id), self.references.claim(answers_id)
        note = record.get("note") or ""
        if self.write:
            link_response(by=self.by, claim=claim, answers=answers, kind=kind, note=note)
        else:
            response = Response(claim=claim, answers=answers, kind=kind, note=note)
            _check(response, exclude=["claim", "answers"])
        self._count(Response)


def where(row: Row) -> dict[str, str]:
    """The file of a package's row, for its error report (a single-file dataset has none)."""
    return {"file": row.file} if row.file else {}


def _run(rows: Rows, importer: Importer, progress: Progress | None) -> list[dict[str, Any]]:
    errors = []
    for done, row in enumerate(rows, start=1):
        try:
            importer.apply(row)
        except RowError as error:
            errors.append({"line": row.line, "reason": str(error)} | where(row))
        except DependsOnBadRow:
            pass
        if progress:
            progress(done, len(rows))
    return errors


def import_rows(
    rows: Rows,
    *,
    by: Any,
    dry_run: bool = False,
    validated: Progress | None = None,
    imported: Progress | None = None,
    context: str = "import",
    written: Callable[[Outcome], None] | None = None,
) -> Outcome:
    """Validate every row, then (unless ``dry_run`` or any row is bad) import them all in one
    transaction as ``by`` (a user, or OPERATOR for the command line). What the rows call for
    (archives, quote checks, events) is queued by the services and runs once it commits.

    ``written`` is called with the outcome inside that transaction, so what it records (an
    import job's end) commits with the rows or not at all. A unique key another writer took
    meanwhile (two imports of the same new rows at once) makes the write pass run once more,
    finding the other's rows this time."""
    outcome = Outcome(rows=len(rows))
    outcome.errors = _run(rows, Importer(write=False), validated)
    if outcome.errors or dry_run:
        return outcome
    for attempt in (1, 2):
        try:
            return _write(rows, outcome, by=by, context=context, imported=imported, written=written)
        except IntegrityError:
            if attempt == 2:
                raise
    raise AssertionError("unreachable")


def _write(
    rows: Rows,
    outcome: Outcome,
    *,
    by: Any,
    context: str,
    imported: Progress | None,
    written: Callable[[Outcome], None] | None,
) -> Outcome:
    importer = Importer(write=True, by=by)
    # The history records every imported row as the uploader's, through "import".
    # Its rows commit together or not at all: their quote checks are gathered (effects.gathered).
    with (
        transaction.atomic(),
        acting_as(by if getattr(by, "pk", None) else None, context),
        effects.gathered(),
    ):
        errors = _run(rows, importer, imported)
        if errors:
            # A rule only the write path could check (the first pass saw none): undo it all.
            transaction.set_rollback(True)
            outcome.errors = errors
            return outcome
        outcome.created = importer.created
        if written:
            written(outcome)
    return outcome


def import_text(text: str, *, name: str = "", **options: Any) -> Outcome:
    rows, errors = read_rows(text, name=name)
    if errors:
        return Outcome(rows=len(rows) + len(errors), errors=errors)
    return import_rows(rows, **options)
