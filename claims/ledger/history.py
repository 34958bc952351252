"""Recording every change to the record in a hash chain, and checking that chain.

Database triggers, not Django signals, write the history: a signal misses ``QuerySet.update()``,
bulk imports and anyone with a SQL prompt. On PostgreSQL one PL/pgSQL function serves every
recorded table; on SQLite each table gets generated triggers that call Python functions registered
on the connection. Both build the same text and the same SHA-256, so ``verify`` works on either.

Who made a change travels to the trigger as a connection setting (PostgreSQL) or a context
variable (SQLite), set by ``acting_as()``. On PostgreSQL the application also proves it, for each
transaction that writes, with a key SQL cannot read (claims/ledger/postgres.py).
"""

from __future__ import annotations

import contextvars
import datetime as dt
import hashlib
import logging
from collections.abc import Iterator
from contextlib import contextmanager

from django.apps import apps
from django.conf import settings
from django.db import connection as default_connection
from django.db import connections, models
from django.db.backends.base.base import BaseDatabaseWrapper
from django.db.backends.utils import CursorWrapper

from claims.ledger import merkle, postgres, tree
from claims.models.history import GENESIS_HASH, ChangeRecord

logger = logging.getLogger(__name__)

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


def recorded_models() -> list[type[models.Model]]:
    return [apps.get_model(label) for label in RECORDED_MODELS]


def chain_hash(*parts: object) -> str:
    """SHA-256 of the parts joined by "|": the same text the PostgreSQL trigger hashes."""
    return hashlib.sha256("|".join(str(p) for p in parts).encode("utf-8")).hexdigest()


def _utc_now_text() -> str:
    return dt.datetime.now(dt.UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


# --- who is acting --------------------------------------------------------------------------------


def _set_pg_settings(conn: BaseDatabaseWrapper, user_id: str, context: str) -> None:
    """Name the session's context; name and prove its user inside a transaction only.

    The session itself never names a user: a change made outside the transactions the
    application proves (a task run in-process after the commit, say) is nobody's, and a user
    named by SQL at session level is recorded as claimed, not proven.
    """
    prove = bool(user_id) and conn.in_atomic_block and not conn.needs_rollback
    sql = (
        "SELECT set_config('claimtracker.user_id', '', false), "
        "set_config('claimtracker.context', %s, false)"
    )
    if prove:
        sql += ", txid_current()"
    with conn.cursor() as cursor:
        cursor.execute(sql, [context])
        if prove:
            _prove(conn, cursor, user_id, context, cursor.fetchone()[2], given=None)


def _attest(conn: BaseDatabaseWrapper) -> None:
    """Name and prove the acting user for the current transaction, unless that is done."""
    user_id, context = _user_id.get(), _context.get()
    if not (user_id and conn.in_atomic_block and not conn.needs_rollback):
        return
    with conn.cursor() as cursor:
        cursor.execute("SELECT txid_current(), current_setting('claimtracker.attribution', true)")
        _prove(conn, cursor, user_id, context, *cursor.fetchone())


def _prove(
    conn: BaseDatabaseWrapper,
    cursor: CursorWrapper,
    user_id: str,
    context: str,
    txid: int,
    given: str | None,
) -> None:
    """Name user and context for this transaction with their proof: the HMAC of user, context
    and transaction id with the history key. One more query, saved when the transaction already
    carries that very proof. Without a key the user is named unproven (verify_integrity says)."""
    key = history_key(conn)
    context = context or "database"
    proof = postgres.proof(key, user_id, context, txid) if key else ""
    if proof and proof == given:
        return
    cursor.execute(
        "SELECT set_config('claimtracker.user_id', %s, true), "
        "set_config('claimtracker.context', %s, true), "
        "set_config('claimtracker.attribution', %s, true)",
        [user_id, context, proof],
    )


_key_cache: dict[str, str | None] = {}


def history_key(conn: BaseDatabaseWrapper) -> str | None:
    """The key that proves who acts: HISTORY_KEY, or else the database's own when this role may
    read it (the owner's connection: local runs, tests). Read once per process."""
    if settings.HISTORY_KEY:
        return settings.HISTORY_KEY
    if conn.alias not in _key_cache:
        with conn.cursor() as cursor:
            _key_cache[conn.alias] = postgres.read_key(cursor)
        if _key_cache[conn.alias] is None:
            logger.warning(
                "HISTORY_KEY is not set and this database role cannot read the history key: "
                "changes are recorded as claimed by their user, not proven (see README)"
            )
    return _key_cache[conn.alias]


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
        if conn.vendor == "postgresql" and conn.connection is not None and not conn.needs_rollback:
            # Persistent connections serve the next request: never leave a user behind.
            _set_pg_settings(conn, _user_id.get(), _context.get())


@contextmanager
def acting(user: object | None) -> Iterator[None]:
    """Make sure the changes of the block are attributed to ``user``, keeping the context the
    door set ("admin", "api", "import"…). Free when the door already attributes them to ``user``,
    as the middleware and the API do; a service called from elsewhere still names its writer."""
    user_id = str(getattr(user, "pk", "") or "")
    if user_id == _user_id.get():
        if default_connection.vendor == "postgresql":
            _attest(default_connection)
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
    raw.create_function("ct_leaf_hash", 2, tree.sqlite_leaf_hash, deterministic=True)
    raw.create_function("ct_node_hash", 2, merkle.node_hash, deterministic=True)


def install_triggers(conn: BaseDatabaseWrapper | None = None) -> None:
    """(Re)create the history triggers for every recorded table; safe to run any number of times.

    Runs after every ``migrate`` so that SQLite's generated column lists follow the models.
    """
    conn = conn or default_connection
    with conn.cursor() as cursor:
        if conn.vendor == "postgresql":
            tables = [model._meta.db_table for model in recorded_models()]
            postgres.install(cursor, tables, settings.HISTORY_KEY)
        elif conn.vendor == "sqlite":
            for model in recorded_models():
                for statement in _sqlite_triggers(model):
                    cursor.execute(statement)
        tree.install(cursor, conn.vendor)


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
    """The triggers follow every migrate, so SQLite's generated column lists follow the models;
    and the Merkle tree takes in any history written before it existed."""
    install_triggers(connections[using])
    if using == "default":
        tree.extend()
