"""The dataset as a Frictionless data package: one CSV per kind of row, and datapackage.json.

The package holds exactly what the JSON Lines dataset holds (claims.exchange.dataset), table by
table: every list of a record (an actor's aliases, a claim's targets, figures, chain and
evidence) is a table of its own, keyed by its parent's key and a position from 1, so no cell
ever joins several values. datapackage.json describes each CSV (Table Schema: types,
constraints, primary and foreign keys, its size and SHA-256), the licence, and the signed tree
head the dataset was read at.

A CSV cell is text; an empty cell means null where the column may be null (a date, a number, a
reference) and empty text everywhere else, as no text column of the record may be null. The
CSVs are RFC 4180 (CRLF between rows, quotes only where a cell needs them, UTF-8 without a
byte-order mark), and a zip is written with fixed entry times, so exporting, importing into an
empty database and exporting again gives the same bytes, datapackage.json's head apart.

claims.exchange.package_reader turns a package's rows back into the JSON Lines records, so one
importer checks and writes both formats.
"""

from __future__ import annotations

import csv
import hashlib
import io
import json
import zipfile
from collections import defaultdict
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from django.conf import settings
from django.db import models

from claims.exchange import dataset, files
from claims.ledger.rebuild import Point
from claims.models import Attribution, CasualtyFigure, Claim, ClaimTarget, Evidence, Incident
from claims.models import Response as ResponseLink
from sources.models import Actor, Affiliation, Alias, Document

DESCRIPTOR = files.DESCRIPTOR
PACKAGE_NAME = "claimtracker-dataset"
# Zip entries carry a time; a fixed one keeps two exports of the same record byte-identical.
ZIP_TIME = (1980, 1, 1, 0, 0, 0)
_STRING_FIELDS = (models.CharField, models.TextField)


@dataclass(frozen=True)
class Column:
    name: str
    type: str = "string"
    nullable: bool = False  # an empty cell reads as null, not as empty text
    constraints: dict[str, Any] = field(default_factory=dict)
    description: str = ""

    def schema(self) -> dict[str, Any]:
        described: dict[str, Any] = {"name": self.name, "type": self.type}
        if self.type == "string" and self.constraints.get("format"):
            described["format"] = self.constraints["format"]
        if self.description:
            described["description"] = self.description
        kept = {k: v for k, v in self.constraints.items() if k != "format"}
        if kept:
            described["constraints"] = kept
        return described

    def cell(self, value: Any) -> str:
        return "" if value is None else str(value)

    def read(self, text: str) -> Any:
        if text == "":
            return None if self.nullable else ""
        if self.type == "integer":
            try:
                return int(text)
            except ValueError:
                raise dataset.RowError(f"{self.name}: {text!r} is not a whole number") from None
        return text


def _column(model: type[models.Model], name: str, *, key: bool = False) -> Column:
    """A column described from the model field the record's value comes from."""
    model_field = model._meta.get_field(name)
    assert isinstance(model_field, models.Field)  # a column of the row, not a reverse relation
    constraints: dict[str, Any] = {}
    if key or not (model_field.blank or model_field.null):
        constraints["required"] = True
    if isinstance(model_field, _STRING_FIELDS) and model_field.max_length:
        constraints["maxLength"] = model_field.max_length
    if getattr(model_field, "choices", None):
        constraints["enum"] = [str(value) for value, _ in model_field.choices or []]
    if isinstance(model_field, models.UUIDField):
        constraints["format"] = "uuid"
    kind = "string"
    if isinstance(model_field, models.IntegerField):
        kind = "integer"
    elif isinstance(model_field, models.DecimalField):
        kind = "number"
    elif isinstance(model_field, models.DateField):
        kind = "date"
    return Column(name, kind, nullable=model_field.null, constraints=constraints)


def _ref(name: str, what: str, *, nullable: bool = False) -> Column:
    constraints = {} if nullable else {"required": True}
    return Column(name, nullable=nullable, constraints=constraints, description=what)


def _position(what: str) -> Column:
    return Column(
        "position", "integer", constraints={"required": True, "minimum": 1}, description=what
    )


@dataclass(frozen=True)
class Table:
    """One CSV: the records (or the list items of records) of one kind."""

    name: str
    record: str  # the dataset record type the rows belong to
    columns: list[Column]
    primary_key: list[str]
    # (column, table, its key column); a null reference refers to nothing.
    references: list[tuple[str, str, str]]
    items: str = ""  # the record's list field this table holds, if it is a list table
    title: str = ""

    @property
    def path(self) -> str:
        return f"{self.name}.csv"

    @property
    def header(self) -> list[str]:
        return [c.name for c in self.columns]

    def resource(self, data: bytes) -> dict[str, Any]:
        keys = [
            {"fields": [column], "reference": {"resource": table, "fields": [key]}}
            for column, table, key in self.references
        ]
        schema: dict[str, Any] = {
            "fields": [c.schema() for c in self.columns],
            "missingValues": [""],
            "primaryKey": self.primary_key,
        }
        if keys:
            schema["foreignKeys"] = keys
        return {
            "name": self.name,
            "title": self.title,
            "path": self.path,
            "profile": "tabular-data-resource",
            "format": "csv",
            "mediatype": "text/csv",
            "encoding": "utf-8",
            "bytes": len(data),
            "hash": f"sha256:{hashlib.sha256(data).hexdigest()}",
            "schema": schema,
        }


