"""Record time: the record as this database held it at a change record, rebuilt from the history.

Every row of a recorded table (``RECORDED_MODELS``) has a history in which each change record
keeps the row as the change left it (``state_after``; empty for a deletion). The row as it stood
at change record *N* is the image of its last change record with an id up to *N*, and it did not
exist then when that record deletes it or when it has none. Nothing else is read: anyone holding
the chain up to *N* rebuilds the same rows, and ``verify_integrity`` shows the chain is intact.

``rows_at`` gives those images. ``recorded_state`` puts them where every read of the record finds
them: for the rest of the block, each recorded table is shadowed by a temporary table of the same
name holding the rows as they stood, and both PostgreSQL and SQLite look an unqualified name up
among the session's temporary tables first. So the standing, the originators, visibility, the
claim list's filters and the dataset export run unchanged over the rebuilt rows: one definition
of each rule, not a second reader that could drift from the first. Tables that are not recorded
(users, jobs, webhooks) are read as they are now. The temporary tables live only inside the
block's transaction, on its connection: a write made inside the block would reach them, never
the real tables, and is gone at the block's end.

Change records are written one statement at a time, so a point in the middle of one write (a claim
and its figures saved together) shows that write half done; a timestamp names the last record at
or before it, and writes are far apart in time compared with their statements.
"""

from __future__ import annotations

import contextvars
import datetime as dt
import json
from collections.abc import Iterable, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.db import connection, models, transaction

from claims.ledger.history import HISTORY_TABLE, recorded_models
from claims.models.history import ChangeRecord
from claimtracker.numbers import plain_id, plain_int

PARAMETER = "recorded_by"


@dataclass(frozen=True)
class Point:
    """A change record, naming the state of the whole record just after it was written."""

    id: int
    hash: str
    recorded_at: str

    @property
    def label(self) -> str:
        return f"change record #{self.id} ({self.recorded_at})"


def _point(record: ChangeRecord | None) -> Point | None:
    return None if record is None else Point(record.pk, record.hash, record.recorded_at)


def _refuse(message: str) -> ValidationError:
    return ValidationError({PARAMETER: message})


