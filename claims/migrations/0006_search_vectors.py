"""Stored, weighted tsvector columns for full-text search (claims.reading.search), on PostgreSQL only.

The vectors of 0003 were computed from the text on every match test and every rank: a common word
matching half the claims meant re-parsing half the table per search. Here each searched table gets
a ``search_vector`` column that PostgreSQL keeps up to date itself (GENERATED ... STORED), a GIN
index on it, and a raised statistics target so that the planner knows how common each word is:
for a common word it walks the newest claims in date order, for a rare one it uses the GIN index.

The column is not a model field: Django's GeneratedField would emit PostgreSQL-only SQL on
SQLite, where search falls back to substring matching. claims.reading.search names it in SQL, and the
history triggers leave it out of row images (it is derived from columns they already record).

``claim_date_idx`` gives readers of drafts, whose candidates have no status filter, the date
walk that ``claim_status_date_idx`` gives everyone else.
"""

from django.db import migrations, models


def _weighted(config: str, *columns: tuple[str, str]) -> str:
    return " || ".join(
        f"setweight(to_tsvector('{config}'::regconfig, COALESCE({column}, '')), '{weight}')"
        for column, weight in columns
    )


VECTORS = {
    # Claims: the neutral summary weighs most, then the quote and its translation.
    "claims_claim": _weighted("english", ("summary", "A"), ("quote", "B"), ("translation", "B")),
    # Incidents: the title, then where, then the description.
    "claims_incident": _weighted(
        "english", ("title", "A"), ("place", "B"), ("region", "B"), ("description", "C")
    ),
    # Documents: the title.
    "sources_document": _weighted("english", ("title", "A")),
}

# The GIN index serving `search_vector @@ query` on each table.
INDEXES = {
    "claims_claim": "claim_search_vector_idx",
    "claims_incident": "incident_search_vector_idx",
    "sources_document": "document_search_vector_idx",
}

# The expression indexes of 0003 these columns replace (actors and aliases keep theirs).
OLD_INDEXES = {
    "claim_search_idx": (
        "claims_claim",
        "to_tsvector('english'::regconfig, COALESCE(summary, '') || ' ' || "
        "COALESCE(quote, '') || ' ' || COALESCE(translation, ''))",
    ),
    "incident_search_idx": (
        "claims_incident",
        "to_tsvector('english'::regconfig, COALESCE(title, '') || ' ' || COALESCE(place, '') "
        "|| ' ' || COALESCE(region, '') || ' ' || COALESCE(description, ''))",
    ),
    "document_search_idx": (
        "sources_document",
        "to_tsvector('english'::regconfig, COALESCE(title, ''))",
    ),
}

# Statistics on 1000 × 10 most common words instead of 100 × 10: without them every word outside
# the top thousand looks rare, and a common one is then fetched through the GIN index, all of it.
STATISTICS_TARGET = 1000


def add_vectors(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    for table, expression in VECTORS.items():
        schema_editor.execute(
            f"ALTER TABLE {table} ADD COLUMN search_vector tsvector "
            f"GENERATED ALWAYS AS ({expression}) STORED"
        )
        schema_editor.execute(
            f"ALTER TABLE {table} ALTER COLUMN search_vector SET STATISTICS {STATISTICS_TARGET}"
        )
        schema_editor.execute(f"CREATE INDEX {INDEXES[table]} ON {table} USING gin (search_vector)")
        schema_editor.execute(f"ANALYZE {table}")
    for name in OLD_INDEXES:
        schema_editor.execute(f"DROP INDEX IF EXISTS {name}")


def remove_vectors(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    for name, (table, expression) in OLD_INDEXES.items():
        schema_editor.execute(
            f"CREATE INDEX IF NOT EXISTS {name} ON {table} USING gin (({expression}))"
        )
    for table in VECTORS:
        schema_editor.execute(f"ALTER TABLE {table} DROP COLUMN search_vector")


class Migration(migrations.Migration):
    dependencies = [
        ("claims", "0005_history_roles_version"),
        ("sources", "0003_jobs"),
    ]

    operations = [
        migrations.RunPython(add_vectors, remove_vectors, elidable=False),
        migrations.AddIndex(
            model_name="claim",
            index=models.Index(fields=["made_on", "id"], name="claim_date_idx"),
        ),
    ]
