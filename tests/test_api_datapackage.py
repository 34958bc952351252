"""The data package through HTTP: downloaded as a zip by those who may read drafts, imported
back through the API's import endpoint and the admin's upload."""

from __future__ import annotations

import io
import json
import zipfile

import pytest
from django.contrib.auth import get_user_model
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from claims.devdata.demo import load_demo
from claims.ledger import tree
from claims.models import Claim, ImportJob
from tests.test_jobs_imports import empty_the_database

pytestmark = pytest.mark.django_db
URL = "/api/v1/dataset/datapackage.zip"


@pytest.fixture
def superuser():
    return get_user_model().objects.create_superuser("root", "root@example.org", "pw")


def test_the_package_downloads_as_a_zip_naming_its_head(reviewer_client):
    load_demo()
    answer = reviewer_client.get(URL)
    assert answer.status_code == 200
    assert answer["Content-Type"] == "application/zip"
    assert 'filename="claimtracker-dataset.zip"' in answer["Content-Disposition"]
    with zipfile.ZipFile(io.BytesIO(answer.content)) as archive:
        described = json.loads(archive.read("datapackage.json"))
        claims = archive.read("claims.csv").decode()
    size = tree.size()
    assert answer["X-Claimtracker-Ledger-Head"] == f"{size} {tree.root(size).hex()}"
    assert described["head"]["tree_size"] == size
    # Drafts too: the dataset is the whole record.
    assert claims.count("\r\n") - 1 == Claim.objects.count()


def test_readers_who_may_not_read_drafts_are_refused_the_package(reader_client, api_client):
    load_demo()
    assert api_client.get(URL).status_code in (401, 403)
    answer = reader_client.get(URL)
    assert answer.status_code == 403
    assert "drafts and withdrawn claims" in json.dumps(answer.json())


def test_an_unknown_parameter_is_a_400(reviewer_client):
    assert reviewer_client.get(URL + "?tables=claims").status_code == 400


def test_the_downloaded_zip_imports_through_the_api(
    reviewer_client, superuser, api_client, archive_storage, django_capture_on_commit_callbacks
):
    load_demo()
    data = reviewer_client.get(URL).content
    empty_the_database()
    api_client.force_authenticate(superuser)
    upload = SimpleUploadedFile("dataset.zip", data, content_type="application/zip")
    with django_capture_on_commit_callbacks(execute=True):
        answer = api_client.post("/api/v1/imports/", {"file": upload}, format="multipart")
    assert answer.status_code == 202, answer.json()
    job = api_client.get(f"/api/v1/imports/{answer.json()['id']}/").json()
    assert job["status"] == "done", job
    assert job["created"]["claims"] == 10
    assert Claim.objects.count() == 10


def test_a_zip_that_is_no_package_is_refused_at_the_upload(api_client, superuser, archive_storage):
    api_client.force_authenticate(superuser)
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("notes.txt", "hello")
    upload = SimpleUploadedFile("notes.zip", buffer.getvalue(), content_type="application/zip")
    answer = api_client.post("/api/v1/imports/", {"file": upload}, format="multipart")
    assert answer.status_code == 400
    assert "holds no datapackage.json" in json.dumps(answer.json())
    assert not ImportJob.objects.exists()


def test_the_admin_upload_takes_a_package_zip(
    admin_client, reviewer_client, archive_storage, django_capture_on_commit_callbacks
):
    load_demo()
    data = reviewer_client.get(URL).content
    empty_the_database()
    upload = SimpleUploadedFile("dataset.zip", data)
    with django_capture_on_commit_callbacks(execute=True):
        answer = admin_client.post(reverse("admin:claims_import_upload"), {"file": upload})
    assert answer.status_code == 302
    assert ImportJob.objects.get().status == "done"
    assert Claim.objects.count() == 10
