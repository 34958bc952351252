"""GET /api/v1/ledger/head/ and the proofs: what an outsider checks the record with."""

from __future__ import annotations

import pytest
from django.core.checks.registry import registry
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from claims.ledger import heads, merkle
from claims.models import ChangeRecord, SignedHead
from tests import rfc9162
from tests.factories import ActorFactory
from tests.ledger_support import use_test_key, verify, write_json
from tests.problems import fields

pytestmark = pytest.mark.django_db


@pytest.fixture
def signing_key(settings) -> str:
    return use_test_key(settings)


HEAD, INCLUSION, CONSISTENCY = (
    "/api/v1/ledger/head/",
    "/api/v1/ledger/proof/inclusion/",
    "/api/v1/ledger/proof/consistency/",
)


def _leaves() -> list[bytes]:
    return [merkle.leaf_input(i, h) for i, h in ChangeRecord.objects.values_list("id", "hash")]


def test_the_head_is_signed_and_names_the_trees_size_and_root(client: Client, signing_key) -> None:
    ActorFactory.create_batch(6)
    head = client.get(HEAD).json()
    assert head["tree_size"] == 6
    assert head["root_hash"] == rfc9162.mth(_leaves()).hex()
    assert head["public_key"] == signing_key
    assert head["signed_text"].startswith("claimtracker tree head v1\nsize 6\n")
    assert SignedHead.objects.get().size == 6


def test_an_unchanged_tree_keeps_its_head_and_a_grown_one_gets_a_new_one(
    client: Client, signing_key
) -> None:
    ActorFactory()
    first = client.get(HEAD).json()
    assert client.get(HEAD).json() == first
    ActorFactory()
    assert client.get(HEAD).json()["tree_size"] == 2
    assert SignedHead.objects.count() == 2


def test_the_head_reads_a_few_rows_however_long_the_history(client: Client, signing_key) -> None:
    ActorFactory.create_batch(3)
    client.get(HEAD)
    with CaptureQueriesContext(connection) as few:
        client.get(HEAD)
    ActorFactory.create_batch(40)
    client.get(HEAD)
    with CaptureQueriesContext(connection) as many:
        client.get(HEAD)
    # The tree's size, the latest head (kept: the tree has not grown since).
    assert len(few) == len(many) == 2


def test_without_a_key_the_head_is_refused_with_a_reason(client: Client, settings) -> None:
    settings.LEDGER_SIGNING_KEY, settings.LEDGER_SIGNING_KEY_FILE = "", ""
    response = client.get(HEAD)
    assert response.status_code == 503
    assert "signing key" in response.json()["detail"]
    assert not SignedHead.objects.exists()


def test_an_inclusion_proof_is_rfc_9162s_audit_path(client: Client, signing_key) -> None:
    ActorFactory.create_batch(11)
    records = list(ChangeRecord.objects.order_by("id"))
    response = client.get(INCLUSION, {"record": records[4].pk, "size": 9})
    assert response.status_code == 200
    proof = response.json()
    assert proof["leaf_index"] == 4
    assert proof["chain_hash"] == records[4].hash
    assert proof["audit_path"] == [h.hex() for h in rfc9162.path(4, _leaves()[:9])]


def test_a_consistency_proof_is_rfc_9162s(client: Client, signing_key) -> None:
    ActorFactory.create_batch(13)
    proof = client.get(CONSISTENCY, {"from": 5, "to": 13}).json()
    assert proof["consistency_path"] == [h.hex() for h in rfc9162.proof(5, _leaves())]
    assert client.get(CONSISTENCY, {"from": 13, "to": 13}).json()["consistency_path"] == []


@pytest.mark.parametrize(
    ("url", "query", "field"),
    [
        (INCLUSION, {}, "record"),
        (INCLUSION, {"record": "abc"}, "record"),
        (INCLUSION, {"record": "999999"}, "record"),
        (INCLUSION, {"record": "FIRST", "size": "1"}, "size"),
        (INCLUSION, {"record": "FIRST", "size": "99"}, "size"),
        (CONSISTENCY, {"from": "0", "to": "2"}, "from"),
        (CONSISTENCY, {"from": "3", "to": "2"}, "to"),
        (CONSISTENCY, {"from": "1"}, "to"),
        (HEAD, {"size": "2"}, "size"),
    ],
)
def test_bad_parameters_get_a_400_naming_them(
    client: Client, signing_key, url: str, query: dict, field: str
) -> None:
    ActorFactory.create_batch(3)
    if query.get("record") == "FIRST":
        query["record"] = str(ChangeRecord.objects.order_by("id")[1].pk)
    response = client.get(url, query)
    assert response.status_code == 400
    assert field in fields(response)


def test_what_the_api_gives_the_verifier_checks(client: Client, signing_key, tmp_path) -> None:
    ActorFactory.create_batch(7)
    head = write_json(tmp_path / "head.json", client.get(HEAD).json())
    record = ChangeRecord.objects.order_by("id")[3].pk
    proof = write_json(tmp_path / "p.json", client.get(INCLUSION, {"record": record}).json())
    run = verify("inclusion", proof, "--head", head, "--public-key", signing_key)
    assert run.returncode == 0, run.stdout + run.stderr
    assert f"change record #{record} is leaf 3 of the signed tree of 7" in run.stdout


def test_a_proof_reads_four_rows_however_long_the_history(client: Client, signing_key) -> None:
    ActorFactory.create_batch(3)
    first = ChangeRecord.objects.order_by("id").first().pk
    with CaptureQueriesContext(connection) as few:
        client.get(INCLUSION, {"record": first})
    ActorFactory.create_batch(60)
    with CaptureQueriesContext(connection) as many:
        client.get(INCLUSION, {"record": first})
    # The record's leaf, the tree's size, the record's hash, the proof's nodes (one query).
    assert len(few) == len(many) == 4
    with CaptureQueriesContext(connection) as consistency:
        client.get(CONSISTENCY, {"from": 3, "to": 63})
    # The tree's size for each bound, the proof's nodes.
    assert len(consistency) == 3


def test_a_production_site_without_a_signing_key_fails_check_deploy(settings) -> None:
    settings.LEDGER_SIGNING_KEY, settings.LEDGER_SIGNING_KEY_FILE = "", ""
    deploy = registry.get_checks(include_deployment_checks=True)
    assert heads.check_signing_key in deploy
    assert [e.id for e in heads.check_signing_key()] == ["claims.E101"]
    settings.LEDGER_SIGNING_KEY = "5e" * 32
    assert heads.check_signing_key() == []


def test_a_local_run_makes_its_key_under_var_once(settings, tmp_path) -> None:
    settings.DEBUG, settings.LEDGER_SIGNING_KEY = True, ""
    settings.LEDGER_SIGNING_KEY_FILE = str(tmp_path / "var" / "ledger_signing_key.pem")
    made = heads.public_key_hex()
    assert (tmp_path / "var" / "ledger_signing_key.pem").stat().st_mode & 0o777 == 0o600
    assert heads.public_key_hex() == made