def _of(model: type[models.Model], names: Iterable[str]) -> list[Column]:
    return [_column(model, name) for name in names]


def tables() -> list[Table]:
    """Every table of the package, in the order the importer needs them (parents first).

    Built from the dataset's field lists at call time, so a field added to a list there is a
    column here too."""
    actor_key = "the actor's slug"
    claim_key = "the claim's uid"
    return [
        Table(
            "actors",
            "actor",
            [_column(Actor, "slug", key=True), *_of(Actor, dataset.ACTOR_FIELDS[1:])],
            ["slug"],
            [],
            title="Actors: organisations, state bodies, outlets, people",
        ),
        Table(
            "aliases",
            "actor",
            [
                _ref("actor", actor_key),
                _position("its place in the actor's aliases"),
                *_of(Alias, ["name", "language"]),
            ],
            ["actor", "position"],
            [("actor", "actors", "slug")],
            items="aliases",
            title="Other names of actors",
        ),
        Table(
            "affiliations",
            "affiliation",
            [
                _ref("person", actor_key),
                _position("its place among the person's affiliations"),
                _ref("organisation", actor_key),
                *_of(Affiliation, dataset.AFFILIATION_FIELDS),
            ],
            ["person", "position"],
            [("person", "actors", "slug"), ("organisation", "actors", "slug")],
            title="People's roles in organisations",
        ),
        Table(
            "documents",
            "document",
            [
                _column(Document, "uid", key=True),
                _ref("publisher", actor_key),
                *_of(Document, dataset.DOCUMENT_FIELDS),
            ],
            ["uid"],
            [("publisher", "actors", "slug")],
            title="Documents statements appear in",
        ),
        Table(
            "incidents",
            "incident",
            [_column(Incident, "slug", key=True), *_of(Incident, dataset.INCIDENT_FIELDS[1:])],
            ["slug"],
            [],
            title="Incidents claims are about",
        ),
        Table(
            "claims",
            "claim",
            [
                _column(Claim, "uid", key=True),
                _ref("speaker", actor_key),
                _ref("spokesperson", actor_key, nullable=True),
                _ref("incident", "the incident's slug", nullable=True),
                *_of(Claim, dataset.CLAIM_FIELDS),
            ],
            ["uid"],
            [
                ("speaker", "actors", "slug"),
                ("spokesperson", "actors", "slug"),
                ("incident", "incidents", "slug"),
            ],
            title="Claims: one actor's assertion at one time",
        ),
        Table(
            "claim_targets",
            "claim",
            [
                _ref("claim", claim_key),
                _position("its place among the claim's targets"),
                _ref("actor", actor_key),
                _column(ClaimTarget, "role"),
            ],
            ["claim", "position"],
            [("claim", "claims", "uid"), ("actor", "actors", "slug")],
            items="targets",
            title="Actors a claim accuses or is about",
        ),
        Table(
            "figures",
            "claim",
            [
                _ref("claim", claim_key),
                _position("its place among the claim's figures"),
                *_of(CasualtyFigure, dataset.FIGURE_FIELDS),
                _ref("reported_by", actor_key, nullable=True),
            ],
            ["claim", "position"],
            [("claim", "claims", "uid"), ("reported_by", "actors", "slug")],
            items="figures",
            title="Casualty figures claimed",
        ),
        Table(
            "attributions",
            "claim",
            [
                _ref("claim", claim_key),
                _position("the hop's place in the chain, speaker first"),
                _ref("actor", actor_key),
                _ref("document", "the document's uid", nullable=True),
                *_of(Attribution, dataset.HOP_FIELDS),
            ],
            ["claim", "position"],
            [
                ("claim", "claims", "uid"),
                ("actor", "actors", "slug"),
                ("document", "documents", "uid"),
            ],
            items="chain",
            title="Attribution chains: how the record knows a claim was made",
        ),
        Table(
            "evidence",
            "claim",
            [
                _ref("claim", claim_key),
                _position("its place among the claim's evidence"),
                *_of(Evidence, dataset.EVIDENCE_FIELDS),
            ],
            ["claim", "position"],
            [("claim", "claims", "uid")],
            items="evidence",
            title="Evidence cited for or against claims",
        ),
        Table(
            "responses",
            "response",
            [
                _ref("claim", "the answering claim's uid"),
                _ref("answers", "the answered claim's uid"),
                _column(ResponseLink, "kind"),
                _column(ResponseLink, "note"),
            ],
            ["claim", "answers", "kind"],
            [("claim", "claims", "uid"), ("answers", "claims", "uid")],
            title="Responses: claims that answer other claims",
        ),
    ]


