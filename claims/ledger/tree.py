"""The Merkle tree over the history, kept by the database where the history is written.

A trigger on the history table itself appends each new change record as a leaf, with the perfect
subtrees it completes, in the statement that wrote the record: whatever extends the history
extends the tree in the same transaction, and a rolled-back write leaves neither. Appending costs
O(log n) hashes and reads however long the history; nothing is ever rehashed. On PostgreSQL the
trigger runs as the owner (SECURITY DEFINER), and the owner-only guard refuses every other role's
writes to the tree, as it does the history's: the application's role, or SQL injected through it,
cannot add, change or remove a node. On SQLite the trigger calls the Python hashes registered on
each connection (claims/ledger/history.py).

For 4 million records the table holds about 8 million nodes (32-byte hashes); a head reads
O(log n) of them, and a proof about twice that, in one query (claims/ledger/merkle.py).
``extend`` builds the tree for a history written before it existed, and catches it up after every
migrate; ``problems`` is verify_integrity's check of the tree against the history.
"""

from __future__ import annotations

from collections.abc import Iterator

from django.db import connection, transaction
from django.db.backends.utils import CursorWrapper

from claims.ledger import merkle, postgres
from claims.ledger.merkle import Node
from claims.models.history import ChangeRecord
from claims.models.ledger import TreeNode

TREE_TABLE = TreeNode._meta.db_table
HISTORY_TABLE = ChangeRecord._meta.db_table

_PG_EXTEND = f"""
CREATE OR REPLACE FUNCTION ct_tree_extend() RETURNS trigger
LANGUAGE plpgsql SECURITY DEFINER SET search_path = public, pg_temp AS $$
DECLARE
    size bigint; r record; h bytea; pos bigint; lvl integer;
    -- pending[l + 1]: the perfect subtree of 2^l leaves at the tree's right edge, if any.
    pending bytea[] := '{{}}';
    levels integer[] := '{{}}'; positions bigint[] := '{{}}'; records bigint[] := '{{}}';
    hashes bytea[] := '{{}}';
BEGIN
    -- The recording function holds this lock already; an owner's direct insert takes it here.
    PERFORM pg_advisory_xact_lock(7270700101);
    SELECT coalesce(max(position) + 1, 0) INTO size FROM {TREE_TABLE} WHERE level = 0;
    lvl := 0;
    WHILE (size >> lvl) > 0 LOOP
        IF ((size >> lvl) & 1) = 1 THEN
            SELECT hash INTO h FROM {TREE_TABLE}
            WHERE level = lvl AND position = (size >> lvl) - 1;
            pending[lvl + 1] := h;
        END IF;
        lvl := lvl + 1;
    END LOOP;
    FOR r IN SELECT id, hash FROM ct_added ORDER BY id LOOP
        h := sha256(decode('00', 'hex') || convert_to(r.id::text || '|' || r.hash, 'UTF8'));
        levels := levels || 0; positions := positions || size; records := records || r.id;
        hashes := hashes || h;
        pos := size; lvl := 0;
        WHILE (pos & 1) = 1 LOOP
            h := sha256(decode('01', 'hex') || pending[lvl + 1] || h);
            pending[lvl + 1] := NULL;
            lvl := lvl + 1; pos := pos >> 1;
            levels := levels || lvl; positions := positions || pos;
            records := records || NULL::bigint; hashes := hashes || h;
        END LOOP;
        pending[lvl + 1] := h;
        size := size + 1;
    END LOOP;
    INSERT INTO {TREE_TABLE} (level, position, record_id, hash)
    SELECT * FROM unnest(levels, positions, records, hashes);
    RETURN NULL;
END $$;
"""

