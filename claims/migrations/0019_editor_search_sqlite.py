"""Search on SQLite: FTS5 tables, one per kind, kept up to date by triggers and filled from the
rows already there (claims.reading.search_sqlite reads them). PostgreSQL has its own stored
vectors (0006); there this migration does nothing."""

from django.db import migrations

# The SQL lives with the code that keeps it after later migrations (SQLite drops a table's
# triggers when a migration rebuilds the table): claims/reading/search_sqlite_tables.py.
from claims.reading.search_sqlite_tables import SIMPLE_KINDS, statements


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
