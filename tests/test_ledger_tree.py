"""The history's Merkle tree: RFC 9162 hashing, kept by the database as records are written,
its heads and proofs equal to an independent implementation's and to CT's reference values."""

from __future__ import annotations

from io import StringIO

import psycopg2
import pytest
from django.core.management import call_command
from django.db import connection, transaction

from claims.ledger import merkle, tree
from claims.models import ChangeRecord, TreeNode
from sources.models import Actor
from tests import rfc9162
from tests.factories import ActorFactory
from tests.history_roles import APP_ROLE, app_role, grant_readme_privileges

# Certificate Transparency's reference leaves and the roots of their first 1..8 (RFC 6962 tests).
CT_LEAVES = ["", "00", "10", "2021", "3031", "40414243", "5051525354555657"]
CT_LEAVES += ["606162636465666768696a6b6c6d6e6f"]
CT_ROOTS = [
    "6e340b9cffb37a989ca544e6bb780a2c78901d3fb33738768511a30617afa01d",
    "fac54203e7cc696cf0dfcb42c92a1d9dbaf70ad9e621f4bd8d98662f00e3c125",
    "aeb6bcfe274b70a14fb067a5e5578264db0fa9b51af5e0ba159158f329e06e77",
    "d37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7",
    "4e3bbb1f7b478dcfe71fb631631519a3bca12c9aefca1612bfce4c13a86264d4",
    "76e67dadbcdf1e10e1b74ddc608abd2f98dfb16fbce75277b5232a127f2087ef",
    "ddb89be403809e325750d3d263cd78929c2942b7942a34b77e122c9594a74c8c",
    "5dc9da79a70659a9ad559cb701ded9a2ab9d823aad2f4960cfe370eff4604328",
]
# Their inclusion proofs of leaf 0 and leaf 5 in the tree of 8.
CT_PATHS = {
    0: [
        "96a296d224f285c67bee93c30f8a309157f0daa35dc5b87e410b78630a09cfc7",
        "5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e",
        "6b47aaf29ee3c2af9af889bc1fb9254dabd31177f16232dd6aab035ca39bf6e4",
    ],
    5: [
        "bc1a0643b12e4d2d7c77918f44e0f4f79a838b6cf9ec5b5c283e1f4d88599e6b",
        "ca854ea128ed050b41b35ffc1b87b8eb2bde461e9e3b5596ece6b9d5975a0ae0",
        "d37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7",
    ],
}


def _stored(leaves: list[bytes]) -> dict[merkle.Node, bytes]:
    """Every perfect node of a tree, built by appending leaves one at a time as the database
    does (claims.ledger.tree.appended, fed leaf inputs through a stand-in record id)."""
    nodes: dict[merkle.Node, bytes] = {}
    pending: dict[int, bytes] = {}
    for index, data in enumerate(leaves):
        h = merkle.leaf_hash(data)
        nodes[(0, index)] = h
        level, position = 0, index
        while position & 1:
            h = merkle.node_hash(pending.pop(level), h)
            level, position = level + 1, position >> 1
            nodes[(level, position)] = h
        pending[level] = h
    return nodes


def test_roots_match_certificate_transparency_reference_values() -> None:
    leaves = [bytes.fromhex(leaf) for leaf in CT_LEAVES]
    stored = _stored(leaves)
    assert merkle.root_hash(0, stored).hex() == rfc9162.mth([]).hex()
    for size in range(1, 9):
        assert merkle.root_hash(size, stored).hex() == CT_ROOTS[size - 1]


def test_inclusion_proofs_match_certificate_transparency_reference_values() -> None:
    stored = _stored([bytes.fromhex(leaf) for leaf in CT_LEAVES])
    for index, expected in CT_PATHS.items():
        ranges = merkle.inclusion_ranges(index, 8)
        assert [merkle.range_hash(r, stored).hex() for r in ranges] == expected


def test_every_proof_equals_the_independent_implementation_for_every_size_up_to_70() -> None:
    leaves = [f"leaf {i}".encode() for i in range(70)]
    stored = _stored(leaves)
    for size in range(1, 71):
        assert merkle.root_hash(size, stored) == rfc9162.mth(leaves[:size])
        for index in range(size):
            ours = [merkle.range_hash(r, stored) for r in merkle.inclusion_ranges(index, size)]
            assert ours == rfc9162.path(index, leaves[:size]), (index, size)
        for old in range(1, size + 1):
            ours = [merkle.range_hash(r, stored) for r in merkle.consistency_ranges(old, size)]
            assert ours == rfc9162.proof(old, leaves[:size]), (old, size)


