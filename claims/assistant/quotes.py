"""Quotes: verbatim text inside quotation marks, kept exactly as written.

- "straight" and “curly” double quotes, «guillemets» and „low-high“ quotes:
  ``Konashenkov said Russian planes "do not strike residential areas".`` → the words inside;
- single ‘curly’ quotes when they open after a space and close before a non-letter, so that
  an apostrophe (the ministry's) never opens one;
- a quote may run over several sentences: the marks decide, not the sentencizer;
- one or two words in quotes count only after a naming cue ("called the group “crooks”") or
  inside reported speech ("told Reuters the claims were "propaganda""), so scare quotes
  around a word in the outlet's own sentence are not taken for speech.
"""

from __future__ import annotations

import re

from claims.assistant.proposals import Quote

PAIRS = [
    re.compile(r'"(?P<q>[^"]{2,2000}?)"'),
    re.compile(r"“(?P<q>[^”“]{2,2000}?)”"),
    re.compile(r"«(?P<q>[^»«]{2,2000}?)»"),
    re.compile(r"„(?P<q>[^“”„]{2,2000}?)[“”]"),
    re.compile(r"(?:(?<=\s)|^)‘(?P<q>[^’‘]{2,2000}?)’(?![a-z])"),
]
NAMING = re.compile(
    r"\b(?:(?<!so-)call(?:ed|s|ing)?|describ(?:ed|es|ing)\s+\S+(?:\s+\S+){0,3}\s+as|brand(?:ed|s)|"
    r"label(?:l)?(?:ed|s)|dubb(?:ed|s)|said|says|told|stated|claimed|insisted|added)\b[^.;]{0,120}$",
    re.IGNORECASE,
)


def find_quotes(text: str) -> list[Quote]:
    """Every quote in ``text`` with the span of its words (without the marks), in text order."""
    found: list[Quote] = []
    for pattern in PAIRS:
        for match in pattern.finditer(text):
            words = match.group("q").strip()
            start = match.start("q") + match.group("q").index(words[0])
            if len(words.split()) < 3 and not NAMING.search(text[max(0, start - 160) : start - 1]):
                continue
            found.append(Quote(words, (start, start + len(words))))
    found.sort(key=lambda q: q.span[0])
    return [q for n, q in enumerate(found) if not any(_inside(q, o) for o in found[:n])]


def _inside(quote: Quote, other: Quote) -> bool:
    return other.span[0] <= quote.span[0] and quote.span[1] <= other.span[1]
