"""The history's PostgreSQL objects in one place: the recording function, its triggers, the
guards against TRUNCATE and direct writes, and the private key that proves who acted.

Who acted is proven, not just said. For each transaction in which it writes, the application sets
``claimtracker.user_id`` and ``claimtracker.context`` with ``claimtracker.attribution`` =
HMAC-SHA256(history key, "user|context|txid"), that transaction's id, all local to it. The
recording function runs as the owner (SECURITY DEFINER), reads the key from
``ct_ledger.history_key`` — a schema only the owner may use — and records the user only when the
proof matches; otherwise the change is recorded with no user and the claim kept in
``claimed_user_id``, which ``verify_integrity`` reports. A SQL injection through the application's
role can set any setting but cannot compute a proof: it has neither the key nor a way to read it,
and a proof seen for another transaction (in ``pg_stat_activity``, say) does not fit its own.

The owner (and any superuser) is not bound by any of this: it can read the key, disable triggers
and rewrite the table. Against that the only defence is the published head (verify_integrity
--export-head).
"""

from __future__ import annotations

import hashlib
import hmac
import secrets

from django.db.backends.utils import CursorWrapper

from claims.models.history import GENESIS_HASH, ChangeRecord

HISTORY_TABLE = ChangeRecord._meta.db_table
KEY_TABLE = "ct_ledger.history_key"

# Columns the database derives from others (the search vectors of
# claims/migrations/0006_search_vectors.py, the claims' adjacent word pairs of 0026, the counts
# of public claims using a document or incident that 0029's triggers keep): left out of row
# images, which record what people wrote. Only PostgreSQL tables have them; a column generated
# or kept from others must be named here, or every edit of a claim's text (or publication of
# a claim) records it too.
DERIVED_COLUMNS = ("search_vector", "search_pairs", "public_uses")


def pg_row_image(row: str) -> str:
    """A row as JSONB without its derived columns (removing an absent key changes nothing)."""
    return f"(to_jsonb({row}) - ARRAY[{', '.join(repr(c) for c in DERIVED_COLUMNS)}])"


# The same, inside the PL/pgSQL function's quoted EXECUTE text.
_PG_NEW, _PG_OLD = (pg_row_image(row).replace("'", "''") for row in ("n", "o"))

# The private schema and its key. pgcrypto is a trusted extension from PostgreSQL 13 on, so the
# database's owner may create it without being a superuser.
_KEY_SCHEMA = f"""
CREATE EXTENSION IF NOT EXISTS pgcrypto;
CREATE SCHEMA IF NOT EXISTS ct_ledger;
REVOKE ALL ON SCHEMA ct_ledger FROM PUBLIC;
CREATE TABLE IF NOT EXISTS {KEY_TABLE} (
    id integer PRIMARY KEY CHECK (id = 1),
    secret text NOT NULL CHECK (length(secret) >= 32)
);
REVOKE ALL ON {KEY_TABLE} FROM PUBLIC;
"""

_RECORD_FUNCTION = f"""
CREATE OR REPLACE FUNCTION ct_record_changes() RETURNS trigger
LANGUAGE plpgsql SECURITY DEFINER SET search_path = public, pg_temp AS $$
DECLARE
    prev text; r record; h text; at text; claimed text; uid text; ctx text; given text;
    tx text; proof text := ''; unproven text := ''; key text;
    ids text[] := '{{}}'; befores text[] := '{{}}'; afters text[] := '{{}}';
    prevs text[] := '{{}}'; hashes text[] := '{{}}';
BEGIN
    -- One writer at a time extends the chain; the lock is held until this transaction ends,
    -- so the next writer reads this statement's last hash as its predecessor.
    PERFORM pg_advisory_xact_lock(7270700101);
    SELECT hash INTO prev FROM {HISTORY_TABLE} ORDER BY id DESC LIMIT 1;
    prev := coalesce(prev, '{GENESIS_HASH}');
    at := to_char(clock_timestamp() AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"');
    claimed := coalesce(current_setting('claimtracker.user_id', true), '');
    ctx := coalesce(nullif(current_setting('claimtracker.context', true), ''), 'database');
    given := coalesce(current_setting('claimtracker.attribution', true), '');
    tx := txid_current()::text;
    uid := claimed;
    IF claimed <> '' THEN
        -- A user is named: keep the name only with the application's proof for this very
        -- transaction; otherwise the change is nobody's and the claim is kept to be reported.
        SELECT secret INTO key FROM {KEY_TABLE} WHERE id = 1;
        IF key IS NOT NULL AND given = encode(
                hmac(claimed || '|' || ctx || '|' || tx, key, 'sha256'), 'hex') THEN
            proof := given;
        ELSE
            uid := ''; unproven := claimed;
        END IF;
    END IF;
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
        h := encode(sha256(convert_to(concat_ws('|', prev, TG_TABLE_NAME, r.rid, TG_OP, uid,
            ctx, at, r.b, r.a, unproven, tx, proof), 'UTF8')), 'hex');
        ids := ids || r.rid; befores := befores || r.b; afters := afters || r.a;
        prevs := prevs || prev; hashes := hashes || h;
        prev := h;
    END LOOP;
    -- One INSERT for the whole statement; rows keep the chain's order (and so its ids).
    INSERT INTO {HISTORY_TABLE}
        (table_name, record_id, operation, user_id, context, recorded_at,
         state_before, state_after, prev_hash, hash, claimed_user_id, txid, attribution)
    SELECT TG_TABLE_NAME, u.rid, TG_OP, uid, ctx, at, u.b, u.a, u.p, u.h, unproven, tx, proof
    FROM unnest(ids, befores, afters, prevs, hashes) WITH ORDINALITY AS u(rid, b, a, p, h, n)
    ORDER BY u.n;
    RETURN NULL;
END $$;
"""

