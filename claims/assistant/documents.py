"""The text the assistant reads: pasted by an editor, or a Document's archived copy.

An archived HTML page gives its main text through trafilatura (which reads the page's own
charset and, when the record has no publication date, the page's date); a PDF gives its pages'
text through pypdf; a document without an archived copy gives its stored full text. Anything
else is refused with a reason the doors show as it is.
"""

from __future__ import annotations

import datetime as dt
import io
from dataclasses import dataclass

import trafilatura
from pypdf import PdfReader
from pypdf.errors import PdfReadError

from sources.models import Document

MAX_CHARACTERS = 100_000
MAX_ARCHIVE_BYTES = 20 * 1024 * 1024


class Unreadable(Exception):
    """The input cannot be read as an article; ``message`` says why."""

    def __init__(self, message: str, *, too_large: bool = False) -> None:
        super().__init__(message)
        self.message = message
        self.too_large = too_large


@dataclass
class Article:
    text: str
    published_on: dt.date | None
    publisher: str  # slug


def checked(text: str) -> str:
    """``text`` if the assistant can read it: not empty, not too long, not binary."""
    if not text or not text.strip():
        raise Unreadable("Give the text of an article: this one is empty.")
    if len(text) > MAX_CHARACTERS:
        raise Unreadable(
            f"The text has {len(text):,} characters; the assistant reads at most "
            f"{MAX_CHARACTERS:,}.",
            too_large=True,
        )
    controls = sum(1 for c in text if ord(c) < 32 and c not in "\n\r\t") + text.count("\ufffd")
    if "\x00" in text or controls > len(text) // 100:
        raise Unreadable("This looks like binary data, not the text of an article.")
    return text


def article_of(document: Document) -> Article:
    """The text of ``document``: its archived copy, else its stored full text."""
    published = document.published_on
    publisher = document.publisher.slug
    if document.archive_file:
        if document.archive_size and document.archive_size > MAX_ARCHIVE_BYTES:
            raise Unreadable("The archived copy is too large to read.", too_large=True)
        with document.archive_file.open("rb") as handle:
            data = handle.read(MAX_ARCHIVE_BYTES + 1)
        text, found_date = _read(data, document.archive_content_type)
        return Article(checked(text), published or found_date, publisher)
    if document.full_text.strip():
        return Article(checked(document.full_text), published, publisher)
    raise Unreadable("This document has no archived copy or text to read yet.")


def _read(data: bytes, content_type: str) -> tuple[str, dt.date | None]:
    if data[:5] == b"%PDF-" or "pdf" in content_type:
        return _pdf(data), None
    if b"\x00" in data[:4096]:
        raise Unreadable("The archived copy is neither a web page nor a PDF.")
    return _html(data)


def _pdf(data: bytes) -> str:
    try:
        reader = PdfReader(io.BytesIO(data))
        text = "\n\n".join(page.extract_text() or "" for page in reader.pages)
    except (PdfReadError, ValueError, KeyError) as error:
        raise Unreadable(f"The archived PDF cannot be read ({error}).") from error
    if not text.strip():
        raise Unreadable(
            "The archived PDF holds no text to read (a scanned page?): paste the article's text."
        )
    return text


def _html(data: bytes) -> tuple[str, dt.date | None]:
    """Main text and date of a page; trafilatura decodes the bytes by the page's charset."""
    extracted = trafilatura.bare_extraction(data, with_metadata=True, favor_precision=True)
    text = str(getattr(extracted, "text", None) or "")
    if not text.strip():
        raise Unreadable("No article text was found in the archived page.")
    found = None
    stated = str(getattr(extracted, "date", None) or "")
    if stated:
        try:
            found = dt.date.fromisoformat(stated[:10])
        except ValueError:
            found = None
    return text, found