# One statement per new record: the leaf, then each perfect subtree it completes, found by
# climbing while the node is a right child (its left sibling is stored already).
_SQLITE_EXTEND = f"""
CREATE TRIGGER ct_tree_extend AFTER INSERT ON {HISTORY_TABLE} BEGIN
INSERT INTO {TREE_TABLE} (level, position, record_id, hash) SELECT * FROM (
    WITH RECURSIVE up(level, position, record_id, hash) AS (
        SELECT 0, coalesce((SELECT max(position) + 1 FROM {TREE_TABLE} WHERE level = 0), 0),
            NEW.id, ct_leaf_hash(NEW.id, NEW.hash)
        UNION ALL
        SELECT up.level + 1, up.position / 2, NULL, ct_node_hash(s.hash, up.hash)
        FROM up JOIN {TREE_TABLE} s ON s.level = up.level AND s.position = up.position - 1
        WHERE up.position % 2 = 1
    ) SELECT * FROM up);
END
"""


def install(cursor: CursorWrapper, vendor: str) -> None:
    """(Re)create the trigger that keeps the tree, and on PostgreSQL its owner-only guard."""
    if vendor == "postgresql":
        cursor.execute(_PG_EXTEND)
        cursor.execute(f'DROP TRIGGER IF EXISTS ct_tree_extend ON "{HISTORY_TABLE}"')
        cursor.execute(
            f'CREATE TRIGGER ct_tree_extend AFTER INSERT ON "{HISTORY_TABLE}" '
            "REFERENCING NEW TABLE AS ct_added "
            "FOR EACH STATEMENT EXECUTE FUNCTION ct_tree_extend()"
        )
        postgres.guard(cursor, TREE_TABLE, "INSERT OR UPDATE OR DELETE OR TRUNCATE")
    elif vendor == "sqlite":
        cursor.execute("DROP TRIGGER IF EXISTS ct_tree_extend")
        cursor.execute(_SQLITE_EXTEND)


def sqlite_leaf_hash(record_id: int, chain_hash: str) -> bytes:
    return merkle.leaf_hash(merkle.leaf_input(record_id, chain_hash))


# --- reading ----------------------------------------------------------------------------------


def size() -> int:
    """How many change records the tree holds (one indexed look-up)."""
    last = TreeNode.objects.filter(level=0).order_by("-position").values_list("position").first()
    return last[0] + 1 if last else 0


def read(nodes: list[Node]) -> dict[Node, bytes]:
    """The stored hashes of ``nodes``, in one query."""
    if not nodes:
        return {}
    pairs = ", ".join(["(%s, %s)"] * len(nodes))
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT level, position, hash FROM {TREE_TABLE} "
            f"WHERE (level, position) IN (VALUES {pairs})",
            [value for node in nodes for value in node],
        )
        return {(level, position): bytes(h) for level, position, h in cursor.fetchall()}


def root(tree_size: int) -> bytes:
    return merkle.root_hash(tree_size, read(merkle.root_nodes(tree_size)))


def head_label() -> str:
    """The tree as it stands, as "<size> <root hash>": what a webhook delivery names."""
    tree_size = size()
    return f"{tree_size} {root(tree_size).hex()}"


def leaf_of(record_id: int) -> int | None:
    """The leaf index of change record ``record_id``, or None when the tree does not hold it."""
    found = TreeNode.objects.filter(level=0, record_id=record_id).values_list("position").first()
    return found[0] if found else None


def proof(ranges: list[merkle.Range]) -> list[bytes]:
    stored = read(merkle.proof_nodes(ranges))
    return [merkle.range_hash(r, stored) for r in ranges]


def inclusion_proof(index: int, tree_size: int) -> list[bytes]:
    return proof(merkle.inclusion_ranges(index, tree_size))


def consistency_proof(old: int, new: int) -> list[bytes]:
    return proof(merkle.consistency_ranges(old, new)) if 0 < old < new else []


# --- building and checking ----------------------------------------------------------------------


def _pending(tree_size: int) -> dict[int, bytes]:
    """The perfect subtrees at the tree's right edge, by level: what the next leaf merges with."""
    nodes = {
        level: (level, (tree_size >> level) - 1)
        for level in range(tree_size.bit_length())
        if (tree_size >> level) & 1
    }
    stored = read(list(nodes.values()))
    return {level: stored[node] for level, node in nodes.items()}


