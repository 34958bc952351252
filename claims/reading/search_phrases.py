"""Quoted phrases on PostgreSQL: the adjacent-word pairs a claim must hold to match them.

``<->`` needs word positions, which the GIN index of ``search_vector`` does not hold, so a
phrase of common words had PostgreSQL read every claim holding all its words to test their
positions (~193k rows at 1M claims). ``claims_claim.search_pairs`` (claims/migrations/
0026_claim_lexeme_pairs.py) holds the pairs of lexemes at adjacent positions of the same vector,
GIN-indexed; a phrase's own pairs, computed by the same function over the phrase, are then a
second test the index answers, and the ``<->`` test only reads the claims holding them.

The pairs are only ever a necessary condition beside the full-text test, never instead of it,
so a search finds exactly what it found without them. They are required only where the phrase
itself is: not for a phrase after ``-``, nor anywhere in a query with the word ``or`` (either
side may match alone; inside quotes too, to be safe), and only for a closed phrase of plain
words and spaces, whose words the phrase query and the text vector split alike. A phrase of
one word, or whose words are all parted by stop words, has no pair.
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING

from django.db import models

if TYPE_CHECKING:
    from django.db.backends.base.base import BaseDatabaseWrapper
    from django.db.models.sql.compiler import SQLCompiler

# A closed double-quoted phrase, as websearch_to_tsquery reads one, with what stands before it.
_PHRASE = re.compile(r'(-?)\s*"([^"]*)"')
_PLAIN = re.compile(r"[^\W_]+(?:\s+[^\W_]+)+")
_OR = re.compile(r"(?<!\S)or(?!\S)", re.IGNORECASE)


def required_phrases(query: str) -> list[str]:
    """The phrases of ``query`` (cleaned, claims.reading.search.clean_query) that every match
    must hold, of two words or more, as typed."""
    if _OR.search(query):
        return []
    return [
        text
        for negated, text in _PHRASE.findall(query)
        if not negated and _PLAIN.fullmatch(text.strip())
    ]


class HoldsPhrasePairs(models.Expression):
    """Whether the row of the query's own table (claims) holds every adjacent pair of each of
    ``phrases``. The pairs are an IMMUTABLE function of constants, so PostgreSQL computes them
    once while planning and estimates the index test from the real array."""

    output_field = models.BooleanField()
    conditional = True

    def __init__(self, phrases: list[str], config: str) -> None:
        super().__init__()
        self.phrases, self.config = phrases, config

    def as_sql(  # type: ignore[override]
        self, compiler: SQLCompiler, connection: BaseDatabaseWrapper
    ) -> tuple[str, list[str]]:
        table = compiler.quote_name_unless_alias(compiler.query.get_initial_alias())
        pairs = " || ".join(
            "claimtracker_lexeme_pairs(to_tsvector(%s::regconfig, %s))" for _ in self.phrases
        )
        params = [value for phrase in self.phrases for value in (self.config, phrase)]
        return f"{table}.search_pairs @> ({pairs})", params
