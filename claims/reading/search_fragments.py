"""The fragments search hits show: ts_headline's and FTS5's marked passages, escaped, and names
highlighted word by word."""

from __future__ import annotations

import html
import re
import unicodedata

# ts_headline does not escape HTML, so it marks matches with characters no text uses; the whole
# fragment is then escaped and the markers turned into <mark> tags.
START, STOP = "\ue000", "\ue001"
WORD = re.compile(r"\w+")


def escape_marked(headline: str) -> str:
    """``headline`` escaped for HTML, its matches marked."""
    escaped = html.escape(headline.strip())
    return escaped.replace(START, "<mark>").replace(STOP, "</mark>")


def actor_fragment(name: str, aliases: list[str], query: str) -> str:
    """An actor's name and the aliases that matched the words of ``query``, highlighted word by
    word (names are short: no ts_headline)."""
    terms = [folded(t) for t in WORD.findall(query)]
    fragment = highlight_words(name, terms)
    matched = [alias for alias in aliases if has_word(alias, terms)]
    if matched:
        also = ", ".join(highlight_words(alias, terms) for alias in matched)
        fragment = f"{fragment} (also known as {also})"
    return fragment


def folded(word: str) -> str:
    """A word without case or accents, as SQLite's index compares words ("médecins" is
    "medecins")."""
    decomposed = unicodedata.normalize("NFKD", word.casefold())
    return "".join(c for c in decomposed if not unicodedata.combining(c))


def has_word(text: str, terms: list[str]) -> bool:
    return any(folded(word) in terms for word in WORD.findall(text))


def highlight_words(text: str, terms: list[str]) -> str:
    def mark(match: re.Match) -> str:
        word = match.group(0)
        return f"{START}{word}{STOP}" if folded(word) in terms else word

    return escape_marked(WORD.sub(mark, text))
