"""Writes about sources that have side effects: a document's archive and its quotes' checks."""

from __future__ import annotations

from typing import Any

from django.db import transaction

from claims.jobs import archiving
from claims.jobs.quotes import request_quote_checks
from sources.models import Document


@transaction.atomic
def save_document(*, values: dict[str, Any], document: Document | None = None) -> Document:
    """Create a document from ``values``, or change ``document``, and queue what that calls for.

    A new or changed URL is archived and changed text re-checks the quotes taken from the
    document, both queued once this transaction commits (as the admin and the importer do).
    """
    document = Document() if document is None else document
    is_new = document.pk is None
    url, text = document.url, document.full_text
    for name, value in values.items():
        setattr(document, name, value)
    document.full_clean()
    if is_new:
        document.save()
    else:
        # Only the fields written: an archive task finishing meanwhile keeps what it recorded.
        document.save(update_fields=[*values, "updated_at"])
    if document.url != url:
        archiving.request_archive(item=document)
    if not is_new and document.full_text != text:
        request_quote_checks(document=document)
    return document
