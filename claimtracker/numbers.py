"""Whole numbers typed by people or sent by clients: ids, sizes, lengths.

``str.isdigit()`` is true of "²" and "¹", which ``int()`` refuses, and of "٣", which it reads as
3: a check by ``isdigit()`` lets a superscript through to a ValueError (a 500 at a door) and an
Arabic-Indic digit through to an id nobody typed. Every door reads its numbers here instead.
"""

from __future__ import annotations

import re

_PLAIN = re.compile(r"[0-9]+")

# PostgreSQL's bigint holds 19 digits; 18 always fit, so a longer value is no row's id.
ID_DIGITS = 18


def plain_int(text: str, *, digits: int | None = None) -> int | None:
    """The number ``text`` spells in ASCII digits alone, or None (also past ``digits`` digits)."""
    if not _PLAIN.fullmatch(text) or (digits is not None and len(text) > digits):
        return None
    return int(text)


def plain_id(text: str) -> int | None:
    """A row id as a client gives it: ASCII digits that fit a bigint, or None."""
    return plain_int(text, digits=ID_DIGITS)
