"""Every import ends done, invalid or failed, with a reason its uploader can act on: files that
are not UTF-8, empty or too large are refused at every door, a job is run by one run at a time,
and whatever breaks inside an import ends its job with a message, never a stuck row."""

from __future__ import annotations

import datetime as dt
import io
import logging

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import CommandError, call_command
from django.utils import timezone

from claims.exchange import jobs
from claims.exchange.jobs import run_import, start_import
from claims.models import ImportJob
from sources.models import Actor
from tests.problems import fields

pytestmark = pytest.mark.django_db

ACTOR = '{"type":"actor","slug":"mod","name":"Ministry of Defence","kind":"state_body"}\n'
ACCENTED = (
    '{"type":"actor","slug":"dgsn","name":"Direction générale de la Sûreté nationale",'
    '"kind":"state_body"}\n'
)
# Curly quotes: bytes 0x93 and 0x94 in Windows-1252, which Latin-1 has only as control codes.
CURLY = '{"type":"actor","slug":"a","name":"The \u201cgroup\u201d","kind":"state_body"}\n'
NOT_UTF8 = {
    "latin-1": (ACCENTED.encode("latin-1"), "Latin-1 (ISO-8859-1) or Windows-1252"),
    "windows-1252": (CURLY.encode("cp1252"), "it looks like Windows-1252"),
    "utf-16": (ACTOR.encode("utf-16"), "it is UTF-16"),
    "utf-16 without a mark": (ACTOR.encode("utf-16-le"), "UTF-16 without a byte-order mark"),
}


def upload(client, data: bytes, name: str = "records.jsonl"):
    file = SimpleUploadedFile(name, data, "application/x-ndjson")
    return client.post("/api/v1/imports/", {"file": file}, format="multipart")


@pytest.mark.parametrize("encoding", NOT_UTF8)
def test_an_upload_that_is_not_utf8_is_refused_at_the_api_naming_its_encoding(
    editor_client, archive_storage, django_capture_on_commit_callbacks, encoding
):
    data, named = NOT_UTF8[encoding]
    with django_capture_on_commit_callbacks(execute=True):
        answer = upload(editor_client, data)
    assert answer.status_code == 400, answer.content
    [message] = fields(answer)["file"]
    assert "not UTF-8" in message or "NUL bytes" in message
    assert named in message
    assert "save it as UTF-8" in message
    assert not ImportJob.objects.exists()  # no job left queued for ever


@pytest.mark.parametrize("encoding", NOT_UTF8)
def test_a_job_whose_file_is_not_utf8_ends_invalid_with_the_reason(archive_storage, encoding):
    data, named = NOT_UTF8[encoding]
    job = start_import(upload=SimpleUploadedFile("records.jsonl", data))  # past the doors
    assert run_import(job.pk) == "invalid"
    job.refresh_from_db()
    assert job.is_finished
    assert named in job.message
    assert "save it as UTF-8" in job.message
    assert not Actor.objects.exists()


def test_a_utf8_file_with_a_byte_order_mark_imports(archive_storage, editor):
    upload = SimpleUploadedFile("a.jsonl", ACCENTED.encode("utf-8-sig"))
    job = start_import(upload=upload, user=editor)
    assert run_import(job.pk) == "done"
    assert Actor.objects.get().name == "Direction générale de la Sûreté nationale"


@pytest.mark.parametrize("encoding", NOT_UTF8)
def test_the_command_refuses_a_file_that_is_not_utf8_with_the_reason(tmp_path, encoding):
    data, named = NOT_UTF8[encoding]
    path = tmp_path / "records.jsonl"
    path.write_bytes(data)
    with pytest.raises(CommandError) as refused:
        call_command("import_dataset", str(path), verbosity=0, stderr=io.StringIO())
    assert named in str(refused.value)
    assert "save it as UTF-8" in str(refused.value)
    assert not Actor.objects.exists()


def test_the_command_says_an_empty_file_is_empty(tmp_path):
    path = tmp_path / "empty.jsonl"
    path.write_bytes(b"")
    with pytest.raises(CommandError, match="the file is empty"):
        call_command("import_dataset", str(path), verbosity=0, stdout=io.StringIO())


def test_a_file_of_blank_lines_is_empty_too(tmp_path):
    path = tmp_path / "blank.jsonl"
    path.write_bytes(b"\n\n  \n")
    with pytest.raises(CommandError, match="the file is empty"):
        call_command("import_dataset", str(path), verbosity=0, stdout=io.StringIO())


def test_the_api_says_an_empty_file_is_empty(editor_client, archive_storage):
    answer = upload(editor_client, b"")
    assert answer.status_code == 400
    assert "empty" in fields(answer)["file"][0]
    assert not ImportJob.objects.exists()


