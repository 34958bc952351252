"""Each archived capture also as a WARC file (ISO 28500), so web-archive tools can replay it.

Beside the raw bytes kept by their SHA-256 (claims/jobs/archiving.py), one gzipped WARC per item
and capture holds the request as sent, the response with its status line and headers, and a
metadata record naming the item (and, for evidence, its claim) that asked for it. The raw copy
is shared by every item that fetched the same bytes; the WARC is the item's own.
"""

from __future__ import annotations

import io
import json
from urllib.parse import urlsplit

from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from warcio.statusandheaders import StatusAndHeaders
from warcio.warcwriter import WARCWriter

from claims.jobs.fetching import Fetched
from claims.ledger.custody import warc_name
from claims.ledger.verify import Archivable
from claims.models import Evidence


def _naming(item: Archivable, sha256: str) -> dict[str, object]:
    named: dict[str, object] = {"item": f"{item._meta.db_table} {item.pk}", "url": item.url}
    if isinstance(item, Evidence):
        named["claim"] = item.claim_id
    else:
        named["document"] = item.pk
    named["sha256"] = sha256
    return named


def warc_bytes(item: Archivable, fetched: Fetched, sha256: str) -> bytes:
    out = io.BytesIO()
    writer = WARCWriter(out, gzip=True)
    uri = fetched.final_url
    parts = urlsplit(uri)
    target = (parts.path or "/") + (f"?{parts.query}" if parts.query else "")
    date = fetched.fetched_at.strftime("%Y-%m-%dT%H:%M:%SZ")
    response = writer.create_warc_record(
        uri,
        "response",
        payload=io.BytesIO(fetched.body),
        http_headers=StatusAndHeaders(
            str(fetched.status), list(fetched.headers.items()), protocol="HTTP/1.1"
        ),
        warc_headers_dict={"WARC-Date": date},
    )
    concurrent = {"WARC-Date": date, "WARC-Concurrent-To": response.rec_headers["WARC-Record-ID"]}
    request = writer.create_warc_record(
        uri,
        "request",
        payload=io.BytesIO(b""),
        http_headers=StatusAndHeaders(
            f"{fetched.method} {target} HTTP/1.1",
            list(fetched.request_headers.items()),
            is_http_request=True,
        ),
        warc_headers_dict=concurrent,
    )
    metadata = writer.create_warc_record(
        uri,
        "metadata",
        payload=io.BytesIO(json.dumps(_naming(item, sha256), sort_keys=True).encode()),
        warc_content_type="application/json",
        warc_headers_dict=concurrent,
    )
    for record in (response, request, metadata):
        writer.write_record(record)
    return out.getvalue()


def store_warc(item: Archivable, fetched: Fetched, sha256: str) -> str:
    """Write the capture's WARC beside the raw bytes; return its storage name."""
    name = warc_name(item, sha256)
    if default_storage.exists(name):
        default_storage.delete(name)
    return default_storage.save(name, ContentFile(warc_bytes(item, fetched, sha256)))
