"""The FTS5 tables search reads on SQLite (claims.reading.search_sqlite), and their triggers.

Migration 0019 made them; ``on_post_migrate`` keeps them after every migrate. That matters because
SQLite cannot alter most columns in place: Django rebuilds the table (a new table, the rows
copied, the old one dropped), and dropping a table drops its triggers with it. Without this, the
first migration that touched ``claims_incident`` after 0019 left incidents written afterwards out
of search. A kind whose triggers are not all there gets them again and its FTS table filled anew
from the rows, in case something was written while they were missing.
"""

from __future__ import annotations

from django.db import connections
from django.db.backends.base.base import BaseDatabaseWrapper

# kind: (table, tokenizer, columns); the actors' table is the name and every alias as one text.
ENGLISH = "porter unicode61 remove_diacritics 2"
NAMES = "unicode61 remove_diacritics 2"
SIMPLE_KINDS = {
    "claim": ("claims_claim", ENGLISH, ["summary", "quote", "translation"]),
    "document": ("sources_document", ENGLISH, ["title"]),
    "incident": ("claims_incident", ENGLISH, ["title", "place", "region", "description"]),
}
ACTOR_TRIGGERS = ["actor_insert", "actor_update", "actor_delete"]
ACTOR_TRIGGERS += ["alias_insert", "alias_update", "alias_delete"]


def _texts(columns: list[str], row: str = "") -> str:
    return ", ".join(f"COALESCE({row}{column}, '')" for column in columns)


def simple_tables(kind: str) -> list[str]:
    _, tokenizer, columns = SIMPLE_KINDS[kind]
    return [
        f"CREATE VIRTUAL TABLE IF NOT EXISTS claims_fts_{kind} "
        f"USING fts5({', '.join(columns)}, tokenize = '{tokenizer}')"
    ]


def simple_fill(kind: str) -> list[str]:
    table, _, columns = SIMPLE_KINDS[kind]
    fts, names = f"claims_fts_{kind}", ", ".join(columns)
    return [
        f"DELETE FROM {fts}",
        f"INSERT INTO {fts}(rowid, {names}) SELECT id, {_texts(columns)} FROM {table}",
    ]


def simple_triggers(kind: str) -> list[str]:
    table, _, columns = SIMPLE_KINDS[kind]
    fts, names, new = f"claims_fts_{kind}", ", ".join(columns), _texts(columns, "NEW.")
    return [
        f"CREATE TRIGGER IF NOT EXISTS {fts}_insert AFTER INSERT ON {table} BEGIN "
        f"INSERT INTO {fts}(rowid, {names}) VALUES (NEW.id, {new}); END",
        f"CREATE TRIGGER IF NOT EXISTS {fts}_update AFTER UPDATE OF {names} ON {table} BEGIN "
        f"DELETE FROM {fts} WHERE rowid = OLD.id; "
        f"INSERT INTO {fts}(rowid, {names}) VALUES (NEW.id, {new}); END",
        f"CREATE TRIGGER IF NOT EXISTS {fts}_delete AFTER DELETE ON {table} BEGIN "
        f"DELETE FROM {fts} WHERE rowid = OLD.id; END",
    ]


def _actor_names(actor_id: str) -> str:
    """Re-index one actor: its name and every alias, as one text."""
    return (
        f"DELETE FROM claims_fts_actor WHERE rowid = {actor_id}; "
        "INSERT INTO claims_fts_actor(rowid, names) SELECT a.id, a.name || ' ' || "
        "COALESCE((SELECT group_concat(l.name, ' ') FROM sources_alias l "
        "WHERE l.actor_id = a.id), '') "
        f"FROM sources_actor a WHERE a.id = {actor_id};"
    )


def actor_tables() -> list[str]:
    fts = "CREATE VIRTUAL TABLE IF NOT EXISTS claims_fts_actor"
    return [f"{fts} USING fts5(names, tokenize = '{NAMES}')"]


def actor_fill() -> list[str]:
    return [
        "DELETE FROM claims_fts_actor",
        "INSERT INTO claims_fts_actor(rowid, names) SELECT a.id, a.name || ' ' || "
        "COALESCE((SELECT group_concat(l.name, ' ') FROM sources_alias l "
        "WHERE l.actor_id = a.id), '') FROM sources_actor a",
    ]


def actor_triggers() -> list[str]:
    start = "CREATE TRIGGER IF NOT EXISTS claims_fts"
    return [
        f"{start}_actor_insert AFTER INSERT ON sources_actor BEGIN {_actor_names('NEW.id')} END",
        f"{start}_actor_update AFTER UPDATE OF name ON sources_actor BEGIN "
        f"{_actor_names('NEW.id')} END",
        f"{start}_actor_delete AFTER DELETE ON sources_actor BEGIN "
        "DELETE FROM claims_fts_actor WHERE rowid = OLD.id; END",
        f"{start}_alias_insert AFTER INSERT ON sources_alias BEGIN "
        f"{_actor_names('NEW.actor_id')} END",
        f"{start}_alias_update AFTER UPDATE OF name, actor_id ON sources_alias BEGIN "
        f"{_actor_names('OLD.actor_id')} {_actor_names('NEW.actor_id')} END",
        f"{start}_alias_delete AFTER DELETE ON sources_alias BEGIN "
        f"{_actor_names('OLD.actor_id')} END",
    ]


def statements() -> list[str]:
    """Everything, for a database that has none of it (migration 0019)."""
    found = actor_tables() + actor_fill() + actor_triggers()
    for kind in SIMPLE_KINDS:
        found += simple_tables(kind) + simple_fill(kind) + simple_triggers(kind)
    return found


def _missing(connection: BaseDatabaseWrapper) -> set[str]:
    """The kinds whose FTS table is there (0019 ran) but some of whose triggers are gone."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT type, name FROM sqlite_master WHERE name LIKE 'claims_fts_%'")
        there = {(kind, name) for kind, name in cursor.fetchall()}
    wanted = {"actor": [f"claims_fts_{name}" for name in ACTOR_TRIGGERS]}
    for kind in SIMPLE_KINDS:
        wanted[kind] = [f"claims_fts_{kind}_{event}" for event in ("insert", "update", "delete")]
    return {
        kind
        for kind, names in wanted.items()
        if ("table", f"claims_fts_{kind}") in there
        and not {("trigger", name) for name in names} <= there
    }


def keep(connection: BaseDatabaseWrapper) -> set[str]:
    """Put back the triggers of every kind that lost some, and refill its table; the kinds
    mended. Nothing on PostgreSQL, which searches its own stored vectors."""
    if connection.vendor != "sqlite":
        return set()
    mended = _missing(connection)
    with connection.cursor() as cursor:
        for kind in sorted(mended):
            if kind == "actor":
                sql = actor_tables() + actor_fill() + actor_triggers()
            else:
                sql = simple_tables(kind) + simple_fill(kind) + simple_triggers(kind)
            for statement in sql:
                cursor.execute(statement)
    return mended


def on_post_migrate(sender: object, using: str, **kwargs: object) -> None:
    keep(connections[using])