def test_a_proof_reads_about_log2_n_nodes_of_a_large_tree() -> None:
    size = 4_000_000
    worst = max(
        len(merkle.proof_nodes(merkle.inclusion_ranges(i, size)))
        for i in (0, size // 3, size - 1, size - 2)
    )
    assert worst <= 2 * size.bit_length()
    assert len(merkle.root_nodes(size)) == bin(size).count("1")


def _leaves_from_history() -> list[bytes]:
    return [merkle.leaf_input(pk, h) for pk, h in ChangeRecord.objects.values_list("id", "hash")]


@pytest.mark.django_db
def test_writes_extend_the_tree_in_the_database_as_the_rfc_defines_it() -> None:
    ActorFactory.create_batch(5)
    Actor.objects.bulk_create([Actor(name=f"Bulk {i}", slug=f"bulk-{i}") for i in range(8)])
    Actor.objects.filter(slug__startswith="bulk-").update(description="changed together")
    leaves = _leaves_from_history()
    assert len(leaves) == 21
    assert tree.size() == 21
    assert tree.root(21) == rfc9162.mth(leaves)
    assert tree.root(13) == rfc9162.mth(leaves[:13])
    assert tree.inclusion_proof(6, 21) == rfc9162.path(6, leaves)
    assert tree.consistency_proof(5, 21) == rfc9162.proof(5, leaves)
    assert list(tree.problems()) == []


def _create_then_cancel() -> None:
    with transaction.atomic():
        ActorFactory()
        raise RuntimeError("the editor cancels")


@pytest.mark.django_db
def test_a_record_whose_write_rolled_back_leaves_no_leaf() -> None:
    ActorFactory()
    with pytest.raises(RuntimeError, match="cancels"):
        _create_then_cancel()
    ActorFactory()
    leaves = _leaves_from_history()
    assert tree.size() == len(leaves) == 2
    assert tree.root(2) == rfc9162.mth(leaves)


@pytest.mark.django_db
def test_building_the_tree_for_an_older_history_gives_the_trees_the_triggers_keep() -> None:
    ActorFactory.create_batch(11)
    kept = {(n.level, n.position): bytes(n.hash) for n in TreeNode.objects.all()}
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute(f"ALTER TABLE {tree.TREE_TABLE} DISABLE TRIGGER ct_owner_only")
        cursor.execute(f"DELETE FROM {tree.TREE_TABLE}")
        if connection.vendor == "postgresql":
            cursor.execute(f"ALTER TABLE {tree.TREE_TABLE} ENABLE TRIGGER ct_owner_only")
    out = StringIO()
    call_command("build_ledger_tree", stdout=out)
    assert "11 change records added" in out.getvalue()
    assert {(n.level, n.position): bytes(n.hash) for n in TreeNode.objects.all()} == kept
    ActorFactory()
    assert tree.root(12) == rfc9162.mth(_leaves_from_history())


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_the_app_role_cannot_write_the_tree_even_when_granted_everything() -> None:
    ActorFactory.create_batch(3)
    grant_readme_privileges()
    with connection.cursor() as cursor:
        cursor.execute(f"GRANT ALL ON {tree.TREE_TABLE} TO {APP_ROLE}")
    before = tree.root(3)
    with app_role() as app_sql:
        for sql in (
            f"UPDATE {tree.TREE_TABLE} SET hash = sha256('forged')",
            f"DELETE FROM {tree.TREE_TABLE} WHERE level = 0 AND position = 2",
            f"INSERT INTO {tree.TREE_TABLE} VALUES (0, 3, NULL, sha256('forged'))",
        ):
            with pytest.raises(psycopg2.errors.InsufficientPrivilege, match="refused"):
                app_sql.execute(sql)
    assert tree.root(3) == before


def test_consistency_is_accepted_exactly_when_the_rfc_proof_is_given() -> None:
    leaves = [f"leaf {i}".encode() for i in range(40)]
    for new in range(1, 41):
        for old in range(1, new + 1):
            old_root, new_root = rfc9162.mth(leaves[:old]), rfc9162.mth(leaves[:new])
            path = rfc9162.proof(old, leaves[:new])
            assert merkle.consistent(old, new, old_root, new_root, path), (old, new)
            forked = rfc9162.mth([*leaves[: old - 1], b"forged"])
            assert not merkle.consistent(old, new, forked, new_root, path), (old, new)
            if path:
                bad = [*path[:-1], merkle.leaf_hash(b"x")]
                assert not merkle.consistent(old, new, old_root, new_root, bad), (old, new)
