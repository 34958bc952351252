"""Datasets: export and import with natural keys, validated whole, byte-identical round trips."""

from __future__ import annotations

import io
import json

import pytest
from django.contrib.auth import get_user_model
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import CommandError, call_command
from django.urls import reverse

from claims.devdata.demo import load_demo
from claims.exchange import dataset as imports
from claims.exchange.importer import import_rows, import_text
from claims.exchange.jobs import start_import
from claims.models import (
    Attribution,
    CasualtyFigure,
    Claim,
    ClaimTarget,
    Evidence,
    ImportJob,
    Incident,
    Response,
)
from claims.record.workflow import OPERATOR
from sources.models import Actor, Affiliation, Alias, Document

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _fresh_content_types() -> None:
    """A transactional test in the same process may have emptied and refilled the content types
    under new ids; admin log entries must not use ids cached before that."""
    from django.contrib.contenttypes.models import ContentType

    ContentType.objects.clear_cache()


def export() -> str:
    """The dataset's records, without the head line every export starts with: the head names
    this database's tree, which an import into another database does not reproduce."""
    out = io.StringIO()
    imports.export_dataset(out=out)
    return without_head(out.getvalue())


def without_head(text: str) -> str:
    head, _, records = text.partition("\n")
    assert json.loads(head)["type"] == "head", head
    return records


def empty_the_database() -> None:
    for model in (Response, Attribution, CasualtyFigure, ClaimTarget, Evidence, Claim):
        model.objects.all().delete()
    for model in (Incident, Document, Affiliation, Alias, Actor):
        model.objects.all().delete()


def row_count() -> int:
    models = (Actor, Alias, Affiliation, Document, Incident, Claim, Response, Evidence)
    return sum(model.objects.count() for model in models)


def test_the_demo_round_trips_byte_identically_through_an_empty_database():
    load_demo()
    first = export()
    empty_the_database()
    assert row_count() == 0
    outcome = import_text(first, name="demo.jsonl", by=OPERATOR)
    assert outcome.ok, outcome.errors
    assert export() == first
    assert Claim.objects.get(summary__startswith="The White Helmets, through").figures.count() == 2


def test_the_commands_round_trip_the_demo_byte_identically(tmp_path):
    load_demo()
    first, second = tmp_path / "first.jsonl", tmp_path / "second.jsonl"
    call_command("export_dataset", "-o", str(first), verbosity=0)
    empty_the_database()
    call_command("import_dataset", str(first), verbosity=0)
    stdout = io.StringIO()
    call_command("export_dataset", stdout=stdout, verbosity=0)
    exported = without_head(first.read_text(encoding="utf-8"))
    assert without_head(stdout.getvalue()).encode() == exported.encode()
    call_command("export_dataset", "-o", str(second), verbosity=0)
    assert without_head(second.read_text(encoding="utf-8")) == exported


def test_importing_the_same_file_twice_adds_nothing():
    load_demo()
    text = export()
    before = row_count()
    outcome = import_text(text, name="demo.jsonl", by=OPERATOR)
    assert outcome.ok
    assert sum(outcome.created.values()) == 0
    assert row_count() == before


def test_one_bad_row_writes_nothing_and_names_the_row():
    load_demo()
    lines = export().splitlines()
    empty_the_database()
    bad = next(n for n, line in enumerate(lines) if '"as_stated":"over 150"' in line)
    record = json.loads(lines[bad])
    record["figures"][1]["high"] = 10  # "more than 150" with a high of 10
    lines[bad] = json.dumps(record)
    outcome = import_text("\n".join(lines), name="demo.jsonl", by=OPERATOR)
    assert outcome.errors == [
        {
            "line": bad + 1,
            "reason": 'figures[2]: high: "At least" and "more than" give a low and no high.',
        }
    ]
    assert row_count() == 0


def test_every_bad_row_is_reported_with_its_line_number():
    text = "\n".join(
        [
            '{"type":"actor","slug":"ok","name":"Fine","kind":"state"}',
            '{"type":"actor","slug":"bad","name":"Bad","kind":"wizard"}',
            "not json at all",
            '{"type":"incident","slug":"i","title":"I","start_on":"2017-13-01"}',
            '{"type":"claim","uid":"5b0c6c43-54ae-4b8a-8a37-0d1b3c1f0b9e","speaker":"nobody",'
            '"kind":"other","summary":"s","made_on":"2017-09-26"}',
        ]
    )
    rows, errors = imports.read_rows(text, name="x.jsonl")
    assert errors == [{"line": 3, "reason": "not valid JSON (Expecting value)"}]
    outcome = import_rows(rows, by=OPERATOR)
    assert [e["line"] for e in outcome.errors] == [2, 4, 5]
    assert "kind" in outcome.errors[0]["reason"]
    assert "start_on" in outcome.errors[1]["reason"]
    assert "actor 'nobody'" in outcome.errors[2]["reason"]
    assert not Actor.objects.exists()


