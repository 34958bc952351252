"""The standalone dataset check: a dataset export is exactly the record the history describes up
to the signed head it names, and any change to its rows, or a head of another time, fails."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest
from django.core.management import call_command

from claims.devdata.demo import load_demo
from tests.factories import ActorFactory
from tests.ledger_support import use_test_key

pytestmark = pytest.mark.django_db
CHECKER = Path(__file__).resolve().parents[1] / "verifier" / "claimtracker_verify_dataset.py"


def check(dataset: Path, ledger: Path, key: str) -> subprocess.CompletedProcess[str]:
    """As an outsider runs it: its own process, no Django, no settings."""
    return subprocess.run(
        [sys.executable, "-I", str(CHECKER), str(dataset), "--history", str(ledger),
         "--public-key", key],
        capture_output=True, text=True, check=False, env={"PATH": "/usr/bin:/bin"},
    )  # fmt: skip


@pytest.fixture
def exported(settings, tmp_path) -> tuple[Path, Path, str]:
    key = use_test_key(settings)
    load_demo()
    dataset = tmp_path / "dataset.jsonl"
    call_command("export_dataset", "-o", str(dataset), verbosity=0)
    ActorFactory(slug="written-after-the-export")  # the ledger runs on past the dataset's head
    ledger = tmp_path / "ledger.jsonl"
    call_command("export_ledger", str(ledger), verbosity=0)
    return dataset, ledger, key


def rewrite(dataset: Path, change) -> None:
    lines = dataset.read_text(encoding="utf-8").split("\n")
    dataset.write_text("\n".join(change(lines)), encoding="utf-8")


def test_a_dataset_checks_out_against_the_history_up_to_its_head(exported):
    run = check(*exported)
    assert run.returncode == 0, run.stdout + run.stderr
    assert "records are exactly the record at the signed head" in run.stdout


def test_a_changed_figure_fails(exported):
    dataset, ledger, key = exported
    rewrite(dataset, lambda lines: [line.replace('"low":152', '"low":153') for line in lines])
    run = check(dataset, ledger, key)
    assert run.returncode == 1
    assert "differs from its last change record up to the head" in run.stdout


def test_a_dropped_row_fails(exported):
    dataset, ledger, key = exported
    rewrite(dataset, lambda lines: [line for line in lines if '"type":"response"' not in line][:])
    run = check(dataset, ledger, key)
    assert run.returncode == 1
    assert "is in the record at the head but not in the dataset" in run.stdout


def test_an_added_row_fails(exported):
    dataset, ledger, key = exported
    added = {"type": "actor", "slug": "invented", "name": "Invented", "kind": "state"}
    added |= {"country": "", "description": "", "wikidata_id": "", "aliases": []}
    rewrite(dataset, lambda lines: [*lines[:-1], json.dumps(added), ""])
    run = check(dataset, ledger, key)
    assert run.returncode == 1
    assert "actor invented is in the dataset but not in the record at the head" in run.stdout


def test_a_dataset_under_the_head_of_another_time_fails(exported, tmp_path):
    dataset, ledger, key = exported
    later = tmp_path / "later.jsonl"
    call_command("export_dataset", "-o", str(later), verbosity=0)
    newer_head = later.read_text(encoding="utf-8").split("\n")[0]
    rewrite(dataset, lambda lines: [newer_head, *lines[1:]])
    run = check(dataset, ledger, key)
    assert run.returncode == 1
    assert "written-after-the-export is in the record at the head but not in the dataset" in (
        run.stdout
    )
