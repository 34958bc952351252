"""Documents and incidents keep how many public claims use them, so a reader's visibility is a
test of the row itself (issue 19).

``documents_visible_to`` and ``incidents_visible_to`` (claims.reading.visibility) were EXISTS
sub-queries over the public claims: for a common word, search probed attributions and claims
for each of 1,000–2,300 matching rows before its candidate cap filled (bench/
RESULTS-1M-SEARCH.md). Here, on PostgreSQL only:

- ``sources_document.public_uses``: how many hops of public claims' attribution chains name the
  document; ``claims_incident.public_uses``: how many public claims are about the incident
  (public as ``Claim.objects.public()``: published or withdrawn). Not model fields, like the
  search vectors: Django never writes them, and the history leaves them out of row images
  (``DERIVED_COLUMNS``, claims/ledger/postgres.py).
- Statement-level triggers on claims and attributions add each statement's difference, read from
  its transition tables (a million-row COPY costs one grouped UPDATE, not a million calls). The
  difference is that of the join of the changed rows with the other table as it now stands, so
  the counts stay exact whichever order a transaction writes in (foreign keys are deferred): a
  document or incident inserted after the rows that use it counts them when it is inserted.
- A write to the column itself (raw SQL) keeps the old value: only these triggers set it.
- No index that includes the search vector beside the list order (it would make the walk of a
  common word index-only: 27 ms to 2 ms for "airstrike" at 1M): a btree entry holds at most a
  third of a page, and a 500-character title in a script without spaces, or an incident's long
  description, gives a vector that does not fit, so the row could not be written at all.

SQLite keeps nothing: its visibility stays the EXISTS sub-queries (small databases, where the
probes cost nothing), because a trigger that names another table makes SQLite refuse the table
rebuilds Django's migrations do there ("error in trigger …: no such table").
"""

from django.db import migrations

PUBLIC = "('published', 'withdrawn')"
# The same, inside a PL/pgSQL string.
QUOTED = PUBLIC.replace("'", "''")

COLUMNS = """
ALTER TABLE sources_document ADD COLUMN public_uses integer NOT NULL DEFAULT 0;
ALTER TABLE claims_incident ADD COLUMN public_uses integer NOT NULL DEFAULT 0;
"""

# The history's triggers are off while the counts are filled: the installed recording function
# predates DERIVED_COLUMNS' new entry and would record every filled row as an edit.
FILL = f"""
ALTER TABLE sources_document DISABLE TRIGGER USER;
ALTER TABLE claims_incident DISABLE TRIGGER USER;
UPDATE sources_document d SET public_uses = u.n FROM (
    SELECT a.document_id, count(*) AS n FROM claims_attribution a
    JOIN claims_claim c ON c.id = a.claim_id AND c.status IN {PUBLIC}
    WHERE a.document_id IS NOT NULL GROUP BY a.document_id
) u WHERE d.id = u.document_id;
UPDATE claims_incident i SET public_uses = u.n FROM (
    SELECT incident_id, count(*) AS n FROM claims_claim
    WHERE status IN {PUBLIC} AND incident_id IS NOT NULL GROUP BY incident_id
) u WHERE i.id = u.incident_id;
ALTER TABLE sources_document ENABLE TRIGGER USER;
ALTER TABLE claims_incident ENABLE TRIGGER USER;
"""

# Claims: +1 for each public row after the statement, -1 for each before, per incident and,
# through the claims' attributions, per document. The changes are SQL text because a transition
# table the operation has not (ct_old of an INSERT) cannot be named even in an untaken branch's
# plan; EXECUTE sees the statement's transition tables as the history's function does.
CLAIM_FUNCTION = f"""
CREATE FUNCTION ct_public_uses_of_claims() RETURNS trigger
LANGUAGE plpgsql SET search_path = public, pg_temp AS $$
DECLARE
    after text := 'SELECT id, incident_id, 1 AS d FROM ct_new WHERE status IN {QUOTED}';
    before text := 'SELECT id, incident_id, -1 AS d FROM ct_old WHERE status IN {QUOTED}';
    changes text := CASE TG_OP WHEN 'INSERT' THEN after WHEN 'DELETE' THEN before
        ELSE after || ' UNION ALL ' || before END;
BEGIN
    EXECUTE 'WITH u AS (' || changes || ') '
        'UPDATE claims_incident i SET public_uses = i.public_uses + n.n FROM ('
        '    SELECT incident_id, sum(d) AS n FROM u WHERE incident_id IS NOT NULL'
        '    GROUP BY incident_id HAVING sum(d) <> 0'
        ') n WHERE i.id = n.incident_id';
    EXECUTE 'WITH u AS (' || changes || ') '
        'UPDATE sources_document doc SET public_uses = doc.public_uses + n.n FROM ('
        '    SELECT a.document_id, sum(c.d) AS n FROM ('
        '        SELECT id, sum(d) AS d FROM u GROUP BY id HAVING sum(d) <> 0'
        '    ) c JOIN claims_attribution a ON a.claim_id = c.id'
        '    WHERE a.document_id IS NOT NULL GROUP BY a.document_id'
        ') n WHERE doc.id = n.document_id';
    RETURN NULL;
END $$;
"""

