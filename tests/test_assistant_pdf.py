"""The editor assistant reads a document's archived PDF (through pypdf): a one-page PDF written
here by hand gives its statement with spans in the text it extracted; a PDF without text is
refused with a message and nothing is written."""

from __future__ import annotations

import pytest
from django.core.files.base import ContentFile

from claims.models import Claim
from sources.models import Actor, Document
from tests.factories import DocumentFactory
from tests.problems import fields
from tests.test_assistant_running_example import demo_actors  # noqa: F401  (a fixture)

URL = "/api/v1/proposals/"
pytestmark = pytest.mark.usefixtures("demo_actors")


def pdf_of(*lines: str) -> bytes:
    """A one-page PDF showing ``lines`` in Helvetica (no lines: a page with nothing to read)."""
    shown = " T* ".join(
        "(" + line.replace("\\", "\\\\").replace("(", "\\(").replace(")", "\\)") + ") Tj"
        for line in lines
    )
    content = f"BT /F1 11 Tf 14 TL 40 740 Td {shown} ET".encode() if lines else b""
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Contents 4 0 R"
        b" /Resources << /Font << /F1 5 0 R >> >> >>",
        b"<< /Length %d >>\nstream\n" % len(content) + content + b"\nendstream",
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>",
    ]
    out = bytearray(b"%PDF-1.4\n")
    offsets = []
    for number, body in enumerate(objects, start=1):
        offsets.append(len(out))
        out += b"%d 0 obj\n" % number + body + b"\nendobj\n"
    table = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
    out += b"".join(b"%010d 00000 n \n" % offset for offset in offsets)
    out += b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (
        len(objects) + 1,
        table,
    )
    return bytes(out)


def _archived_pdf(data: bytes) -> Document:
    document = DocumentFactory(publisher=Actor.objects.get(slug="rt"), published_on="2017-09-26")
    document.archive_file.save("report.pdf", ContentFile(data))
    Document.objects.filter(pk=document.pk).update(archive_content_type="application/pdf")
    return document


def test_an_archived_pdf_is_read_for_its_statement(editor_client, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    document = _archived_pdf(
        pdf_of(
            "The White Helmets said 152 civilians were killed in Idlib province last week.",
            'A spokesman for the group told reporters: "The strikes hit a market."',
        )
    )

    answer = editor_client.post(URL, {"document": document.pk}, format="json")

    assert answer.status_code == 200, answer.content
    text = answer.json()["text"]
    assert "The strikes hit a market." in text  # the PDF's own words, as pypdf extracted them
    claim = answer.json()["claims"][0]
    assert claim["speaker"]["slug"] == "white-helmets"
    start, end = claim["figures"][0]["span"]
    assert text[start:end].startswith("152")
    assert claim["figures"][0]["low"] == 152
    assert Claim.objects.count() == 0


def test_a_pdf_with_no_text_is_refused_and_nothing_is_written(editor_client, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    document = _archived_pdf(pdf_of())

    answer = editor_client.post(URL, {"document": document.pk}, format="json")

    assert answer.status_code == 400
    assert "PDF holds no text" in fields(answer)["document"][0]
    assert Claim.objects.count() == 0