def test_an_empty_file_given_to_a_job_ends_invalid_saying_so(archive_storage):
    job = start_import(upload=SimpleUploadedFile("a.jsonl", b""))
    assert run_import(job.pk) == "invalid"
    job.refresh_from_db()
    assert job.message == "the file is empty: it holds no records"


def test_an_upload_over_the_limit_answers_413_with_the_limit(
    editor_client, archive_storage, settings
):
    settings.IMPORT_MAX_BYTES = 100
    answer = upload(editor_client, ACTOR.encode() * 3)
    assert answer.status_code == 413
    body = answer.json()
    assert body["max_bytes"] == 100
    assert "limited to 0.0 MB (100 bytes, IMPORT_MAX_BYTES)" in body["detail"]
    assert body["file"] == [body["detail"]]
    assert body["request_id"] == answer["X-Request-ID"]
    assert not ImportJob.objects.exists()


def test_an_upload_at_the_limit_is_accepted(editor_client, archive_storage, settings):
    settings.IMPORT_MAX_BYTES = len(ACTOR)
    assert upload(editor_client, ACTOR.encode()).status_code == 202


def test_a_request_body_far_over_the_limit_is_refused_before_it_is_read(
    editor_client, archive_storage, settings
):
    settings.IMPORT_MAX_BYTES = 10
    answer = upload(editor_client, b"x" * 200_000)
    assert answer.status_code == 413
    assert "the upload is 0.2 MB" in answer.json()["detail"]


def test_the_command_refuses_a_file_over_the_limit(tmp_path, settings):
    settings.IMPORT_MAX_BYTES = 10
    path = tmp_path / "big.jsonl"
    path.write_text(ACTOR)
    with pytest.raises(CommandError, match=r"IMPORT_MAX_BYTES"):
        call_command("import_dataset", str(path), verbosity=0)
    assert not Actor.objects.exists()


def test_the_admin_form_refuses_a_file_that_is_not_utf8_at_its_field(admin_client, archive_storage):
    from django.urls import reverse

    file = SimpleUploadedFile("a.jsonl", ACCENTED.encode("latin-1"))
    page = admin_client.post(reverse("admin:claims_import_upload"), {"file": file})
    assert page.status_code == 200
    assert "save it as UTF-8" in str(page.context["form"].errors["file"])
    assert not ImportJob.objects.exists()


def test_an_import_that_breaks_ends_failed_with_a_message_and_logs_the_traceback(
    archive_storage, monkeypatch, caplog
):
    def broken(*args, **kwargs):
        raise RuntimeError("a bug in the importer")

    monkeypatch.setattr(jobs, "import_rows", broken)
    job = start_import(upload=SimpleUploadedFile("a.jsonl", ACTOR.encode()))
    with caplog.at_level(logging.ERROR, logger="claims.exchange.jobs"):
        assert run_import(job.pk) == "failed"
    job.refresh_from_db()
    assert job.finished_at is not None
    assert "nothing was written" in job.message
    assert "Traceback" not in job.message
    assert "RuntimeError" not in job.message
    assert "a bug in the importer" in caplog.text  # the log has it, the uploader does not


def test_the_api_shows_why_an_import_ended(api_client, admin_user, archive_storage):
    job = start_import(upload=SimpleUploadedFile("a.jsonl", b""))
    run_import(job.pk)
    api_client.force_authenticate(admin_user)
    answer = api_client.get(f"/api/v1/imports/{job.pk}/")
    assert answer.json()["status"] == "invalid"
    assert answer.json()["message"] == "the file is empty: it holds no records"


def test_a_job_another_run_has_taken_is_not_run_again(archive_storage, editor):
    job = start_import(upload=SimpleUploadedFile("a.jsonl", ACTOR.encode()), user=editor)
    ImportJob.objects.filter(pk=job.pk).update(status="validating", started_at=timezone.now())
    assert run_import(job.pk) == "validating"  # a second message for a job being run
    assert not Actor.objects.exists()


def test_a_job_whose_run_died_is_run_again_once_its_time_limit_has_passed(
    archive_storage, settings, editor
):
    job = start_import(upload=SimpleUploadedFile("a.jsonl", ACTOR.encode()), user=editor)
    long_ago = timezone.now() - dt.timedelta(seconds=settings.CELERY_TASK_TIME_LIMIT + 1)
    ImportJob.objects.filter(pk=job.pk).update(status="importing", started_at=long_ago, attempts=1)
    assert run_import(job.pk) == "done"
    job.refresh_from_db()
    assert job.attempts == 2
    assert Actor.objects.count() == 1
