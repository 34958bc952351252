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
from collections.abc import Iterator
from contextlib import contextmanager

from django.apps import apps
from django.db import connection as default_connection
from django.db import connections, models
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


def pg_row_image(row: str) -> str:
    """A row as JSONB without its derived columns (removing an absent key changes nothing)."""
    return f"(to_jsonb({row}) - ARRAY[{', '.join(repr(c) for c in DERIVED_COLUMNS)}])"


# The same, inside the PL/pgSQL function's quoted EXECUTE text.
_PG_NEW, _PG_OLD = (pg_row_image(row).replace("'", "''") for row in ("n", "o"))


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


@contextmanager
def acting(user: object | None) -> Iterator[None]:
    """Make sure the changes of the block are attributed to ``user``, keeping the context the
    door set ("admin", "api", "import"…). Free when the door already attributes them to ``user``,
    as the middleware and the API do; a service called from elsewhere still names its writer."""
    user_id = str(getattr(user, "pk", "") or "")
    if user_id == _user_id.get():
        yield
        return
    with acting_as(user, _context.get() or "service"):
        yield


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


def sqlite_row_json(model: type[models.Model], row: str) -> str:
    pairs = ", ".join(
        f"'{f.column}', {row}.\"{f.column}\"" for f in model._meta.local_concrete_fields
    )
    return f"json_object({pairs})"


def _sqlite_triggers(model: type[models.Model]) -> list[str]:
    table = model._meta.db_table
    statements = []
    for op in ("INSERT", "UPDATE", "DELETE"):
        when = f"AFTER {op}"
        before = "''" if op == "INSERT" else sqlite_row_json(model, "OLD")
        after = "''" if op == "DELETE" else sqlite_row_json(model, "NEW")
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


# --- wiring (connected in ClaimsConfig.ready) -----------------------------------------------------


def on_connection_created(
    sender: object, connection: BaseDatabaseWrapper, **kwargs: object
) -> None:
    """SQLite connections get the functions the history triggers call."""
    if connection.vendor == "sqlite":
        register_sqlite_functions(connection)


def on_post_migrate(sender: object, using: str, **kwargs: object) -> None:
    """The triggers follow every migrate, so SQLite's generated column lists follow the models."""
    install_triggers(connections[using])
