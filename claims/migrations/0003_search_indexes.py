"""GIN indexes for full-text search (claims.reading.search) and trigram look-ups of actor names, on PostgreSQL.

Each expression is exactly the one claims.reading.search builds (SearchVector over the same fields and
configuration), so the planner can use the index; tests/test_api_search.py checks that it does.
Other databases have no such indexes: there search falls back to substring matching.
"""

from django.db import migrations

INDEXES = {
    # Claim search: summary, quote and translation, English stemming.
    "claim_search_idx": (
        "claims_claim",
        "to_tsvector('english'::regconfig, COALESCE(summary, '') || ' ' || "
        "COALESCE(quote, '') || ' ' || COALESCE(translation, ''))",
    ),
    # Incident search: title, place, region and description.
    "incident_search_idx": (
        "claims_incident",
        "to_tsvector('english'::regconfig, COALESCE(title, '') || ' ' || COALESCE(place, '') "
        "|| ' ' || COALESCE(region, '') || ' ' || COALESCE(description, ''))",
    ),
    # Document search by title.
    "document_search_idx": (
        "sources_document",
        "to_tsvector('english'::regconfig, COALESCE(title, ''))",
    ),
    # Actor search by name and by alias: names are not stemmed.
    "actor_search_idx": ("sources_actor", "to_tsvector('simple'::regconfig, COALESCE(name, ''))"),
    "alias_search_idx": ("sources_alias", "to_tsvector('simple'::regconfig, COALESCE(name, ''))"),
    # ActorQuerySet.matching() (?q= on /api/v1/actors/, admin search): name__icontains is
    # UPPER(name::text) LIKE UPPER('%…%'), which a trigram index serves.
    "actor_name_trgm_idx": ("sources_actor", "(UPPER(name::text)) gin_trgm_ops"),
    "alias_name_trgm_idx": ("sources_alias", "(UPPER(name::text)) gin_trgm_ops"),
}


def create_indexes(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.execute("CREATE EXTENSION IF NOT EXISTS pg_trgm")
    for name, (table, expression) in INDEXES.items():
        if "gin_trgm_ops" not in expression:
            expression = f"({expression})"
        schema_editor.execute(f"CREATE INDEX IF NOT EXISTS {name} ON {table} USING gin ({expression})")


def drop_indexes(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    for name in INDEXES:
        schema_editor.execute(f"DROP INDEX IF EXISTS {name}")


class Migration(migrations.Migration):
    dependencies = [
        ("claims", "0002_editors_group"),
        ("sources", "0001_initial"),
    ]

    operations = [migrations.RunPython(create_indexes, drop_indexes, elidable=False)]
