"""Claims keep the pairs of adjacent words of their text, so a quoted phrase is found through an
index (issue 19).

``<->`` needs word positions, which a GIN index over ``search_vector`` does not hold: for
"hospital convoy market" PostgreSQL read the ~193k claims holding all three words from the
table to test their positions (bench/RESULTS-1M-SEARCH.md). Here, on PostgreSQL only:

- ``claimtracker_lexeme_pairs(tsvector)``: the pairs of lexemes at adjacent positions of a
  vector, as ``'hospit convoy'``, one element each (a space, since a lexeme never holds one);
- ``claims_claim.search_pairs``: that function over the same weighted vector as
  ``search_vector`` (a generated column cannot name another one), so PostgreSQL keeps it exact on
  every write, whatever writes; with a GIN index, ``claim_search_pairs_idx``.

A phrase's pairs are a necessary condition of the phrase: claims.reading.search requires them
beside the ``<->`` test, which stays the one that decides, so the claims found are the same.

On SQLite nothing: FTS5 matches phrases from its own index.
"""

from django.db import migrations

# The weighted vector of claims, as 0025 built search_vector.
VECTOR = (
    "setweight(to_tsvector('claimtracker_english'::regconfig, COALESCE(summary, '')), 'A') || "
    "setweight(to_tsvector('claimtracker_english'::regconfig, COALESCE(quote, '')), 'B') || "
    "setweight(to_tsvector('claimtracker_english'::regconfig, COALESCE(translation, '')), 'B')"
)

PAIRS_FUNCTION = """
CREATE OR REPLACE FUNCTION claimtracker_lexeme_pairs(vector tsvector) RETURNS text[]
LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE AS $$
    SELECT COALESCE(array_agg(DISTINCT first.lexeme || ' ' || second.lexeme), '{}')
    FROM (SELECT lexeme, unnest(positions) AS position FROM unnest(vector)) first
    JOIN (SELECT lexeme, unnest(positions) AS position FROM unnest(vector)) second
        ON second.position = first.position + 1
$$
"""


def add_pairs(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.execute(PAIRS_FUNCTION)
    schema_editor.execute(
        "ALTER TABLE claims_claim ADD COLUMN search_pairs text[] "
        f"GENERATED ALWAYS AS (claimtracker_lexeme_pairs({VECTOR})) STORED"
    )
    schema_editor.execute(
        "CREATE INDEX claim_search_pairs_idx ON claims_claim USING gin (search_pairs)"
    )
    schema_editor.execute("ANALYZE claims_claim")


def remove_pairs(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.execute("ALTER TABLE claims_claim DROP COLUMN search_pairs")
    schema_editor.execute("DROP FUNCTION IF EXISTS claimtracker_lexeme_pairs(tsvector)")


class Migration(migrations.Migration):
    dependencies = [("claims", "0025_search_folds_accents")]

    operations = [migrations.RunPython(add_pairs, remove_pairs, elidable=False)]
