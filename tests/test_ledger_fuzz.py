"""A mutation fuzzer over a history of 3,000 change records: every deletion, reordering, altered
byte, insertion and consistent rewrite is caught — by the standalone verifier on an export, and
by verify_integrity on the database — and the failure names the record (or, for a rewrite that
kept every hash consistent, the signed tree size and the roots that disagree)."""

from __future__ import annotations

import hashlib
import importlib.util
import json
import random
from io import StringIO
from pathlib import Path
from types import ModuleType

import pytest
from django.core.management import CommandError, call_command
from django.db import connection, transaction

from claims.ledger import tree
from claims.ledger.exports import RECORD_FIELDS
from claims.models import ChangeRecord
from tests.ledger_support import VERIFIER, make_history, use_test_key, verify

pytestmark = pytest.mark.django_db
RECORDS = 3000
HISTORY = ChangeRecord._meta.db_table
# Text the chain hash covers: altering any byte of it must be caught.
CHAINED = ["table_name", "record_id", "operation", "user_id", "context", "recorded_at"]
CHAINED += ["state_before", "state_after", "prev_hash", "hash"]


def _load_verifier() -> ModuleType:
    spec = importlib.util.spec_from_file_location("claimtracker_verify", VERIFIER)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@pytest.fixture
def exported(settings, tmp_path: Path) -> tuple[str, list[str]]:
    """(public key, the export's lines) of a 3,000-record history."""
    public = use_test_key(settings)
    make_history(RECORDS)
    path = tmp_path / "ledger.jsonl"
    call_command("export_ledger", str(path), stdout=StringIO())
    return public, path.read_text(encoding="utf-8").splitlines(keepends=True)


def _rehash(record: dict) -> dict:
    parts = [str(record[f]) for f in ["prev_hash", *CHAINED[:-2]]]
    if record["txid"] or record["claimed_user_id"] or record["attribution"]:
        parts += [record["claimed_user_id"], record["txid"], record["attribution"]]
    return {**record, "hash": hashlib.sha256("|".join(parts).encode()).hexdigest()}


def _flip(text: str, rng: random.Random) -> str:
    at = rng.randrange(len(text))
    return text[:at] + ("x" if text[at] != "x" else "y") + text[at + 1 :]


def _mutate(kind: str, records: list[dict], rng: random.Random) -> tuple[list[dict], str]:
    """The mutated records and the id the verifier's failure must name."""
    k = rng.randrange(1, len(records) - 1)
    out = [dict(r) for r in records]
    if kind == "delete":
        del out[k]
        return out, f"#{records[k + 1]['id']}"
    if kind == "reorder":
        out[k], out[k + 1] = out[k + 1], out[k]
        return out, f"#{records[k + 1]['id']}"
    if kind == "alter":
        field = rng.choice([f for f in CHAINED if out[k][f]])
        out[k][field] = _flip(out[k][field], rng)
        return out, f"#{records[k]['id']}"
    if kind == "insert":
        forged = _rehash(
            {**out[k], "state_after": '{"name": "forged"}', "prev_hash": out[k]["hash"]}
        )
        out.insert(k + 1, {**forged, "id": out[k]["id"]})
        return out, f"#{records[k]['id']}"
    if kind == "insert-chained":
        # A forged record whose own hash is right, following its predecessor, the later ids
        # moved up to make room: the next record no longer follows it.
        forged = _rehash(
            {**out[k], "state_after": '{"name": "forged"}', "prev_hash": out[k]["hash"]}
        )
        later = [{**r, "id": r["id"] + 1} for r in out[k + 1 :]]
        out = [*out[: k + 1], {**forged, "id": out[k]["id"] + 1}, *later]
        return out, f"#{records[k]['id'] + 1}"
    # "rewrite": every hash from k on recomputed, so the chain is consistent again.
    out[k]["state_after"] = '{"name": "rewritten"}'
    for i in range(k, len(out)):
        out[i] = _rehash({**out[i], "prev_hash": out[i - 1]["hash"]})
    return out, f"the {len(records)} change records make the Merkle root"


KINDS = ["delete", "reorder", "alter", "insert", "insert-chained", "rewrite"]


def test_every_mutation_of_an_export_fails_the_verifier_naming_the_record(exported) -> None:
    public, lines = exported
    verifier = _load_verifier()
    key = verifier.public_key(public)
    head, records = lines[0], [json.loads(line) for line in lines[1:]]
    assert len(records) == RECORDS
    assert "all 3000 change records" in verifier.check_history(lines, key, "export")
    rng = random.Random(18)
    detected = 0
    for trial in range(300):
        kind = KINDS[trial % len(KINDS)]
        mutated, named = _mutate(kind, records, rng)
        text = [head] + [json.dumps(r) + "\n" for r in mutated]
        with pytest.raises(verifier.Failed) as failure:
            verifier.check_history(text, key, "export")
        assert named in str(failure.value), (kind, str(failure.value))
        detected += 1
    assert detected == 300


def test_the_verifier_program_fails_a_mutated_export_with_status_1(exported, tmp_path) -> None:
    public, lines = exported
    good = tmp_path / "good.jsonl"
    good.write_text("".join(lines), encoding="utf-8")
    assert verify("history", good, "--public-key", public).returncode == 0
    records = [json.loads(line) for line in lines[1:]]
    mutated, named = _mutate("alter", records, random.Random(3))
    bad = tmp_path / "bad.jsonl"
    bad.write_text(lines[0] + "".join(json.dumps(r) + "\n" for r in mutated), encoding="utf-8")
    run = verify("history", bad, "--public-key", public)
    assert run.returncode == 1
    assert named in run.stdout
    head = json.loads(lines[0])
    forged = {**head, "root_hash": "ab" * 32}
    bad.write_text(json.dumps(forged) + "\n" + "".join(lines[1:]), encoding="utf-8")
    run = verify("history", bad, "--public-key", public)
    assert run.returncode == 1
    assert "is not signed by this key" in run.stdout


