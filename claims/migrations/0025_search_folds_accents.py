"""PostgreSQL search folds accents: "Medecins" finds "Médecins Sans Frontières" (issue 15).

SQLite's FTS5 tables fold accents already (0019). Here, on PostgreSQL only:

- the ``unaccent`` extension (PostgreSQL's contrib; a trusted extension from PostgreSQL 13 on, so
  the database's owner may create it without being a superuser). A role that may not create it
  gets a message naming the statement a superuser must run first;
- two text search configurations, ``claimtracker_english`` and ``claimtracker_simple``: copies of
  ``english`` and ``simple`` in which words with letters outside ASCII pass through ``unaccent``
  before the stemmer (or the lower-casing of ``simple``). Words in plain ASCII never had an accent
  to remove, so their mapping stays as it was, and so do their lexemes;
- the stored ``search_vector`` columns of 0006 rebuilt with ``claimtracker_english`` (a generated
  column's expression cannot be altered before PostgreSQL 17: the column is dropped and added
  again, one rewrite of each table, then its GIN index is built and the table analysed), and the
  actors' and aliases' expression indexes of 0003 built again with ``claimtracker_simple``.

claims.reading.search names the same configurations (``CONFIGS``), so queries fold alike.

On SQLite nothing: its FTS5 tables and their triggers (which a migration that remakes a table
drops) are kept after every migrate by claims.reading.search_sqlite_tables.
"""

from django.db import migrations
from django.db.utils import DatabaseError

ENGLISH, SIMPLE = "claimtracker_english", "claimtracker_simple"

# The token types of the default parser that can hold letters outside ASCII.
ACCENTED_TOKENS = "word, hword, hword_part"

TABLES = {
    # table: (weighted columns, GIN index); the weights are those of 0006.
    "claims_claim": (
        (("summary", "A"), ("quote", "B"), ("translation", "B")),
        "claim_search_vector_idx",
    ),
    "claims_incident": (
        (("title", "A"), ("place", "B"), ("region", "B"), ("description", "C")),
        "incident_search_vector_idx",
    ),
    "sources_document": ((("title", "A"),), "document_search_vector_idx"),
}

# The expression indexes of 0003 for actor names and aliases (not stemmed).
NAME_INDEXES = {"actor_search_idx": "sources_actor", "alias_search_idx": "sources_alias"}

STATISTICS_TARGET = 1000  # as in 0006

NO_EXTENSION = (
    "Search needs PostgreSQL's {name} extension, and the role running migrate may not create "
    "it ({error}). As a superuser, connected to this database, run\n"
    "    CREATE EXTENSION IF NOT EXISTS {name};\n"
    "then run migrate again (see the README, PostgreSQL roles)."
)


def _weighted(config: str, columns: tuple[tuple[str, str], ...]) -> str:
    return " || ".join(
        f"setweight(to_tsvector('{config}'::regconfig, COALESCE({column}, '')), '{weight}')"
        for column, weight in columns
    )


def _rebuild(schema_editor, config: str, name_config: str) -> None:
    for table, (columns, index) in TABLES.items():
        schema_editor.execute(f"ALTER TABLE {table} DROP COLUMN search_vector")
        schema_editor.execute(
            f"ALTER TABLE {table} ADD COLUMN search_vector tsvector "
            f"GENERATED ALWAYS AS ({_weighted(config, columns)}) STORED"
        )
        schema_editor.execute(
            f"ALTER TABLE {table} ALTER COLUMN search_vector SET STATISTICS {STATISTICS_TARGET}"
        )
        schema_editor.execute(f"CREATE INDEX {index} ON {table} USING gin (search_vector)")
        schema_editor.execute(f"ANALYZE {table}")
    for index, table in NAME_INDEXES.items():
        schema_editor.execute(f"DROP INDEX IF EXISTS {index}")
        schema_editor.execute(
            f"CREATE INDEX {index} ON {table} "
            f"USING gin ((to_tsvector('{name_config}'::regconfig, COALESCE(name, ''))))"
        )


def create_extension(schema_editor, name: str) -> str:
    """Create extension ``name`` unless it is there; return the schema holding its objects."""
    find = (
        "SELECT n.nspname FROM pg_extension e JOIN pg_namespace n ON n.oid = e.extnamespace "
        "WHERE e.extname = %s"
    )
    with schema_editor.connection.cursor() as cursor:
        cursor.execute(find, [name])
        row = cursor.fetchone()
        if row is None:
            # A savepoint, so that a refusal leaves the migration's transaction usable and the
            # message below is the one shown, not "current transaction is aborted".
            cursor.execute("SAVEPOINT claimtracker_extension")
            try:
                cursor.execute(f"CREATE EXTENSION {schema_editor.quote_name(name)}")
            except DatabaseError as error:
                cursor.execute("ROLLBACK TO SAVEPOINT claimtracker_extension")
                reason = str(error).strip().splitlines()[0]
                raise RuntimeError(NO_EXTENSION.format(name=name, error=reason)) from error
            cursor.execute("RELEASE SAVEPOINT claimtracker_extension")
            cursor.execute(find, [name])
            row = cursor.fetchone()
    return row[0]


def fold_accents(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    schema = schema_editor.quote_name(create_extension(schema_editor, "unaccent"))
    for config, stemmer in ((ENGLISH, "english_stem"), (SIMPLE, "simple")):
        base = config.removeprefix("claimtracker_")
        schema_editor.execute(f"DROP TEXT SEARCH CONFIGURATION IF EXISTS {config}")
        schema_editor.execute(f"CREATE TEXT SEARCH CONFIGURATION {config} (COPY = {base})")
        schema_editor.execute(
            f"ALTER TEXT SEARCH CONFIGURATION {config} "
            f"ALTER MAPPING FOR {ACCENTED_TOKENS} WITH {schema}.unaccent, {stemmer}"
        )
    _rebuild(schema_editor, ENGLISH, SIMPLE)


def keep_accents(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    _rebuild(schema_editor, "english", "simple")
    for config in (ENGLISH, SIMPLE):
        schema_editor.execute(f"DROP TEXT SEARCH CONFIGURATION IF EXISTS {config}")
    # The extension stays: other objects of the database may use it by now.


class Migration(migrations.Migration):
    dependencies = [("claims", "0024_incident_external_ids_assessment_published_at")]

    operations = [migrations.RunPython(fold_accents, keep_accents, elidable=False)]
