"""The standalone verifier, run as an outsider runs it: its own process, no Django, our files."""

from __future__ import annotations

import ast
import sys

import pytest
from django.test import Client

from claims.models import ChangeRecord
from tests.factories import ActorFactory
from tests.ledger_support import VERIFIER, public_hex, use_test_key, verify, write_json

pytestmark = pytest.mark.django_db
HEAD = "/api/v1/ledger/head/"


@pytest.fixture
def signing_key(settings) -> str:
    return use_test_key(settings)


def test_the_verifier_needs_only_the_standard_library_and_cryptography() -> None:
    tree = ast.parse(VERIFIER.read_text(encoding="utf-8"))
    imported = {
        (node.module if isinstance(node, ast.ImportFrom) else alias.name).split(".")[0]
        for node in ast.walk(tree)
        if isinstance(node, ast.Import | ast.ImportFrom)
        for alias in node.names
    }
    assert imported - set(sys.stdlib_module_names) == {"cryptography"}


def test_a_signed_head_checks_out_and_a_forged_one_does_not(
    client: Client, signing_key, tmp_path
) -> None:
    ActorFactory.create_batch(4)
    head = client.get(HEAD).json()
    run = verify("head", write_json(tmp_path / "h.json", head), "--public-key", signing_key)
    assert run.returncode == 0, run.stderr
    assert "the head of size 4" in run.stdout

    forged = write_json(tmp_path / "f.json", {**head, "tree_size": 3})
    run = verify("head", forged, "--public-key", signing_key)
    assert run.returncode == 1
    assert "the head of size 3" in run.stdout
    assert "not signed by this key" in run.stdout


def test_a_head_checked_against_another_key_fails(client: Client, signing_key, tmp_path) -> None:
    ActorFactory()
    head = write_json(tmp_path / "h.json", client.get(HEAD).json())
    other = tmp_path / "other.pub"
    other.write_text(public_hex("11" * 32) + "\n")
    run = verify("head", head, "--public-key", other)
    assert run.returncode == 1
    assert "not signed by this key" in run.stdout


def test_a_consistency_proof_between_two_heads_checks_out(
    client: Client, signing_key, tmp_path
) -> None:
    ActorFactory.create_batch(5)
    old = write_json(tmp_path / "old.json", client.get(HEAD).json())
    ActorFactory.create_batch(9)
    new = write_json(tmp_path / "new.json", client.get(HEAD).json())
    answer = client.get("/api/v1/ledger/proof/consistency/", {"from": 5, "to": 14}).json()
    proof = write_json(tmp_path / "c.json", answer)
    run = verify("consistency", proof, "--old", old, "--new", new, "--public-key", signing_key)
    assert run.returncode == 0, run.stdout + run.stderr
    assert "the signed tree of 14 extends the signed tree of 5" in run.stdout

    answer["consistency_path"][0] = "00" * 32
    proof = write_json(tmp_path / "bad.json", answer)
    run = verify("consistency", proof, "--old", old, "--new", new, "--public-key", signing_key)
    assert run.returncode == 1
    assert "does not extend the tree of 5" in run.stdout


def test_an_inclusion_proof_against_a_head_of_another_size_fails(
    client: Client, signing_key, tmp_path
) -> None:
    ActorFactory.create_batch(6)
    head = write_json(tmp_path / "h.json", client.get(HEAD).json())
    first = client.get(HEAD).json()["tree_size"]
    record = ChangeRecord.objects.order_by("id").first().pk
    answer = client.get("/api/v1/ledger/proof/inclusion/", {"record": record, "size": 5}).json()
    run = verify(
        "inclusion",
        write_json(tmp_path / "p.json", answer),
        "--head",
        head,
        "--public-key",
        signing_key,
    )
    assert first == 6
    assert run.returncode == 1
    assert "the proof is for a tree of 5, the head's is 6" in run.stdout


@pytest.mark.parametrize(
    ("content", "reason"),
    [
        ("not json", "Expecting value"),
        ('["a list"]', "does not hold a JSON object"),
        ('{"tree_size": "many"}', "tree_size is not a whole number"),
    ],
)
def test_a_file_that_is_not_a_head_exits_2_with_the_reason(
    tmp_path, content: str, reason: str
) -> None:
    path = tmp_path / "head.json"
    path.write_text(content)
    run = verify("head", path, "--public-key", public_hex("22" * 32))
    assert run.returncode == 2
    assert reason in run.stderr
    assert "Traceback" not in run.stderr
