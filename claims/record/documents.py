"""Writes of documents: the publications in which statements appear."""

from __future__ import annotations

from typing import Any

from django.db import transaction

from claims.ledger.history import acting
from claims.record import effects
from claims.record.shared import apply_values, check_shared_write
from sources.models import Document


@transaction.atomic
def save_document(*, by: Any, values: dict[str, Any], document: Document | None = None) -> Document:
    """Create a document from ``values``, or change ``document``, writing only the fields that
    differ (an archive task finishing meanwhile keeps what it recorded). A new or changed URL is
    archived and changed text re-checks the quotes taken from it, once this commits."""
    document = Document() if document is None else document
    is_new = document.pk is None
    check_shared_write(by, document)
    changed = apply_values(document, values)
    if not is_new and not changed:
        return document
    with acting(by):
        document.save(update_fields=None if is_new else [*changed, "updated_at"])
    effects.after_document_saved(
        document=document,
        url_changed="url" in changed and bool(document.url or not is_new),
        text_changed=not is_new and "full_text" in changed,
    )
    return document