def point_from(value: str) -> Point:
    """The point a ``recorded_by`` value names: a change-record id, or an ISO timestamp (the last
    change record written at or before it; without a zone it is UTC, a date alone is its
    midnight). Raises ``ValidationError({"recorded_by": ...})`` for anything else."""
    value = value.strip()
    records = ChangeRecord.objects.only("id", "hash", "recorded_at")
    if plain_int(value) is not None:
        number = plain_id(value)
        point = _point(records.filter(pk=number).first()) if number is not None else None
        if point is None:
            head = ChangeRecord.objects.head()[0]
            raise _refuse(f"There is no change record #{value}; the history's newest is #{head}.")
        return point
    try:
        moment = dt.datetime.fromisoformat(value)
    except ValueError:
        raise _refuse(
            f"“{value}” is neither a change-record id nor an ISO timestamp: give, for example, "
            "1234 or 2026-12-01T09:30:00Z."
        ) from None
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=dt.UTC)
    text = moment.astimezone(dt.UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")
    # recorded_at is written in this one format, so text order is time order.
    point = _point(records.filter(recorded_at__lte=text).order_by("-id").first())
    if point is None:
        first = records.order_by("id").first()
        since = f"begins at {first.recorded_at}" if first else "is empty"
        raise _refuse(f"Nothing was recorded by {text}: the history {since}.")
    return point


def recorded_by_from(query: Mapping[str, str]) -> Point | None:
    """The point of a query string's ``recorded_by``, or None when it is absent or empty."""
    value = (query.get(PARAMETER) or "").strip()
    return point_from(value) if value else None


# --- rebuilding rows --------------------------------------------------------------------------


def _last_records_sql() -> str:
    """The id of each row's last change record up to a point, for one table (two parameters)."""
    return (
        f"SELECT h.state_after FROM {HISTORY_TABLE} h JOIN (SELECT MAX(id) AS id"
        f" FROM {HISTORY_TABLE} WHERE table_name = %s AND id <= %s GROUP BY record_id) last"
        f" ON last.id = h.id WHERE h.operation <> '{ChangeRecord.Operation.DELETE}'"
    )


def rows_at(point_id: int, model: type[models.Model]) -> dict[str, dict]:
    """Each row of ``model``'s table as it stood at change record ``point_id``, as the history
    images it (column → value), by row id."""
    with connection.cursor() as cursor:
        cursor.execute(_last_records_sql(), [model._meta.db_table, point_id])
        images = (json.loads(text) for (text,) in cursor.fetchall())
        return {str(image["id"]): image for image in images}


def _columns(model: type[models.Model]) -> list[models.Field]:
    return list(model._meta.local_concrete_fields)


def _shadow_statements(
    model: type[models.Model], vendor: str, point_id: int
) -> Iterator[tuple[str, list]]:
    """Statements that create the temporary twin of ``model``'s table and fill it."""
    table = model._meta.db_table
    fields = _columns(model)
    temp = f'pg_temp."{table}"' if vendor == "postgresql" else f'temp."{table}"'
    # The columns with the real table's declared types, so values convert as they do there.
    columns = ", ".join(
        f'"{f.column}" {f.db_type(connection)}' + (" PRIMARY KEY" if f.primary_key else "")
        for f in fields
    )
    yield f'CREATE TEMPORARY TABLE "{table}" ({columns})', []
    names = ", ".join(f'"{f.column}"' for f in fields)
    if vendor == "postgresql":
        values = ", ".join(f'r."{f.column}"' for f in fields)
        source = (
            f"SELECT {values} FROM ({_last_records_sql()}) h"
            f" CROSS JOIN LATERAL jsonb_populate_record(NULL::{temp}, h.state_after::jsonb) r"
        )
    else:
        values = ", ".join(f"json_extract(h.state_after, '$.\"{f.column}\"')" for f in fields)
        source = f"SELECT {values} FROM ({_last_records_sql()}) h"
    yield f"INSERT INTO {temp} ({names}) {source}", [table, point_id]
    # The foreign keys the reads join and filter on, as the real table has them indexed.
    for f in fields:
        if f.is_relation:
            name = f"ct_rebuilt_{table}_{f.column}"
            where = "" if vendor == "postgresql" else "temp."
            yield f'CREATE INDEX {where}"{name}" ON "{table}" ("{f.column}")', []
    if vendor == "postgresql":
        yield f"ANALYZE {temp}", []


_shadowing: contextvars.ContextVar[Point | None] = contextvars.ContextVar(
    "recorded_state", default=None
)


def shadowed_point() -> Point | None:
    """The point whose rows the current block reads, inside ``recorded_state``; else None."""
    return _shadowing.get()


@contextmanager
def recorded_state(
    point: Point, tables: Iterable[type[models.Model]] | None = None
) -> Iterator[Point]:
    """Read the record as it stood at ``point`` inside the block (see the module's note).

    ``tables`` limits the rebuild to some recorded models (all of them by default).
    """
    if _shadowing.get() is not None:
        raise RuntimeError("recorded_state blocks do not nest")
    chosen = list(tables) if tables is not None else recorded_models()
    vendor = connection.vendor
    drop_prefix = "pg_temp" if vendor == "postgresql" else "temp"
    # Should the block fail, rolling its transaction (or savepoint) back drops the tables too.
    with transaction.atomic(), connection.cursor() as cursor:
        token = _shadowing.set(point)
        try:
            for model in chosen:
                for sql, params in _shadow_statements(model, vendor, point.id):
                    cursor.execute(sql, params)
            yield point
            for model in chosen:
                cursor.execute(f'DROP TABLE IF EXISTS {drop_prefix}."{model._meta.db_table}"')
        finally:
            _shadowing.reset(token)
