"""Archiving documents and evidence: exact bytes by SHA-256, statuses, retries, periodic checks."""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

import pytest
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.core.management import CommandError, call_command
from django.urls import reverse
from warcio.archiveiterator import ArchiveIterator

from claims.jobs import archiving
from claims.jobs.archiving import archive_document, retry_failed_archives, verify_archives
from claims.ledger.custody import warc_name
from claims.models import Evidence
from sources.models import ArchiveCheck, Document
from tests.factories import ActorFactory, DocumentFactory, EvidenceFactory

Status = Document.ArchiveStatus
pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _fresh_content_types() -> None:
    """A transactional test in the same process may have emptied and refilled the content types
    under new ids; admin log entries must not use ids cached before that."""
    from django.contrib.contenttypes.models import ContentType

    ContentType.objects.clear_cache()


def stored_files(root: Path) -> list[Path]:
    """The raw copies kept (each capture's WARC is the item's own, under archive/warc/)."""
    return [p for p in root.rglob("*") if p.is_file() and "warc" not in p.parts]


@pytest.fixture
def admin_editor(admin_client):
    return admin_client


def test_saving_a_document_in_the_admin_archives_its_url(
    admin_client, web, django_capture_on_commit_callbacks, archive_storage
):
    publisher = ActorFactory(kind="media_outlet")
    form = {
        "title": "A report",
        "url": web.url("/page.html"),
        "publisher": publisher.pk,
        "kind": "article",
        "language": "en",
        "published_precision": "day",
    }
    with django_capture_on_commit_callbacks(execute=True):
        answer = admin_client.post(reverse("admin:sources_document_add"), form)
    assert answer.status_code == 302
    document = Document.objects.get(title="A report")
    body = web.PAGE_HTML.encode()
    assert document.archive_status == Status.ARCHIVED
    assert document.archive_sha256 == hashlib.sha256(body).hexdigest()
    assert document.archive_size == len(body)
    assert document.archive_content_type == "text/html; charset=utf-8"
    assert document.archive_final_url == web.url("/page.html")
    assert document.archive_http_status == 200
    assert document.archived_at is not None
    with default_storage.open(document.archive_file.name, "rb") as stored:
        assert stored.read() == body


def test_the_same_bytes_are_stored_once(web, archive_storage):
    first = DocumentFactory(url=web.url("/page.html"))
    second = DocumentFactory(url=web.url("/redirect?to=/page.html"))
    archive_document(first.pk)
    archive_document(second.pk)
    first.refresh_from_db()
    second.refresh_from_db()
    assert first.archive_file.name == second.archive_file.name
    assert second.archive_final_url == web.url("/page.html")
    assert len(stored_files(archive_storage)) == 1


def test_archiving_twice_fetches_and_stores_once(web, archive_storage):
    document = DocumentFactory(url=web.url("/text"))
    archive_document(document.pk)
    archive_document(document.pk)
    assert len(web.recorder.requests) == 1
    assert len(stored_files(archive_storage)) == 1


def test_a_blocked_url_is_recorded_with_its_reason_and_not_retried(web, archive_storage):
    document = DocumentFactory(url="http://169.254.169.254/latest/meta-data/")
    archive_document(document.pk)
    document.refresh_from_db()
    assert document.archive_status == Status.BLOCKED
    assert "metadata" in document.archive_error
    assert document.archive_attempts == 1
    assert retry_failed_archives() == 0


def test_server_errors_are_retried_until_the_server_recovers(web, archive_storage):
    document = DocumentFactory(url=web.url("/flaky/2"))
    archive_document.delay(document.pk)
    document.refresh_from_db()
    assert document.archive_status == Status.ARCHIVED
    assert document.archive_attempts == 3
    assert len(web.recorder.requests) == 3


def test_an_archive_that_keeps_failing_is_marked_failed_after_the_last_retry(
    web, archive_storage, settings
):
    document = DocumentFactory(url=web.url("/status/503"))
    archive_document.delay(document.pk)
    document.refresh_from_db()
    assert document.archive_status == Status.FAILED
    assert "gave up after retries" in document.archive_error
    assert len(web.recorder.requests) == settings.JOBS_MAX_RETRIES + 1


def test_a_client_error_fails_at_once(web, archive_storage):
    evidence = EvidenceFactory(url=web.url("/status/404"), availability="published")
    archiving.archive_item(item=evidence)
    evidence.refresh_from_db()
    assert evidence.archive_status == Status.FAILED
    assert "404" in evidence.archive_error


def test_evidence_saved_in_the_admin_is_archived(
    admin_client, web, django_capture_on_commit_callbacks, archive_storage
):
    evidence = EvidenceFactory()
    form = {
        "claim": evidence.claim_id,
        "relation": "cited",
        "kind": "video",
        "description": "Footage",
        "url": web.url("/text"),
        "availability": "published",
    }
    with django_capture_on_commit_callbacks(execute=True):
        answer = admin_client.post(
            reverse("admin:claims_evidence_change", args=[evidence.pk]), form
        )
    assert answer.status_code == 302, answer.context["adminform"].form.errors
    evidence.refresh_from_db()
    assert evidence.archive_status == Status.ARCHIVED
    assert evidence.archive_sha256 == hashlib.sha256(b"plain words").hexdigest()


