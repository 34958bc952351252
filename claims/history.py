"""Recording every change to the record in a hash chain, and checking that chain.

Database triggers, not Django signals, write the history: a signal misses ``QuerySet.update()``,
bulk imports and anyone with a SQL prompt. On PostgreSQL one PL/pgSQL function serves every
recorded table; on SQLite each table gets generated triggers that call Python functions registered
on the connection. Both build the same text and the same SHA-256, so ``verify`` works on either.

Who made a change travels to the trigger as a connection setting (PostgreSQL) or a context
variable (SQLite), set by ``acting_as()``.
"""

from __future__ import annotations

import contextvars
import datetime as dt
import hashlib
import json
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field

from django.apps import apps
from django.db import connection as default_connection
from django.db import models
from django.db.backends.base.base import BaseDatabaseWrapper

from claims.models.history import GENESIS_HASH, ChangeRecord

# Every table whose rows are evidence. Order is only for readable output.
RECORDED_MODELS = [
    "sources.Actor",
    "sources.Alias",
    "sources.Affiliation",
    "sources.Document",
    "claims.Incident",
    "claims.Claim",
    "claims.ClaimTarget",
    "claims.CasualtyFigure",
    "claims.Response",
    "claims.Attribution",
    "claims.Evidence",
    "claims.Assessment",
]

_user_id: contextvars.ContextVar[str] = contextvars.ContextVar("history_user", default="")
_context: contextvars.ContextVar[str] = contextvars.ContextVar("history_context", default="")

HISTORY_TABLE = ChangeRecord._meta.db_table

# Columns the database derives from others (the search vectors of
# claims/migrations/0006_search_vectors.py): left out of row images, which record what people
# wrote. Only PostgreSQL tables have them.
DERIVED_COLUMNS = ("search_vector",)


def _pg_row_image(row: str) -> str:
    """A row as JSONB without its derived columns (removing an absent key changes nothing)."""
    return f"(to_jsonb({row}) - ARRAY[{', '.join(repr(c) for c in DERIVED_COLUMNS)}])"


# The same, inside the PL/pgSQL function's quoted EXECUTE text.
_PG_NEW, _PG_OLD = (_pg_row_image(row).replace("'", "''") for row in ("n", "o"))


def recorded_models() -> list[type[models.Model]]:
    return [apps.get_model(label) for label in RECORDED_MODELS]


def chain_hash(*parts: object) -> str:
    """SHA-256 of the parts joined by "|": the same text the PostgreSQL trigger hashes."""
    return hashlib.sha256("|".join(str(p) for p in parts).encode("utf-8")).hexdigest()


