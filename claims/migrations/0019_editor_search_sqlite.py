"""Search on SQLite: FTS5 tables, one per kind, kept up to date by triggers and filled from the
rows already there (claims.reading.search_sqlite reads them). PostgreSQL has its own stored
vectors (0006); there this migration does nothing."""

from django.db import migrations

# kind: (table, tokenizer, {column: SQL of its text from the row NEW or OLD}, watched columns)
ENGLISH = "porter unicode61 remove_diacritics 2"
NAMES = "unicode61 remove_diacritics 2"
SIMPLE_KINDS = {
    "claim": ("claims_claim", ENGLISH, ["summary", "quote", "translation"]),
    "document": ("sources_document", ENGLISH, ["title"]),
    "incident": ("claims_incident", ENGLISH, ["title", "place", "region", "description"]),
}


def _simple(kind, table, tokenizer, columns):
    fts = f"claims_fts_{kind}"
    names = ", ".join(columns)
    new = ", ".join(f"COALESCE(NEW.{c}, '')" for c in columns)
    return [
        f"CREATE VIRTUAL TABLE {fts} USING fts5({names}, tokenize = '{tokenizer}')",
        f"INSERT INTO {fts}(rowid, {names}) SELECT id, "
        + ", ".join(f"COALESCE({c}, '')" for c in columns)
        + f" FROM {table}",
        f"CREATE TRIGGER {fts}_insert AFTER INSERT ON {table} BEGIN "
        f"INSERT INTO {fts}(rowid, {names}) VALUES (NEW.id, {new}); END",
        f"CREATE TRIGGER {fts}_update AFTER UPDATE OF {names} ON {table} BEGIN "
        f"DELETE FROM {fts} WHERE rowid = OLD.id; "
        f"INSERT INTO {fts}(rowid, {names}) VALUES (NEW.id, {new}); END",
        f"CREATE TRIGGER {fts}_delete AFTER DELETE ON {table} BEGIN "
        f"DELETE FROM {fts} WHERE rowid = OLD.id; END",
    ]


def _actor_names(actor_id):
    """Re-index one actor: its name and every alias, as one text."""
    return (
        f"DELETE FROM claims_fts_actor WHERE rowid = {actor_id}; "
        "INSERT INTO claims_fts_actor(rowid, names) SELECT a.id, a.name || ' ' || "
        "COALESCE((SELECT group_concat(l.name, ' ') FROM sources_alias l WHERE l.actor_id = a.id), '') "
        f"FROM sources_actor a WHERE a.id = {actor_id};"
    )


def _actors():
    return [
        f"CREATE VIRTUAL TABLE claims_fts_actor USING fts5(names, tokenize = '{NAMES}')",
        "INSERT INTO claims_fts_actor(rowid, names) SELECT a.id, a.name || ' ' || "
        "COALESCE((SELECT group_concat(l.name, ' ') FROM sources_alias l WHERE l.actor_id = a.id), '') "
        "FROM sources_actor a",
        f"CREATE TRIGGER claims_fts_actor_insert AFTER INSERT ON sources_actor BEGIN {_actor_names('NEW.id')} END",
        f"CREATE TRIGGER claims_fts_actor_update AFTER UPDATE OF name ON sources_actor BEGIN {_actor_names('NEW.id')} END",
        "CREATE TRIGGER claims_fts_actor_delete AFTER DELETE ON sources_actor BEGIN "
        "DELETE FROM claims_fts_actor WHERE rowid = OLD.id; END",
        f"CREATE TRIGGER claims_fts_alias_insert AFTER INSERT ON sources_alias BEGIN {_actor_names('NEW.actor_id')} END",
        "CREATE TRIGGER claims_fts_alias_update AFTER UPDATE OF name, actor_id ON sources_alias BEGIN "
        f"{_actor_names('OLD.actor_id')} {_actor_names('NEW.actor_id')} END",
        f"CREATE TRIGGER claims_fts_alias_delete AFTER DELETE ON sources_alias BEGIN {_actor_names('OLD.actor_id')} END",
    ]


def statements():
    found = _actors()
    for kind, (table, tokenizer, columns) in SIMPLE_KINDS.items():
        found += _simple(kind, table, tokenizer, columns)
    return found


def create(apps, schema_editor):
    if schema_editor.connection.vendor != "sqlite":
        return
    for sql in statements():
        schema_editor.execute(sql, params=None)


def drop(apps, schema_editor):
    if schema_editor.connection.vendor != "sqlite":
        return
    for kind in ("actor", *SIMPLE_KINDS):
        # Dropping the table drops nothing else: the triggers go by name.
        schema_editor.execute(f"DROP TABLE IF EXISTS claims_fts_{kind}", params=None)
    with schema_editor.connection.cursor() as cursor:
        cursor.execute("SELECT name FROM sqlite_master WHERE type = 'trigger' AND name LIKE 'claims_fts_%'")
        for (name,) in cursor.fetchall():
            schema_editor.execute(f"DROP TRIGGER {name}", params=None)


class Migration(migrations.Migration):
    dependencies = [
        ("claims", "0018_editor_codes_any_case"),
        ("sources", "0008_editor_codes_any_case"),
    ]

    operations = [migrations.RunPython(create, drop)]
