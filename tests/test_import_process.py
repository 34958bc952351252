"""Importing in a process of its own: what the import loads besides the rows it writes."""

from __future__ import annotations

import io
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.urls import resolve

from claims.exchange.importer import import_rows
from claims.exchange.package_reader import read_stream
from claims.models import Claim, OutboxEvent
from claims.record.workflow import OPERATOR
from tests.test_import_memory import dataset

pytestmark = pytest.mark.django_db
ROOT = Path(__file__).resolve().parents[1]

# A fresh interpreter: the database made for it, then the command an operator runs, and what
# the import left in sys.modules. migrate skips the system checks, which load the URL map.
IMPORT = """
import json, sys
import django
django.setup()
from django.core.management import call_command
call_command("migrate", verbosity=0, skip_checks=True)
before = "spacy" in sys.modules
call_command("import_dataset", sys.argv[1], verbosity=0)
print(json.dumps({"before": before, "after": "spacy" in sys.modules}))
"""


def test_importing_a_file_does_not_load_spacy(tmp_path):
    # The editor assistant's spaCy, some 60 MB of a process's memory, came with the first URL a
    # published claim's event asked for: resolving the project's URL map imports every door.
    upload = tmp_path / "data.jsonl"
    upload.write_bytes(dataset(4))
    env = {k: v for k, v in os.environ.items() if k != "CELERY_BROKER_URL"}
    env |= {
        "DATABASE_URL": f"sqlite:///{tmp_path / 'import.sqlite3'}",
        "SECRET_KEY": "test-only-not-secret",
        "DEBUG": "false",
        "DJANGO_SETTINGS_MODULE": "claimtracker.settings",
        "PYTHONPATH": str(ROOT),
    }
    run = subprocess.run(
        [sys.executable, "-c", IMPORT, str(upload)],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )
    assert run.returncode == 0, run.stderr[-2000:]
    loaded = json.loads(run.stdout.strip().splitlines()[-1])
    assert loaded == {"before": False, "after": False}


def test_an_imported_claims_event_links_to_its_page():
    # The event's URL comes from the pages' own URL map: it is the claim's page in the whole.
    rows, _ = read_stream(io.BytesIO(dataset(2)), name="data.jsonl")
    assert import_rows(rows, by=OPERATOR).ok
    for event in OutboxEvent.objects.filter(event_type="claim.published"):
        claim = Claim.objects.get(uid=event.payload["claim"]["uid"])
        assert event.payload["claim"]["url"] == claim.get_absolute_url()
        assert resolve(event.payload["claim"]["url"]).url_name == "claim-detail"
    assert OutboxEvent.objects.filter(event_type="claim.published").count() == 2
