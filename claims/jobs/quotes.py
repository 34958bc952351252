"""Quote checks: does a claim's verbatim quote occur in the text of the document it came from?

Only typography is forgiven (runs of white space, curly or straight quote marks and apostrophes,
non-breaking spaces); the words must be there exactly as quoted. A quote that is not found is
flagged for editors and never matched to some other, similar passage.
"""

from __future__ import annotations

import functools
import logging
import re
from array import array
from html.parser import HTMLParser
from typing import Any

from celery import Task, shared_task
from django.core.files.storage import default_storage
from django.db import transaction
from django.utils import timezone

from claims.models import Attribution, Claim, QuoteCheck
from sources.models import Document

logger = logging.getLogger(__name__)

CONTEXT_WORDS = 8
# Typographic variants mapped to one plain form; each maps one character to one character, so
# positions in the plain text are positions in the original.
SAME_MARK = str.maketrans(
    {
        "\u2018": "'",
        "\u2019": "'",
        "\u201a": "'",
        "\u201b": "'",
        "\u2032": "'",
        "\u00b4": "'",
        "`": "'",
        "\u201c": '"',
        "\u201d": '"',
        "\u201e": '"',
        "\u201f": '"',
        "\u00ab": '"',
        "\u00bb": '"',
        "\u2033": '"',
    }
)
SPACE = re.compile(r"\s+")


def plain(text: str) -> tuple[str, list[int]]:
    """``text`` with quote marks unified and white-space runs made one space, and for each
    character of the result, its offset in ``text``."""
    out: list[str] = []
    offsets: list[int] = []
    previous_space = False
    for offset, char in enumerate(text.translate(SAME_MARK)):
        if char.isspace():
            if previous_space:
                continue
            char, previous_space = " ", True
        else:
            previous_space = False
        out.append(char)
        offsets.append(offset)
    return "".join(out), offsets


class _TextOfHtml(HTMLParser):
    """The readable text of an HTML page: no scripts, styles or tags."""

    SKIP = {"script", "style", "noscript", "template", "head"}
    BLOCK = {"p", "div", "br", "li", "h1", "h2", "h3", "h4", "h5", "h6", "tr", "blockquote"}

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []
        self.skipping = 0

    def handle_starttag(self, tag: str, attrs: list) -> None:
        if tag in self.SKIP:
            self.skipping += 1
        elif tag in self.BLOCK:
            self.parts.append("\n")

    def handle_endtag(self, tag: str) -> None:
        if tag in self.SKIP and self.skipping:
            self.skipping -= 1
        elif tag in self.BLOCK:
            self.parts.append("\n")

    def handle_data(self, data: str) -> None:
        if not self.skipping:
            self.parts.append(data)


def html_text(html: str) -> str:
    parser = _TextOfHtml()
    parser.feed(html)
    parser.close()
    return "".join(parser.parts)


def document_text(document: Document) -> tuple[str, str]:
    """The text to search and where it came from: typed full text, else the archived HTML page."""
    if document.full_text.strip():
        return document.full_text, "full_text"
    is_html = document.archive_content_type.split(";")[0].strip() in (
        "text/html",
        "application/xhtml+xml",
    )
    name = document.archive_file.name
    if document.archive_status == Document.ArchiveStatus.ARCHIVED and is_html and name:
        with default_storage.open(name, "rb") as stored:
            raw = stored.read()
        charset = re.search(r"charset=([\w-]+)", document.archive_content_type)
        encoding = charset.group(1) if charset else "utf-8"
        try:
            return html_text(raw.decode(encoding, errors="replace")), "archive"
        except LookupError:  # an unknown charset name
            return html_text(raw.decode("utf-8", errors="replace")), "archive"
    return "", ""


def find_anchor(quote: str, text: str) -> dict | None:
    """Where ``quote`` occurs in ``text``: the exact text found, words around it and offsets."""
    needle, _ = plain(quote.strip())
    haystack, offsets = plain(text)
    if not needle.strip():
        return None
    at = haystack.find(needle)
    if at < 0:
        return None
    start, end = offsets[at], offsets[at + len(needle) - 1] + 1
    before = text[:start].split()[-CONTEXT_WORDS:]
    after = text[end:].split()[:CONTEXT_WORDS]
    return {
        "exact": text[start:end],
        "prefix": " ".join(before),
        "suffix": " ".join(after),
        "start": start,
        "end": end,
        "occurrences": haystack.count(needle),
    }


def check_quote(*, claim: Claim) -> str:
    """Look for the claim's quote in its source document and store the result on the claim."""
    document = claim.source_document
    anchor: dict = {}
    if not claim.quote.strip():
        result = QuoteCheck.UNCHECKED
    elif document is None:
        result = QuoteCheck.NO_TEXT
    else:
        text, origin = document_text(document)
        found = find_anchor(claim.quote, text) if text else None
        if not text:
            result = QuoteCheck.NO_TEXT
        elif found is None:
            result = QuoteCheck.NOT_FOUND
        else:
            result = QuoteCheck.FOUND
            anchor = {**found, "document": str(document.uid), "text_from": origin}
        anchor.setdefault("checked_at", timezone.now().isoformat())
    Claim.objects.filter(pk=claim.pk).update(quote_check=result, quote_anchor=anchor)
    return result


@shared_task
def check_claim_quote(claim_id: int) -> str | None:
    """Look for a claim's quote in its source document's text."""
    claim = Claim.objects.filter(pk=claim_id).prefetch_related("attributions__document").first()
    if claim is None:
        return None
    return check_quote(claim=claim)


def request_quote_check(*, claim: Claim) -> None:
    """Check the claim's quote once the surrounding transaction commits."""
    # The id, not the claim: an import queues one check a claim in one transaction, and a
    # closure over each claim would hold them all until it commits.
    transaction.on_commit(functools.partial(_enqueue, check_claim_quote, claim.pk), robust=True)


def request_quote_checks(*, document: Document) -> None:
    """Check again every claim whose chain ends in this document (its text or archive changed)."""
    claim_ids = set(
        Attribution.objects.filter(document=document).values_list("claim_id", flat=True)
    )
    request_quote_checks_of(claim_ids=array("q", sorted(claim_ids)))


def request_quote_checks_of(*, claim_ids: array[int]) -> None:
    """Check these claims' quotes once the surrounding transaction commits: one callback for
    them all, holding their ids at 8 bytes each (a callback a claim holds some 500)."""
    transaction.on_commit(
        functools.partial(_enqueue_each, check_claim_quote, claim_ids), robust=True
    )


def _enqueue_each(task: Task[Any, Any], claim_ids: array[int]) -> None:
    for claim_id in claim_ids:
        _enqueue(task, claim_id)


def _enqueue(task: Task[Any, Any], claim_id: int) -> None:
    try:
        task.delay(claim_id)
    except Exception:  # a down broker must not break the save that asked for the check
        logger.exception("Could not queue the quote check of claim %s", claim_id)