def test_rehashing_flags_a_stored_copy_whose_bytes_changed(web, archive_storage):
    intact = DocumentFactory(url=web.url("/text"))
    altered = DocumentFactory(url=web.url("/page.html"))
    archive_document(intact.pk)
    archive_document(altered.pk)
    altered.refresh_from_db()
    path = Path(default_storage.path(altered.archive_file.name))
    path.write_bytes(b"something else")
    counts = verify_archives()
    altered.refresh_from_db()
    assert counts == {"checked": 2, "mismatched": 1, "missing": 0}
    assert altered.archive_status == Status.MISMATCH
    assert "now hashes to" in altered.archive_error
    assert Document.objects.get(pk=intact.pk).archive_status == Status.ARCHIVED
    check = ArchiveCheck.objects.get()
    assert (check.checked, check.intact, check.mismatched) == (2, 1, 1)


def test_failed_archives_are_queued_again_and_blocked_ones_are_not(
    web, archive_storage, django_capture_on_commit_callbacks
):
    failed = DocumentFactory(url=web.url("/text"), archive_status=Status.FAILED)
    blocked = DocumentFactory(url="http://10.0.0.1/", archive_status=Status.BLOCKED)
    with django_capture_on_commit_callbacks(execute=True):
        queued = retry_failed_archives()
    assert queued == 1
    assert Document.objects.get(pk=failed.pk).archive_status == Status.ARCHIVED
    assert Document.objects.get(pk=blocked.pk).archive_status == Status.BLOCKED


def test_the_admin_shows_the_counts_of_the_periodic_checks(admin_client, archive_storage):
    DocumentFactory(url="https://example.org/x", archive_status=Status.FAILED)
    ContentFile(b"")  # nothing stored: the check finds no archived rows
    verify_archives()
    answer = admin_client.get(reverse("admin:sources_archivecheck_changelist"))
    assert answer.status_code == 200
    assert b"failed: 1" in answer.content
    assert b"re-hash archived files" in answer.content


def test_evidence_without_url_has_nothing_to_archive(archive_storage):
    evidence = EvidenceFactory()
    archiving.request_archive(item=evidence)
    assert Evidence.objects.get(pk=evidence.pk).archive_status == Status.NONE


def test_the_verify_command_reports_altered_files_and_a_dry_run_flags_nothing(web, archive_storage):
    document = DocumentFactory(url=web.url("/text"))
    archive_document(document.pk)
    document.refresh_from_db()
    Path(default_storage.path(document.archive_file.name)).write_bytes(b"tampered")
    with pytest.raises(CommandError, match="1 altered"):
        call_command("verify_archives", "--dry-run", verbosity=0)
    assert status_of(document) == Status.ARCHIVED
    assert not ArchiveCheck.objects.exists()
    with pytest.raises(CommandError, match="1 altered"):
        call_command("verify_archives", verbosity=0)
    assert status_of(document) == Status.MISMATCH
    assert ArchiveCheck.objects.get().mismatched == 1


def status_of(document: Document) -> str:
    return Document.objects.values_list("archive_status", flat=True).get(pk=document.pk)


def test_each_capture_is_also_a_warc_naming_its_item(web, archive_storage):
    evidence = EvidenceFactory(url=web.url("/page.html"), availability="published")
    archiving.archive_evidence(evidence.pk)
    evidence.refresh_from_db()
    with default_storage.open(warc_name(evidence, evidence.archive_sha256), "rb") as stored:
        records = {r.rec_type: r for r in _read_all(ArchiveIterator(stored))}
    response, request, metadata = records["response"], records["request"], records["metadata"]
    assert response.body == web.PAGE_HTML.encode()
    assert response.status_line.startswith("200")
    assert response.headers["content-type"] == "text/html; charset=utf-8"
    assert request.status_line == "GET /page.html HTTP/1.1"
    assert metadata.body["claim"] == evidence.claim_id
    assert metadata.body["sha256"] == evidence.archive_sha256
    assert metadata.uri == response.uri == web.url("/page.html")


class _Read:
    def __init__(self, record) -> None:
        self.rec_type = record.rec_type
        self.uri = record.rec_headers.get_header("WARC-Target-URI")
        http = record.http_headers
        # warcio reads a request's method as its "protocol", the rest as its status line.
        line = f"{http.protocol} {http.statusline}" if self.rec_type == "request" else ""
        self.status_line = line or (http.statusline if http else "")
        self.headers = {k.lower(): v for k, v in http.headers} if http else {}
        data = record.content_stream().read()
        self.body = json.loads(data) if self.rec_type == "metadata" else data


def _read_all(records):
    return [_Read(r) for r in records]
