"""Storing generated rows: COPY on PostgreSQL, ``bulk_create`` on any other database.

Both take the same input, a model, the columns the generator fills and a list of row tuples, and
both leave the rows as the ORM would: columns the generator leaves out get the model field's
default (``auto_now`` fields the time of the run). Ids of rows that children refer to are
allocated up front (``allocate``), so nothing has to be read back after an insert.

Work is split in two so that the generator can overlap with the database: ``prepare`` is pure
Python and may run on another thread; ``store`` talks to the database on the caller's thread.
"""

from __future__ import annotations

import datetime as dt
import io
import json
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, Protocol

from django.db import models
from django.db.backends.base.base import BaseDatabaseWrapper
from django.db.models import Max
from django.utils import timezone

from claims.models import ChangeRecord

ORM_BATCH = 5000


@dataclass
class Prepared:
    """Rows of one model, ready for ``store``: model instances or COPY text."""

    model: type[models.Model]
    count: int
    # Model instances for the ORM writer, (COPY statement, its text) for PostgreSQL's.
    payload: Any


class Writer(Protocol):
    def begin(self) -> None:
        """Called at the start of each transaction."""

    def allocate(self, model: type[models.Model], n: int) -> list[int]:
        """``n`` new primary keys for ``model``, never handed out before."""

    def prepare(
        self, model: type[models.Model], columns: Sequence[str], rows: list[tuple]
    ) -> Prepared:
        """Turn ``rows`` (tuples in ``columns`` order) into what ``store`` sends; no queries."""

    def store(self, prepared: Prepared) -> None:
        """Insert prepared rows."""

    def finish(self) -> None:
        """Called once after the last batch has been committed."""


def _defaults(model: type[models.Model], columns: Sequence[str], now: dt.datetime) -> dict:
    """Column name → value for every concrete column the generator does not fill."""
    values = {}
    for field in model._meta.concrete_fields:
        if field.attname in columns or field.primary_key:
            continue
        if getattr(field, "auto_now", False) or getattr(field, "auto_now_add", False):
            values[field.column] = now
            continue
        if field.unique and callable(field.default):
            # The same default in every row would break the unique constraint.
            raise ValueError(f"{model.__name__}.{field.name} is unique: generate it per row")
        value = field.get_default()
        if value is None and not field.null:
            raise ValueError(f"{model.__name__}.{field.name} has no default: generate it")
        values[field.column] = value
    return values


class OrmWriter:
    """``bulk_create`` through the ORM, with ids counted on from the highest id in each table.

    For SQLite (tests and first runs), where one writer holds the whole database at a time.
    """

    def __init__(self) -> None:
        self.next_id: dict[type[models.Model], int] = {}

    def begin(self) -> None:
        pass

    def allocate(self, model: type[models.Model], n: int) -> list[int]:
        if model not in self.next_id:
            self.next_id[model] = (model._default_manager.aggregate(top=Max("pk"))["top"] or 0) + 1
        start = self.next_id[model]
        self.next_id[model] = start + n
        return list(range(start, start + n))

    def prepare(
        self, model: type[models.Model], columns: Sequence[str], rows: list[tuple]
    ) -> Prepared:
        objects = [model(**dict(zip(columns, row, strict=True))) for row in rows]
        return Prepared(model, len(rows), objects)

    def store(self, prepared: Prepared) -> None:
        prepared.model._default_manager.bulk_create(prepared.payload, batch_size=ORM_BATCH)

    def finish(self) -> None:
        pass


# COPY's text format: a tab between columns, \N for NULL, backslash escapes inside values.
_COPY_ESCAPES = str.maketrans({"\\": "\\\\", "\t": "\\t", "\n": "\\n", "\r": "\\r"})


def _copy_text(value: object) -> str:
    if value is None:
        return "\\N"
    if isinstance(value, str):
        if "\\" in value or "\t" in value or "\n" in value or "\r" in value:
            return value.translate(_COPY_ESCAPES)
        return value
    if isinstance(value, bool):
        return "t" if value else "f"
    if isinstance(value, dict | list):
        return _copy_text(json.dumps(value))
    if isinstance(value, dt.datetime):
        return value.isoformat()
    return str(value)  # int, date, Decimal, UUID: their str() is what PostgreSQL reads


class CopyWriter:
    """PostgreSQL's COPY FROM STDIN, ids from the tables' own sequences.

    COPY skips per-row statement parsing and RETURNING, and each COPY is one statement, so the
    statement-level history trigger runs once per table and batch.
    """

    def __init__(self, connection: BaseDatabaseWrapper) -> None:
        self.connection = connection
        self.now = timezone.now()
        self.copied: set[str] = set()

    def begin(self) -> None:
        with self.connection.cursor() as cursor:
            # Synthetic rows: losing the last batches to a crash costs a rerun, not data, so a
            # commit need not wait for its WAL flush.
            cursor.execute("SET LOCAL synchronous_commit = off")

    def allocate(self, model: type[models.Model], n: int) -> list[int]:
        with self.connection.cursor() as cursor:
            # nextval per row, not setval of a block: other sessions may take ids meanwhile.
            cursor.execute(
                "SELECT nextval(pg_get_serial_sequence(%s, 'id')) FROM generate_series(1, %s)",
                [model._meta.db_table, n],
            )
            return [row[0] for row in cursor.fetchall()]

    def prepare(
        self, model: type[models.Model], columns: Sequence[str], rows: list[tuple]
    ) -> Prepared:
        defaults = _defaults(model, columns, self.now)
        fields = {f.attname: f.column for f in model._meta.concrete_fields}
        names = ", ".join(f'"{name}"' for name in [fields[c] for c in columns] + list(defaults))
        tail = "".join("\t" + _copy_text(v) for v in defaults.values())
        text = "".join(["\t".join([_copy_text(v) for v in row]) + tail + "\n" for row in rows])
        return Prepared(
            model, len(rows), (f'COPY "{model._meta.db_table}" ({names}) FROM STDIN', text)
        )

    def store(self, prepared: Prepared) -> None:
        if not prepared.count:
            return
        statement, text = prepared.payload
        with self.connection.cursor() as cursor:
            cursor.copy_expert(statement, io.StringIO(text), size=1 << 20)
        self.copied.add(prepared.model._meta.db_table)

    def finish(self) -> None:
        with self.connection.cursor() as cursor:
            # The planner needs statistics on the new rows before anyone measures a query.
            for table in [*sorted(self.copied), ChangeRecord._meta.db_table]:
                cursor.execute(f'ANALYZE "{table}"')


def writer_for(connection: BaseDatabaseWrapper) -> Writer:
    return CopyWriter(connection) if connection.vendor == "postgresql" else OrmWriter()
