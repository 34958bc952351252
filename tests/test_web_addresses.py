"""The URLs of documents and evidence are web addresses the archiver can fetch (http or https, a
port from 1 to 65535), refused with a field message at every door rather than later on a worker."""

from __future__ import annotations

import uuid

import pytest

from claims.models import Evidence
from sources.models import Document
from tests.conftest import admin_form
from tests.factories import ClaimFactory
from tests.problems import fields

pytestmark = pytest.mark.django_db

REFUSED = {
    "ftp://files.example.org/report.pdf": "Give a web address starting with http:// or https://.",
    "https://example.org:73641/report": "A port must be between 1 and 65535.",
}


def document_body(url: str) -> dict:
    return {"title": "Report", "source_url": url, "publisher": "rt", "language": "en"}


@pytest.mark.parametrize(("url", "message"), REFUSED.items())
def test_the_api_refuses_a_document_url_that_cannot_be_fetched(
    editor_client, broadcaster, url, message
):
    answer = editor_client.post("/api/v1/documents/", document_body(url), format="json")

    assert answer.status_code == 400
    assert {k: v for k, v in fields(answer).items() if k != "request_id"} == {
        "source_url": [message]
    }
    assert not Document.objects.exists()


@pytest.mark.parametrize(("url", "message"), REFUSED.items())
def test_the_api_refuses_an_evidence_url_that_cannot_be_fetched(
    editor_client, white_helmets, url, message
):
    claim = ClaimFactory(speaker=white_helmets, status="draft")
    body = {
        "claim": claim.pk,
        "relation": "cited",
        "kind": "video",
        "description": "Footage of the site.",
        "source_url": url,
        "availability": "published",
    }

    answer = editor_client.post("/api/v1/evidence/", body, format="json")

    assert answer.status_code == 400
    assert {k: v for k, v in fields(answer).items() if k != "request_id"} == {
        "source_url": [message]
    }
    assert not Evidence.objects.exists()


def test_the_api_takes_https_on_any_valid_port(editor_client, broadcaster):
    url = "https://archive.example.org:8443/report"

    answer = editor_client.post("/api/v1/documents/", document_body(url), format="json")

    assert answer.status_code == 201, answer.json()
    assert Document.objects.get().url == url


@pytest.mark.parametrize(("url", "message"), REFUSED.items())
def test_the_admin_refuses_a_document_url_that_cannot_be_fetched(
    client, root_client, editor, broadcaster, url, message
):
    path = "/admin/sources/document/add/"
    fields = {"title": "Report", "url": url, "publisher": broadcaster.pk, "language": "en"}
    data = admin_form(root_client, path, fields)
    client.force_login(editor)

    answer = client.post(path, data)

    assert answer.status_code == 200
    assert answer.context["adminform"].form.errors["url"] == [message]
    assert not Document.objects.exists()


def test_an_import_refuses_a_document_url_that_cannot_be_fetched(
    editor_client, broadcaster, upload_dataset
):
    record = {
        "type": "document",
        "uid": str(uuid.uuid4()),
        "title": "Report",
        "url": "ftp://files.example.org/report.pdf",
        "publisher": "rt",
        "language": "en",
    }

    answer, job = upload_dataset(editor_client, [record])

    assert answer.status_code == 202
    assert job.status == job.Status.INVALID
    assert "http:// or https://" in str(job.errors)
    assert not Document.objects.exists()