def test_a_csv_file_imports_with_list_columns_as_json():
    text = (
        "type,slug,name,kind,aliases,uid,speaker,summary,made_on,targets\n"
        'actor,mod,Ministry,state_body,"[[""MoD"",""en""]]",,,,,\n'
        "actor,wh,White Helmets,organisation,,,,,,\n"
        "claim,,,other,,0b0c6c43-54ae-4b8a-8a37-0d1b3c1f0b9e,mod,The Ministry says so.,"
        '2017-09-26,"[[""wh"",""subject""]]"\n'
    )
    outcome = import_text(text, name="data.csv", by=OPERATOR)
    assert outcome.ok, outcome.errors
    claim = Claim.objects.get()
    assert claim.speaker.aliases.get().name == "MoD"
    assert claim.claim_targets.get().actor.slug == "wh"


def test_the_command_lists_bad_rows_and_fails(tmp_path):
    path = tmp_path / "bad.jsonl"
    path.write_text('{"type":"actor","slug":"a","name":"A","kind":"state"}\n{"type":"planet"}\n')
    stderr = io.StringIO()
    with pytest.raises(CommandError, match="1 bad rows"):
        call_command("import_dataset", str(path), stderr=stderr, verbosity=0)
    assert "line 2: unknown record type 'planet'" in stderr.getvalue()
    assert not Actor.objects.exists()


def test_a_dry_run_checks_and_writes_nothing(tmp_path):
    path = tmp_path / "ok.jsonl"
    path.write_text('{"type":"actor","slug":"a","name":"A","kind":"state"}\n')
    stdout = io.StringIO()
    call_command("import_dataset", str(path), "--dry-run", stdout=stdout, verbosity=1)
    assert "valid" in stdout.getvalue()
    assert not Actor.objects.exists()


@pytest.fixture
def superuser():
    return get_user_model().objects.create_superuser("root", "root@example.org", "pw")


def test_an_upload_through_the_api_is_imported_and_reports_progress(
    api_client, superuser, archive_storage, django_capture_on_commit_callbacks
):
    load_demo()
    text = export().encode()
    empty_the_database()
    api_client.force_authenticate(superuser)
    upload = SimpleUploadedFile("demo.jsonl", text, content_type="application/x-ndjson")
    with django_capture_on_commit_callbacks(execute=True):
        answer = api_client.post("/api/v1/imports/", {"file": upload}, format="multipart")
    assert answer.status_code == 202, answer.json()
    job = api_client.get(f"/api/v1/imports/{answer.json()['id']}/").json()
    assert job["status"] == "done"
    assert job["percent"] == 100
    assert job["total_rows"] == len(text.splitlines())
    assert job["created"]["claims"] == 10
    assert Claim.objects.count() == 10


def test_the_admin_import_page_shows_progress_and_bad_rows(
    admin_client, archive_storage, django_capture_on_commit_callbacks
):
    upload = SimpleUploadedFile("bad.jsonl", b'{"type":"actor","slug":"a","name":"A"}\n')
    with django_capture_on_commit_callbacks(execute=True):
        answer = admin_client.post(reverse("admin:claims_import_upload"), {"file": upload})
    job = ImportJob.objects.get()
    assert answer.url == reverse("admin:claims_import_progress", args=[job.pk])
    page = admin_client.get(answer.url)
    assert b"<progress" in page.content
    assert b"Line 1: kind" in page.content
    status = admin_client.get(reverse("admin:claims_import_status", args=[job.pk])).json()
    assert status["status"] == "invalid"
    assert status["finished"] is True
    assert status["errors"][0]["line"] == 1
    assert not Actor.objects.exists()


def test_an_import_job_run_twice_imports_once(archive_storage, editor):
    upload = SimpleUploadedFile(
        "a.jsonl", b'{"type":"actor","slug":"a","name":"A","kind":"state"}\n'
    )
    job = start_import(upload=upload, user=editor)
    from claims.exchange.jobs import run_import

    assert run_import(job.pk) == "done"
    assert run_import(job.pk) == "done"
    assert Actor.objects.count() == 1


def test_editors_may_upload_a_dataset_through_the_api(editor_client, archive_storage):
    upload = SimpleUploadedFile(
        "a.jsonl", b'{"type":"actor","slug":"a","name":"A","kind":"state"}\n'
    )
    answer = editor_client.post("/api/v1/imports/", {"file": upload}, format="multipart")
    assert answer.status_code == 202
    assert ImportJob.objects.get().created_by.username == "editor"


def test_the_progress_page_script_runs_under_the_content_security_policy(
    admin_client, archive_storage
):
    job = start_import(upload=SimpleUploadedFile("a.jsonl", b""))
    page = admin_client.get(reverse("admin:claims_import_progress", args=[job.pk]))
    policy = page.headers["Content-Security-Policy"]
    nonce = policy.split("'nonce-", 1)[1].split("'", 1)[0]
    assert f'<script nonce="{nonce}">'.encode() in page.content
