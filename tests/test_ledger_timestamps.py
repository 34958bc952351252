"""RFC 3161 trusted timestamps for signed heads and archived copies, from an authority made in
the test and served on loopback: stored when they verify, flagged when they do not, checked
again by verify_integrity."""

from __future__ import annotations

import zipfile
from io import StringIO
from pathlib import Path

import pytest
from django.core.files.storage import default_storage
from django.core.management import CommandError, call_command

from claims.jobs import fetching
from claims.jobs.archiving import store_bytes
from claims.jobs.timestamps import stamp, stamp_latest_head, stamp_subject
from claims.ledger import heads
from claims.models import TrustedTimestamp
from tests.factories import ActorFactory, DocumentFactory
from tests.ledger_support import use_test_key
from tests.tsa import make_authority, serving

pytestmark = pytest.mark.django_db
Status = TrustedTimestamp.Status


@pytest.fixture(scope="module")
def authority(tmp_path_factory) -> Path:
    return make_authority(tmp_path_factory.mktemp("tsa"))


@pytest.fixture
def tsa(settings, authority) -> str:
    with serving(authority) as url:
        settings.TSA_URL, settings.TSA_CA_FILE = url, str(authority / "ca.crt")
        yield url


def _archived_document(settings, tmp_path: Path):
    settings.MEDIA_ROOT = str(tmp_path / "media")
    sha256, name = store_bytes(b"<html>the ministry's statement, as fetched</html>")
    return DocumentFactory(archive_file=name, archive_sha256=sha256, archive_status="archived")


def test_a_signed_head_is_stamped_and_the_token_verifies(settings, tsa) -> None:
    use_test_key(settings)
    ActorFactory.create_batch(3)
    assert stamp_latest_head() == Status.GOOD
    kept = TrustedTimestamp.objects.get()
    assert kept.subject == "head"
    assert kept.subject_id == heads.latest().pk
    assert kept.gen_time
    # Run twice, it keeps one good stamp of the same bytes.
    assert stamp_latest_head() is None
    assert TrustedTimestamp.objects.count() == 1


def test_an_archived_copy_is_stamped_and_verify_integrity_checks_it_again(
    settings, tsa, tmp_path
) -> None:
    document = _archived_document(settings, tmp_path)
    assert stamp("sources_document", document.pk) == Status.GOOD
    call_command("verify_integrity", stdout=StringIO(), stderr=StringIO())
    with default_storage.open(document.archive_file.name, "wb") as stored:
        stored.write(b"<html>a statement rewritten later</html>")
    err = StringIO()
    with pytest.raises(CommandError):
        call_command("verify_integrity", stdout=StringIO(), stderr=err)
    stamp_id = TrustedTimestamp.objects.get().pk
    assert f"the time-stamp #{stamp_id} of sources_document {document.pk} no longer holds" in (
        err.getvalue()
    )


def test_a_token_from_an_authority_we_do_not_trust_is_flagged_not_kept_as_good(
    settings, tsa, tmp_path
) -> None:
    other = make_authority(tmp_path / "other", name="Someone Else")
    settings.TSA_CA_FILE = str(other / "ca.crt")
    document = _archived_document(settings, tmp_path)
    kept = stamp_subject("sources_document", document.pk)
    assert kept.status == Status.FAILED
    assert "does not verify" in kept.problem
    assert not TrustedTimestamp.objects.filter(status=Status.GOOD).exists()


def test_an_authority_that_does_not_answer_is_retried(settings, tmp_path) -> None:
    settings.TSA_URL, settings.TSA_CA_FILE = "http://127.0.0.1:9/", "unused.pem"
    document = _archived_document(settings, tmp_path)
    with pytest.raises(fetching.Unavailable, match="did not answer"):
        stamp_subject("sources_document", document.pk)
    assert stamp.autoretry_for == (fetching.Unavailable,)
    assert not TrustedTimestamp.objects.exists()


def test_without_an_authority_nothing_is_stamped_and_verify_integrity_says_so(
    settings, tmp_path
) -> None:
    settings.TSA_URL = ""
    document = _archived_document(settings, tmp_path)
    assert stamp("sources_document", document.pk) is None
    out = StringIO()
    call_command("verify_integrity", stdout=out, stderr=StringIO())
    assert "nothing is stamped" in out.getvalue()
    assert not TrustedTimestamp.objects.exists()


def test_a_custody_bundle_carries_the_archives_token(settings, tsa, tmp_path) -> None:
    use_test_key(settings)
    document = _archived_document(settings, tmp_path)
    stamp("sources_document", document.pk)
    path = tmp_path / "bundle.zip"
    call_command("custody_bundle", "document", str(document.pk), str(path), stdout=StringIO())
    kept = TrustedTimestamp.objects.get()
    with zipfile.ZipFile(path) as bundle:
        assert bundle.read(f"timestamps/{kept.pk}.tsr") == bytes(kept.token)
        assert f"saw these archived bytes at {kept.gen_time}" in bundle.read("ACCOUNT.txt").decode()