def _utc_now_text() -> str:
    return dt.datetime.now(dt.UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


# --- who is acting --------------------------------------------------------------------------------


def _set_pg_settings(conn: BaseDatabaseWrapper, user_id: str, context: str) -> None:
    with conn.cursor() as cursor:
        cursor.execute(
            "SELECT set_config('claimtracker.user_id', %s, false), "
            "set_config('claimtracker.context', %s, false)",
            [user_id, context],
        )


@contextmanager
def acting_as(user: object | None, context: str) -> Iterator[None]:
    """Attribute every change made inside the block to ``user`` (may be None) via ``context``.

    ``context`` says through what the change came: "admin", "api", "import", "command"…
    """
    user_id = str(getattr(user, "pk", "") or "")
    tokens = (_user_id.set(user_id), _context.set(context))
    conn = default_connection
    if conn.vendor == "postgresql":
        _set_pg_settings(conn, user_id, context)
    try:
        yield
    finally:
        _user_id.reset(tokens[0])
        _context.reset(tokens[1])
        if conn.vendor == "postgresql" and conn.connection is not None:
            # Persistent connections serve the next request: never leave a user behind.
            _set_pg_settings(conn, _user_id.get(), _context.get())


def attribute_changes(user: object | None, context: str) -> None:
    """Attribute the rest of this request's changes to ``user``, inside an ``acting_as`` block.

    For API views, where DRF knows the token's user only after the middleware's ``acting_as``
    began; that block's end restores the previous values.
    """
    user_id = str(getattr(user, "pk", "") or "")
    _user_id.set(user_id)
    _context.set(context)
    if default_connection.vendor == "postgresql":
        _set_pg_settings(default_connection, user_id, context)


# --- triggers ---------------------------------------------------------------------------------

_PG_FUNCTION = f"""
CREATE OR REPLACE FUNCTION ct_record_changes() RETURNS trigger
LANGUAGE plpgsql SECURITY DEFINER SET search_path = public, pg_temp AS $$
DECLARE
    prev text; r record; h text; at text; uid text; ctx text;
    ids text[] := '{{}}'; befores text[] := '{{}}'; afters text[] := '{{}}';
    prevs text[] := '{{}}'; hashes text[] := '{{}}';
BEGIN
    -- One writer at a time extends the chain; the lock is held until this transaction ends,
    -- so the next writer reads this statement's last hash as its predecessor.
    PERFORM pg_advisory_xact_lock(7270700101);
    SELECT hash INTO prev FROM {HISTORY_TABLE} ORDER BY id DESC LIMIT 1;
    prev := coalesce(prev, '{GENESIS_HASH}');
    at := to_char(clock_timestamp() AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"');
    uid := coalesce(current_setting('claimtracker.user_id', true), '');
    ctx := coalesce(nullif(current_setting('claimtracker.context', true), ''), 'database');
    -- Statement-level with transition tables: one call per statement, not per row, so a bulk
    -- insert of a million rows costs a loop, not a million trigger invocations.
    FOR r IN EXECUTE CASE TG_OP
        WHEN 'INSERT' THEN
            'SELECT n.id::text AS rid, NULL::text AS b, {_PG_NEW}::text AS a '
            || 'FROM ct_new n ORDER BY n.id'
        WHEN 'DELETE' THEN
            'SELECT o.id::text AS rid, {_PG_OLD}::text AS b, NULL::text AS a '
            || 'FROM ct_old o ORDER BY o.id'
        ELSE
            'SELECT n.id::text AS rid, {_PG_OLD}::text AS b, {_PG_NEW}::text AS a '
            || 'FROM ct_new n JOIN ct_old o ON o.id = n.id '
            || 'WHERE {_PG_OLD} IS DISTINCT FROM {_PG_NEW} ORDER BY n.id'
        END
    LOOP
        r.b := coalesce(r.b, ''); r.a := coalesce(r.a, '');
        h := encode(sha256(convert_to(
            concat_ws('|', prev, TG_TABLE_NAME, r.rid, TG_OP, uid, ctx, at, r.b, r.a), 'UTF8')),
            'hex');
        ids := ids || r.rid; befores := befores || r.b; afters := afters || r.a;
        prevs := prevs || prev; hashes := hashes || h;
        prev := h;
    END LOOP;
    -- One INSERT for the whole statement; rows keep the chain's order (and so its ids).
    INSERT INTO {HISTORY_TABLE}
        (table_name, record_id, operation, user_id, context, recorded_at,
         state_before, state_after, prev_hash, hash)
    SELECT TG_TABLE_NAME, u.rid, TG_OP, uid, ctx, at, u.b, u.a, u.p, u.h
    FROM unnest(ids, befores, afters, prevs, hashes) WITH ORDINALITY AS u(rid, b, a, p, h, n)
    ORDER BY u.n;
    RETURN NULL;
END $$;
"""


_PG_TRANSITIONS = {
    "INSERT": "NEW TABLE AS ct_new",
    "UPDATE": "OLD TABLE AS ct_old NEW TABLE AS ct_new",
    "DELETE": "OLD TABLE AS ct_old",
}


def _sqlite_row_json(model: type[models.Model], row: str) -> str:
    pairs = ", ".join(
        f"'{f.column}', {row}.\"{f.column}\"" for f in model._meta.local_concrete_fields
    )
    return f"json_object({pairs})"


def _sqlite_triggers(model: type[models.Model]) -> list[str]:
    table = model._meta.db_table
    statements = []
    for op in ("INSERT", "UPDATE", "DELETE"):
        when = f"AFTER {op}"
        before = "''" if op == "INSERT" else _sqlite_row_json(model, "OLD")
        after = "''" if op == "DELETE" else _sqlite_row_json(model, "NEW")
        rid = "OLD.id" if op == "DELETE" else "NEW.id"
        condition = f" WHEN {before} IS NOT {after}" if op == "UPDATE" else ""
        statements.append(f'DROP TRIGGER IF EXISTS "ct_history_{table}_{op.lower()}"')
        statements.append(
            f'CREATE TRIGGER "ct_history_{table}_{op.lower()}" {when} ON "{table}"{condition} '
            f"BEGIN INSERT INTO {HISTORY_TABLE} (table_name, record_id, operation, user_id, "
            "context, recorded_at, state_before, state_after, prev_hash, hash) "
            f"SELECT '{table}', rid, '{op}', uid, ctx, at, b, a, prev, "
            f"ct_hash(prev, '{table}', rid, '{op}', uid, ctx, at, b, a) FROM (SELECT "
            f"CAST({rid} AS TEXT) AS rid, ct_user_id() AS uid, ct_context() AS ctx, "
            f"ct_now() AS at, {before} AS b, {after} AS a, coalesce((SELECT hash FROM "
            f"{HISTORY_TABLE} ORDER BY id DESC LIMIT 1), '{GENESIS_HASH}') AS prev); END"
        )
    return statements


def register_sqlite_functions(conn: BaseDatabaseWrapper) -> None:
    """Give a new SQLite connection the functions the history triggers call."""
    raw = conn.connection
    raw.create_function("ct_hash", 9, chain_hash, deterministic=True)
    raw.create_function("ct_user_id", 0, _user_id.get)
    raw.create_function("ct_context", 0, lambda: _context.get() or "database")
    raw.create_function("ct_now", 0, _utc_now_text)


def install_triggers(conn: BaseDatabaseWrapper | None = None) -> None:
    """(Re)create the history triggers for every recorded table; safe to run any number of times.

    Runs after every ``migrate`` so that SQLite's generated column lists follow the models.
    """
    conn = conn or default_connection
    with conn.cursor() as cursor:
        if conn.vendor == "postgresql":
            cursor.execute(_PG_FUNCTION)
            cursor.execute("DROP FUNCTION IF EXISTS ct_record_change() CASCADE")
            for model in recorded_models():
                table = model._meta.db_table
                for op, tables in _PG_TRANSITIONS.items():
                    name = f"ct_history_{op.lower()}"
                    cursor.execute(f'DROP TRIGGER IF EXISTS {name} ON "{table}"')
                    cursor.execute(
                        f'CREATE TRIGGER {name} AFTER {op} ON "{table}" REFERENCING {tables} '
                        "FOR EACH STATEMENT EXECUTE FUNCTION ct_record_changes()"
                    )
        elif conn.vendor == "sqlite":
            for model in recorded_models():
                for statement in _sqlite_triggers(model):
                    cursor.execute(statement)


# --- reading and verifying ----------------------------------------------------------------------


def history_of(obj: models.Model) -> models.QuerySet[ChangeRecord]:
    return ChangeRecord.objects.filter(
        table_name=obj._meta.db_table, record_id=str(obj.pk)
    ).order_by("id")


@dataclass
class Report:
    records: int = 0
    rows_checked: int = 0
    files_checked: int = 0
    problems: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.problems


def verify_chain(report: Report) -> None:
    """Walk the chain in order; name the first row whose link or hash does not match."""
    previous = GENESIS_HASH
    previous_id = None
    for record in ChangeRecord.objects.order_by("id").iterator(chunk_size=2000):
        report.records += 1
        if record.prev_hash != previous:
            after = f"#{previous_id}" if previous_id else "the start of the chain"
            report.problems.append(
                f"change record #{record.pk} ({record.table_name} {record.record_id}) does not "
                f"follow {after}: a record before it was removed or altered"
            )
            return
        if record.expected_hash() != record.hash:
            report.problems.append(
                f"change record #{record.pk} ({record.table_name} {record.record_id}) no "
                "longer matches its hash: it was altered after it was written"
            )
            return
        previous, previous_id = record.hash, record.pk


def _current_rows(model: type[models.Model]) -> dict[str, dict]:
    table = model._meta.db_table
    if default_connection.vendor == "postgresql":
        sql = f'SELECT id::text, {_pg_row_image("t")}::text FROM "{table}" t'
    else:
        sql = f'SELECT CAST(id AS TEXT), {_sqlite_row_json(model, "t")} FROM "{table}" t'
    with default_connection.cursor() as cursor:
        cursor.execute(sql)
        return {row_id: json.loads(text) for row_id, text in cursor.fetchall()}


def _last_states(table: str) -> dict[str, ChangeRecord]:
    last: dict[str, ChangeRecord] = {}
    for record in ChangeRecord.objects.filter(table_name=table).order_by("id").iterator():
        last[record.record_id] = record
    return last


def verify_current_state(report: Report) -> None:
    """Every row must equal the state its last change record says it was left in."""
    for model in recorded_models():
        table = model._meta.db_table
        current = _current_rows(model)
        last = _last_states(table)
        for row_id, values in current.items():
            report.rows_checked += 1
            record = last.get(row_id)
            if record is None or record.operation == ChangeRecord.Operation.DELETE:
                report.problems.append(f"{table} {row_id} exists but its history does not show it")
                continue
            recorded = record.after
            changed = sorted(c for c in recorded if c in values and values[c] != recorded[c])
            if changed:
                report.problems.append(
                    f"{table} {row_id} differs from change record #{record.pk} in "
                    f"{', '.join(changed)}: it was changed without a history record"
                )
        for row_id, record in last.items():
            if row_id not in current and record.operation != ChangeRecord.Operation.DELETE:
                report.problems.append(
                    f"{table} {row_id} is gone but its history (#{record.pk}) never deleted it"
                )


def verify_archived_files(report: Report) -> None:
    """Every archived copy of a document or evidence item must still hash to its SHA-256."""
    from sources.archiving import archive_problems

    for checked, problem in archive_problems():
        report.files_checked = checked
        if problem:
            report.problems.append(problem)


def chain_head() -> dict[str, object]:
    record = ChangeRecord.objects.order_by("-id").first()
    if record is None:
        return {"id": 0, "hash": GENESIS_HASH, "recorded_at": ""}
    return {"id": record.pk, "hash": record.hash, "recorded_at": record.recorded_at}


def verify_head(report: Report, head: dict) -> None:
    """The chain must still hold the exported head, unchanged, with the same hash."""
    if not head.get("id"):
        return
    record = ChangeRecord.objects.filter(pk=head["id"]).first()
    if record is None:
        report.problems.append(f"exported head #{head['id']} is no longer in the history")
    elif record.hash != head.get("hash"):
        report.problems.append(
            f"exported head #{head['id']} had hash {head.get('hash')}, the history now says "
            f"{record.hash}"
        )