# Not SECURITY DEFINER: current_user is whoever runs the statement (inside the recording
# function, that is the function's owner). Only the table's owner, or a superuser, passes.
_GUARD_FUNCTION = """
CREATE OR REPLACE FUNCTION ct_owner_only() RETURNS trigger
LANGUAGE plpgsql SET search_path = public, pg_temp AS $$
BEGIN
    IF pg_has_role(current_user,
            (SELECT relowner FROM pg_class WHERE oid = TG_RELID), 'USAGE') THEN
        RETURN NULL;
    END IF;
    RAISE EXCEPTION '% of % refused for role %', TG_OP, TG_TABLE_NAME, current_user
        USING ERRCODE = 'insufficient_privilege',
        HINT = CASE WHEN TG_TABLE_NAME = TG_ARGV[0]
            THEN 'history records are written by the recording trigger only'
            ELSE 'TRUNCATE leaves no history: delete the rows instead' END;
END $$;
"""

_TRANSITIONS = {
    "INSERT": "NEW TABLE AS ct_new",
    "UPDATE": "OLD TABLE AS ct_old NEW TABLE AS ct_new",
    "DELETE": "OLD TABLE AS ct_old",
}


def install(cursor: CursorWrapper, tables: list[str], key: str) -> None:
    """(Re)create every object above; run by the owner after each migrate. ``key`` becomes the
    history key when the database has none yet (an existing key is kept)."""
    cursor.execute(_KEY_SCHEMA)
    cursor.execute(
        f"INSERT INTO {KEY_TABLE} (id, secret) VALUES (1, %s) ON CONFLICT (id) DO NOTHING",
        [key or secrets.token_urlsafe(48)],
    )
    cursor.execute(_RECORD_FUNCTION)
    cursor.execute(_GUARD_FUNCTION)
    cursor.execute("DROP FUNCTION IF EXISTS ct_record_change() CASCADE")
    for table in tables:
        for op, transition in _TRANSITIONS.items():
            name = f"ct_history_{op.lower()}"
            cursor.execute(f'DROP TRIGGER IF EXISTS {name} ON "{table}"')
            cursor.execute(
                f'CREATE TRIGGER {name} AFTER {op} ON "{table}" REFERENCING {transition} '
                "FOR EACH STATEMENT EXECUTE FUNCTION ct_record_changes()"
            )
        guard(cursor, table, "TRUNCATE")
    guard(cursor, HISTORY_TABLE, "INSERT OR UPDATE OR DELETE OR TRUNCATE")


def guard(cursor: CursorWrapper, table: str, operations: str) -> None:
    cursor.execute(f'DROP TRIGGER IF EXISTS ct_owner_only ON "{table}"')
    cursor.execute(
        f'CREATE TRIGGER ct_owner_only BEFORE {operations} ON "{table}" '
        f"FOR EACH STATEMENT EXECUTE FUNCTION ct_owner_only('{HISTORY_TABLE}')"
    )


def set_key(cursor: CursorWrapper, key: str) -> None:
    """Replace the history key (the owner only: nobody else may use the ct_ledger schema)."""
    cursor.execute(
        f"INSERT INTO {KEY_TABLE} (id, secret) VALUES (1, %s) "
        "ON CONFLICT (id) DO UPDATE SET secret = EXCLUDED.secret",
        [key],
    )


def read_key(cursor: CursorWrapper) -> str | None:
    """The history key when this connection's role may read it (the owner), else None."""
    cursor.execute(
        "SELECT CASE WHEN to_regnamespace('ct_ledger') IS NOT NULL "
        "THEN has_schema_privilege('ct_ledger', 'USAGE') ELSE false END"
    )
    if not cursor.fetchone()[0]:
        return None
    cursor.execute(f"SELECT secret FROM {KEY_TABLE} WHERE id = 1")
    row = cursor.fetchone()
    return row[0] if row else None


def proof(key: str, user_id: str, context: str, txid: object) -> str:
    """What the recording function expects in ``claimtracker.attribution``."""
    message = f"{user_id}|{context}|{txid}".encode()
    return hmac.new(key.encode(), message, hashlib.sha256).hexdigest()