# Attributions: +1 for each hop naming a document after the statement, -1 before, counted
# only where the hop's claim is public. Two transactions at once (one publishing a claim, one
# adding a hop to it) cannot each miss the other's row: the history's triggers (ct_history_*,
# named to fire before these ct_public_uses_*) append to one hash chain, so a second writer
# waits there until the first commits, and then counts with a snapshot that has its rows
# (tests/test_search_public_uses.py holds both orders).
ATTRIBUTION_FUNCTION = f"""
CREATE FUNCTION ct_public_uses_of_attributions() RETURNS trigger
LANGUAGE plpgsql SET search_path = public, pg_temp AS $$
DECLARE
    after text := 'SELECT claim_id, document_id, 1 AS d FROM ct_new';
    before text := 'SELECT claim_id, document_id, -1 AS d FROM ct_old';
    changes text := CASE TG_OP WHEN 'INSERT' THEN after WHEN 'DELETE' THEN before
        ELSE after || ' UNION ALL ' || before END;
BEGIN
    EXECUTE 'WITH u AS (' || changes || ') '
        'UPDATE sources_document doc SET public_uses = doc.public_uses + n.n FROM ('
        '    SELECT u.document_id, sum(u.d) AS n FROM u'
        '    JOIN claims_claim c ON c.id = u.claim_id AND c.status IN {QUOTED}'
        '    WHERE u.document_id IS NOT NULL'
        '    GROUP BY u.document_id HAVING sum(u.d) <> 0'
        ') n WHERE doc.id = n.document_id';
    RETURN NULL;
END $$;
"""

# A row inserted after the rows that use it counts them; an UPDATE naming the column keeps the
# old value unless one of the functions above runs it (they run one trigger level down).
ROW_FUNCTION = f"""
CREATE FUNCTION ct_public_uses_kept() RETURNS trigger
LANGUAGE plpgsql SET search_path = public, pg_temp AS $$
BEGIN
    IF TG_OP = 'UPDATE' THEN
        IF pg_trigger_depth() = 1 THEN
            NEW.public_uses := OLD.public_uses;
        END IF;
    ELSIF TG_TABLE_NAME = 'sources_document' THEN
        SELECT count(*) INTO NEW.public_uses FROM claims_attribution a
        JOIN claims_claim c ON c.id = a.claim_id AND c.status IN {PUBLIC}
        WHERE a.document_id = NEW.id;
    ELSE
        SELECT count(*) INTO NEW.public_uses FROM claims_claim
        WHERE incident_id = NEW.id AND status IN {PUBLIC};
    END IF;
    RETURN NEW;
END $$;
"""

TRANSITIONS = {
    "INSERT": "NEW TABLE AS ct_new",
    "UPDATE": "OLD TABLE AS ct_old NEW TABLE AS ct_new",
    "DELETE": "OLD TABLE AS ct_old",
}


def _triggers():
    for table, function in (
        ("claims_claim", "ct_public_uses_of_claims"),
        ("claims_attribution", "ct_public_uses_of_attributions"),
    ):
        for op, transition in TRANSITIONS.items():
            yield (
                f"CREATE TRIGGER ct_public_uses_{op.lower()} AFTER {op} ON {table} "
                f"REFERENCING {transition} FOR EACH STATEMENT EXECUTE FUNCTION {function}()"
            )
    for table in ("sources_document", "claims_incident"):
        yield (
            f"CREATE TRIGGER ct_public_uses_kept BEFORE INSERT OR UPDATE OF public_uses "
            f"ON {table} FOR EACH ROW EXECUTE FUNCTION ct_public_uses_kept()"
        )


def add_counts(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    for sql in (COLUMNS, FILL, CLAIM_FUNCTION, ATTRIBUTION_FUNCTION, ROW_FUNCTION, *_triggers()):
        schema_editor.execute(sql)
    schema_editor.execute("ANALYZE sources_document")
    schema_editor.execute("ANALYZE claims_incident")


def remove_counts(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    for table in ("claims_claim", "claims_attribution"):
        for op in TRANSITIONS:
            schema_editor.execute(f"DROP TRIGGER ct_public_uses_{op.lower()} ON {table}")
    for table in ("sources_document", "claims_incident"):
        schema_editor.execute(f"DROP TRIGGER ct_public_uses_kept ON {table}")
        schema_editor.execute(f"ALTER TABLE {table} DROP COLUMN public_uses")
    for function in ("of_claims", "of_attributions", "kept"):
        schema_editor.execute(f"DROP FUNCTION ct_public_uses_{function}()")


class Migration(migrations.Migration):
    dependencies = [("claims", "0028_incident_start_idx")]

    operations = [migrations.RunPython(add_counts, remove_counts, elidable=False)]