# --- Writing ------------------------------------------------------------------------------------


class _Echo:
    def write(self, value: str) -> str:
        return value


def _item_cells(table: Table, item: Any) -> dict[str, Any]:
    if isinstance(item, dict):
        return item
    # aliases are [name, language] pairs, targets [actor slug, role] pairs
    return dict(zip(table.header[2:], item, strict=True))


def _rows_of(table: Table, record: dict[str, Any], counters: dict[str, int]) -> Iterator[dict]:
    if table.items:
        key = record["slug"] if table.record == "actor" else record["uid"]
        for n, item in enumerate(record.get(table.items) or [], start=1):
            yield {table.header[0]: key, "position": n, **_item_cells(table, item)}
    elif table.name == "affiliations":
        counters[record["person"]] = position = counters.get(record["person"], 0) + 1
        yield {**record, "position": position}
    else:
        yield record


def csv_files(records: Iterable[dict[str, Any]]) -> dict[str, bytes]:
    """The CSV of every table, from the dataset's records in their export order."""
    writer = csv.writer(_Echo(), lineterminator="\r\n")
    by_type: dict[str, list[Table]] = defaultdict(list)
    texts: dict[str, list[str]] = {}
    counters: dict[str, dict[str, int]] = defaultdict(dict)
    for table in tables():
        by_type[table.record].append(table)
        texts[table.name] = [writer.writerow(table.header)]
    for record in records:
        for table in by_type.get(record["type"], []):
            for row in _rows_of(table, record, counters[table.name]):
                texts[table.name].append(
                    writer.writerow([c.cell(row.get(c.name)) for c in table.columns])
                )
    return {f"{name}.csv": "".join(lines).encode() for name, lines in texts.items()}


def licence() -> dict[str, str]:
    described = {"name": settings.DATASET_LICENSE}
    if settings.DATASET_LICENSE_URL:
        described["path"] = settings.DATASET_LICENSE_URL
    return described


def descriptor(csvs: Mapping[str, bytes], head: dict[str, Any]) -> bytes:
    package = {
        "profile": "tabular-data-package",
        "name": PACKAGE_NAME,
        "title": "claimtracker dataset: who claimed what, who answered, on what evidence",
        "description": (
            "Every actor, document, incident, claim and response of one claimtracker record, "
            "one CSV per kind of row, as it stood at the signed tree head named in 'head'. "
            "`manage.py import_dataset` reads the package back."
        ),
        "licenses": [licence()],
        "head": {k: v for k, v in head.items() if k != "type"},
        "resources": [table.resource(csvs[table.path]) for table in tables()],
    }
    return (json.dumps(package, ensure_ascii=False, indent=2) + "\n").encode()


def package_files(records: Iterable[dict[str, Any]], head: dict[str, Any]) -> dict[str, bytes]:
    csvs = csv_files(records)
    return {DESCRIPTOR: descriptor(csvs, head), **csvs}


def export_package(
    target: Path | io.BufferedIOBase | Any,
    *,
    progress: dataset.Progress | None = None,
    recorded_by: Point | None = None,
) -> tuple[int, dict[str, Any]]:
    """Write the dataset as a data package to ``target`` (a directory, a .zip path or a binary
    file object for a zip), read in one snapshot with the head it names; return the number of
    records (as JSON Lines counts them) and the head."""
    count = 0

    def counting() -> Iterator[dict[str, Any]]:
        nonlocal count
        for count, record in enumerate(dataset.counted(progress), start=1):  # noqa: B007
            yield record

    with dataset.view(recorded_by) as head:
        members = package_files(counting(), head)
    write_package(target, members)
    return count, head


def write_package(target: Path | io.BufferedIOBase | Any, members: Mapping[str, bytes]) -> None:
    """Write the package as a zip (a file object, or a path ending in .zip) or a directory."""
    if isinstance(target, Path) and target.suffix.lower() != ".zip":
        target.mkdir(parents=True, exist_ok=True)
        for name, data in members.items():
            (target / name).write_bytes(data)
        return
    with zipfile.ZipFile(target, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        for name, data in members.items():
            info = zipfile.ZipInfo(name, date_time=ZIP_TIME)
            info.compress_type = zipfile.ZIP_DEFLATED
            info.external_attr = 0o644 << 16
            archive.writestr(info, data)