# --- the same mutations made to the database itself, caught by verify_integrity ---------------


def _problems(*args: str) -> str:
    err = StringIO()
    with pytest.raises(CommandError):
        call_command("verify_integrity", *args, stdout=StringIO(), stderr=err)
    return err.getvalue()


def _sql(sql: str, params: list | None = None) -> None:
    with connection.cursor() as cursor:
        cursor.execute(sql, params or [])


def _renumber_after(record_id: int) -> None:
    """Make room for one record after ``record_id`` (two steps: ids are unique throughout)."""
    _sql(f"UPDATE {HISTORY} SET id = -id WHERE id > %s", [record_id])
    _sql(f"UPDATE {HISTORY} SET id = 1 - id WHERE id < 0")


def _db_mutation(kind: str, ids: list[int], rng: random.Random) -> str:
    """Change the history table as its owner could; return what verify_integrity must name."""
    k = rng.randrange(1, len(ids) - 2)
    record = ChangeRecord.objects.get(pk=ids[k])
    if kind == "delete":
        _sql(f"DELETE FROM {HISTORY} WHERE id = %s", [ids[k]])
        return f"#{ids[k + 1]}"
    if kind == "reorder":
        after = ChangeRecord.objects.get(pk=ids[k + 1])
        ChangeRecord.objects.filter(pk=record.pk).update(hash="moving")  # hashes are unique
        for target, source in ((after.pk, record), (record.pk, after)):
            values = {f: getattr(source, f) for f in RECORD_FIELDS if f != "id"}
            ChangeRecord.objects.filter(pk=target).update(**values)
        return f"#{ids[k]}"
    if kind == "alter":
        field = rng.choice(["state_after", "recorded_at", "record_id", "user_id", "prev_hash"])
        ChangeRecord.objects.filter(pk=ids[k]).update(
            **{field: _flip(getattr(record, field) or "-", rng)}
        )
        return f"#{ids[k]}"
    if kind == "insert":
        _renumber_after(ids[k])
        values = {f: getattr(record, f) for f in RECORD_FIELDS if f != "id"}
        forged = _rehash({**values, "state_after": '{"name": "forged"}', "prev_hash": record.hash})
        # As the owner, triggers off (the tree would refuse a second leaf for the id).
        if connection.vendor == "postgresql":
            _sql("SET LOCAL session_replication_role = replica")
        else:
            _sql("DROP TRIGGER ct_tree_extend")  # SQLite's DDL rolls back with the test
        ChangeRecord.objects.bulk_create([ChangeRecord(id=ids[k] + 1, **forged)])
        if connection.vendor == "postgresql":
            _sql("SET LOCAL session_replication_role = DEFAULT")
        return f"#{ids[k] + 1}"
    # "rewrite": the chain rehashed from k on, consistent again; the tree was left as it was.
    _rewrite_from(ids[k])
    return f"#{ids[k]}"


def _rewrite_from(record_id: int) -> None:
    previous = ChangeRecord.objects.filter(pk__lt=record_id).order_by("-id").first().hash
    for record in ChangeRecord.objects.filter(pk__gte=record_id).order_by("id"):
        if record.pk == record_id:
            # Said to have come through another door: the rows stay as they are.
            record.context = "rewritten"
        record.prev_hash = previous
        record.hash = record.expected_hash()
        ChangeRecord.objects.filter(pk=record.pk).update(
            context=record.context, prev_hash=record.prev_hash, hash=record.hash
        )
        previous = record.hash


def test_every_mutation_of_the_database_fails_verify_integrity_naming_the_record(
    settings,
) -> None:
    use_test_key(settings)
    make_history(RECORDS)
    ids = list(ChangeRecord.objects.order_by("id").values_list("id", flat=True))
    assert "agree" in _verify_output()
    rng = random.Random(9)
    for trial in range(10):
        kind = ["delete", "reorder", "alter", "insert", "rewrite"][trial % 5]
        with transaction.atomic():
            named = _db_mutation(kind, ids, rng)
            problems = _problems()
            assert named in problems, (kind, problems)
            transaction.set_rollback(True)
    assert "agree" in _verify_output()


def _verify_output(*args: str) -> str:
    out = StringIO()
    call_command("verify_integrity", *args, stdout=out, stderr=StringIO())
    return out.getvalue()


def test_a_rewrite_of_chain_and_tree_is_caught_by_a_kept_signed_head(
    settings, client, tmp_path
) -> None:
    use_test_key(settings)
    make_history(400)
    kept = tmp_path / "head.json"
    kept.write_text(json.dumps(client.get("/api/v1/ledger/head/").json()), encoding="utf-8")
    ids = list(ChangeRecord.objects.order_by("id").values_list("id", flat=True))
    _rewrite_from(ids[250])
    _sql(f"DELETE FROM {tree.TREE_TABLE}")
    tree.extend()
    # Consistent all through: only the head kept outside knows.
    assert "agree" in _verify_output()
    problems = _problems("--expect-head", str(kept))
    assert "the tree of 400 change records now has root" in problems
    assert json.loads(kept.read_text())["root_hash"] in problems