def appended(
    tree_size: int, records: Iterator[tuple[int, str]], pending: dict[int, bytes]
) -> Iterator[TreeNode]:
    """The nodes that (record id, chain hash) pairs add to a tree of ``tree_size`` leaves."""
    for record_id, chain_hash in records:
        h = merkle.leaf_hash(merkle.leaf_input(record_id, chain_hash))
        yield TreeNode(level=0, position=tree_size, record_id=record_id, hash=h)
        level, position = 0, tree_size
        while position & 1:
            h = merkle.node_hash(pending.pop(level), h)
            level, position = level + 1, position >> 1
            yield TreeNode(level=level, position=position, hash=h)
        pending[level] = h
        tree_size += 1


def missing_records() -> int:
    """How many change records after the tree's last leaf it does not hold yet."""
    last = TreeNode.objects.filter(level=0).order_by("-position").values_list("record_id").first()
    return ChangeRecord.objects.filter(id__gt=last[0] if last else 0).count()


def extend(batch: int = 5000) -> int:
    """Append every change record the tree does not hold yet (a history older than the tree);
    return how many. The owner's work on PostgreSQL: the guard refuses any other role."""
    with transaction.atomic():
        if connection.vendor == "postgresql":
            with connection.cursor() as cursor:
                cursor.execute("SELECT pg_advisory_xact_lock(7270700101)")
        tree_size = size()
        last = TreeNode.objects.filter(level=0, position=tree_size - 1).first()
        records = ChangeRecord.objects.filter(id__gt=last.record_id if last else 0)
        pairs = records.order_by("id").values_list("id", "hash").iterator(chunk_size=batch)
        nodes, added = [], 0
        for node in appended(tree_size, pairs, _pending(tree_size)):
            added += node.level == 0
            nodes.append(node)
            if len(nodes) >= batch:
                TreeNode.objects.bulk_create(nodes)
                nodes = []
        TreeNode.objects.bulk_create(nodes)
        return added


def _stored(level: int) -> Iterator[tuple[int, int | None, bytes]]:
    rows = TreeNode.objects.filter(level=level).order_by("position")
    for position, record_id, h in rows.values_list("position", "record_id", "hash").iterator(
        chunk_size=5000
    ):
        yield position, record_id, bytes(h)


def _leaf_problems() -> Iterator[str]:
    records = ChangeRecord.objects.order_by("id").values_list("id", "hash").iterator(5000)
    leaves = _stored(0)
    for index, (record_id, chain_hash) in enumerate(records):
        leaf = next(leaves, None)
        if leaf is None:
            yield f"change record #{record_id} is not in the Merkle tree (it ends at {index})"
            return
        expected = merkle.leaf_hash(merkle.leaf_input(record_id, chain_hash))
        if leaf[1] != record_id or leaf[2] != expected:
            yield (
                f"change record #{record_id} does not match leaf {index} of the Merkle tree "
                f"(the leaf is of #{leaf[1]}): the history was changed after the tree was built"
            )
            return
    if (extra := next(leaves, None)) is not None:
        yield f"the Merkle tree's leaf {extra[0]} (#{extra[1]}) has no change record any more"


def problems() -> Iterator[str]:
    """Every leaf must be its change record, in order, and every node the hash of its two
    children: an O(n) pass, a level at a time, that names the first node that disagrees."""
    yield from _leaf_problems()
    level = 0
    while True:
        below, above = _stored(level), _stored(level + 1)
        found = False
        for position, _, h in above:
            found = True
            left, right = next(below, None), next(below, None)
            if left is None or right is None or merkle.node_hash(left[2], right[2]) != h:
                first = position << (level + 1)
                yield (
                    f"Merkle tree node {level + 1}/{position} (leaves {first} to "
                    f"{first + (2 << level) - 1}) is not the hash of its children"
                )
                return
        if not found:
            return
        level += 1
