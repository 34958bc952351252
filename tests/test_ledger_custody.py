"""Custody bundles: one zip per evidence item or document that the verifier checks offline."""

from __future__ import annotations

import hashlib
import io
import json
import zipfile
from io import StringIO
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command

from claims.jobs.archiving import archive_evidence, store_bytes
from claims.ledger.history import acting_as
from claims.models import Evidence
from tests.factories import DocumentFactory, EvidenceFactory
from tests.ledger_support import use_test_key, verify

pytestmark = pytest.mark.django_db
PAGE = b"<html>drone footage of the depot, as fetched</html>"


@pytest.fixture
def archived(settings, tmp_path: Path, editor) -> Evidence:
    """Evidence an editor added in the admin, then archived by the archiver."""
    settings.MEDIA_ROOT = str(tmp_path / "media")
    with acting_as(editor, "admin"):
        item = EvidenceFactory(description="Drone footage the ministry cites")
    sha256, name = store_bytes(PAGE)
    Evidence.objects.filter(pk=item.pk).update(
        archive_file=name, archive_sha256=sha256, archive_status="archived"
    )
    item.refresh_from_db()
    return item


def _bundle(tmp_path: Path, kind: str, pk: int) -> Path:
    path = tmp_path / "bundle.zip"
    call_command("custody_bundle", kind, str(pk), str(path), stdout=StringIO())
    return path


def _rewrite(path: Path, name: str, change) -> Path:
    """A copy of the bundle with one member changed by ``change``."""
    with zipfile.ZipFile(path) as old:
        members = {n: old.read(n) for n in old.namelist()}
    members[name] = change(members[name])
    out = path.with_name("altered.zip")
    with zipfile.ZipFile(out, "w") as new:
        for member, data in members.items():
            new.writestr(member, data)
    return out


def test_a_bundle_holds_bytes_records_proofs_and_an_account(
    settings, tmp_path, archived, editor
) -> None:
    public = use_test_key(settings)
    path = _bundle(tmp_path, "evidence", archived.pk)
    with zipfile.ZipFile(path) as bundle:
        names = set(bundle.namelist())
        account = bundle.read("ACCOUNT.txt").decode()
        manifest = json.loads(bundle.read("manifest.json"))
    assert {"head.json", "records.jsonl", "proofs.json", "manifest.json", "ACCOUNT.txt"} <= names
    assert manifest["files"] == {manifest["archive"]: archived.archive_sha256}
    assert f"by {editor.get_username()}, through admin" in account
    assert "No trusted timestamp" in account
    run = verify("bundle", path, "--public-key", public)
    assert run.returncode == 0, run.stdout + run.stderr
    assert f"claims_evidence {archived.pk}: 2 change records in the signed tree" in run.stdout


def test_altered_bytes_in_a_bundle_fail_the_verifier(settings, tmp_path, archived) -> None:
    public = use_test_key(settings)
    path = _bundle(tmp_path, "evidence", archived.pk)
    with zipfile.ZipFile(path) as bundle:
        archive = json.loads(bundle.read("manifest.json"))["archive"]
    altered = _rewrite(path, archive, lambda data: data.replace(b"depot", b"house"))
    run = verify("bundle", altered, "--public-key", public)
    assert run.returncode == 1
    assert f"{archive} of the bundle does not hash to" in run.stdout


def test_bytes_and_manifest_replaced_together_disagree_with_the_record(
    settings, tmp_path, archived
) -> None:
    public = use_test_key(settings)
    path = _bundle(tmp_path, "evidence", archived.pk)
    with zipfile.ZipFile(path) as bundle:
        manifest = json.loads(bundle.read("manifest.json"))
    forged = b"<html>something else</html>"
    altered = _rewrite(path, manifest["archive"], lambda _: forged)
    manifest["files"][manifest["archive"]] = hashlib.sha256(forged).hexdigest()
    altered = _rewrite(altered, "manifest.json", lambda _: json.dumps(manifest).encode())
    run = verify("bundle", altered, "--public-key", public)
    assert run.returncode == 1
    assert "the item's last change record" in run.stdout


def test_an_altered_change_record_in_a_bundle_is_named(settings, tmp_path, archived) -> None:
    public = use_test_key(settings)
    path = _bundle(tmp_path, "evidence", archived.pk)
    altered = _rewrite(path, "records.jsonl", lambda data: data.replace(b"Drone", b"Phone", 1))
    run = verify("bundle", altered, "--public-key", public)
    assert run.returncode == 1
    assert "does not match its hash" in run.stdout


def test_a_document_without_an_archive_gets_a_bundle_saying_so(settings, tmp_path) -> None:
    public = use_test_key(settings)
    document = DocumentFactory()
    path = _bundle(tmp_path, "document", document.pk)
    with zipfile.ZipFile(path) as bundle:
        assert "holds no archived copy" in bundle.read("ACCOUNT.txt").decode()
    assert verify("bundle", path, "--public-key", public).returncode == 0


def test_the_command_refuses_an_unknown_item(settings, tmp_path) -> None:
    use_test_key(settings)
    with pytest.raises(CommandError, match="There is no evidence 999"):
        call_command("custody_bundle", "evidence", "999", str(tmp_path / "x.zip"))


def test_the_api_gives_bundles_to_those_who_read_drafts_only(
    settings, archived, editor_client, api_client
) -> None:
    use_test_key(settings)
    url = f"/api/v1/ledger/custody/evidence/{archived.pk}/"
    response = editor_client.get(url)
    assert response.status_code == 200
    assert response["Content-Type"] == "application/zip"
    assert "ACCOUNT.txt" in zipfile.ZipFile(io.BytesIO(response.content)).namelist()
    assert api_client.get(url).status_code in (401, 403)
    assert editor_client.get("/api/v1/ledger/custody/evidence/99999/").status_code == 404
    assert editor_client.get("/api/v1/ledger/custody/documents/x/").status_code == 404


def test_an_archived_capture_brings_its_warc_into_the_bundle(settings, web, tmp_path) -> None:
    public = use_test_key(settings)
    evidence = EvidenceFactory(url=web.url("/page.html"), availability="published")
    archive_evidence(evidence.pk)
    evidence.refresh_from_db()
    path = _bundle(tmp_path, "evidence", evidence.pk)
    with zipfile.ZipFile(path) as bundle:
        manifest = json.loads(bundle.read("manifest.json"))
    assert f"archive/{evidence.archive_sha256}.warc.gz" in manifest["files"]
    run = verify("bundle", path, "--public-key", public)
    assert run.returncode == 0, run.stdout + run.stderr
    assert "2 files as recorded" in run.stdout
