"""Search on SQLite, the embedded default: FTS5 tables kept by triggers (migration
0019_editor_search_sqlite), read with the PostgreSQL path's web-search syntax.

One FTS5 table per kind, whose rowid is the row's id: ``claims_fts_claim`` (summary, quote,
translation), ``claims_fts_actor`` (the name and every alias), ``claims_fts_document`` (title),
``claims_fts_incident`` (title, place, region, description). The tokenizer folds accents
("Medecins" finds "Médecins") and, except for names, stems English words as PostgreSQL's
``english`` configuration does. ``fts_query`` turns the query people type into FTS5's own:
``shelling or airstrike`` → ``"shelling" OR "airstrike"``, ``hospital -MSF`` → ``"hospital"
NOT "msf"``, ``"a phrase"`` stays a phrase; every term is quoted, so nothing typed is read as
FTS5 syntax.
"""

from __future__ import annotations

import re

from django.db.models import FloatField, Q, QuerySet, Value
from django.db.models.expressions import RawSQL
from django.db.models.functions import Coalesce

KINDS_COLUMNS = {
    "claim": ("summary", "quote", "translation"),
    "actor": ("names",),
    "document": ("title",),
    "incident": ("title", "place", "region", "description"),
}
_TERM = re.compile(r'(-?)"([^"]*)"?|(-?)(\S+)')
_WORD = re.compile(r"\w+")


def fts_query(query: str) -> str | None:
    """FTS5's query for ``query`` in web-search syntax; None when it asks for nothing (no word
    that must or may occur, only words that must not)."""
    groups: list[list[str]] = []
    excluded: list[str] = []
    joining = False
    for match in _TERM.finditer(query):
        negated = bool(match[1] or match[3])
        quoted = match[2] is not None
        text = match[2] if quoted else match[4]
        if not quoted and not negated and text.lower() == "or":
            joining = bool(groups)
            continue
        words = _WORD.findall(text)
        if not words:
            continue
        term = '"' + " ".join(words) + '"'
        if negated:
            excluded.append(term)
        elif joining:
            groups[-1].append(term)
        else:
            groups.append([term])
        joining = False
    if not groups:
        return None
    expression = " AND ".join("(" + " OR ".join(group) + ")" for group in groups)
    return expression + "".join(f" NOT {term}" for term in excluded)


def _matching(kind: str, match: str) -> RawSQL:
    table = f"claims_fts_{kind}"
    # Ranked in the FTS index itself and capped, as the PostgreSQL path caps its candidates.
    return RawSQL(
        f"SELECT rowid FROM {table} WHERE {table} MATCH %s ORDER BY rank LIMIT 1000", [match]
    )


def matching(kind: str, qs: QuerySet, match: str, start: str, stop: str) -> QuerySet:
    """``qs``'s rows matching ``match``, best first, each with ``rank`` (higher is better) and
    ``snippet`` (the best passage with the matched words between ``start`` and ``stop``;
    None for a claim found by its speaker's name or alias alone)."""
    table = f"claims_fts_{kind}"
    base = qs.model._meta.db_table
    found = Q(pk__in=_matching(kind, match))
    if kind == "claim":
        # A claim is found by its speaker's name or any alias too, as the actor is.
        found |= Q(speaker_id__in=_matching("actor", match))
    # bm25 is lower for better matches; a claim found by its speaker alone ranks after them.
    bm25 = RawSQL(
        f"(SELECT bm25({table}) FROM {table} WHERE {table} MATCH %s AND rowid = {base}.id)",
        [match],
        output_field=FloatField(),
    )
    snippet = RawSQL(
        f"(SELECT snippet({table}, -1, %s, %s, '…', 30) FROM {table}"
        f" WHERE {table} MATCH %s AND rowid = {base}.id)",
        [start, stop, match],
    )
    return (
        qs.filter(found)
        .annotate(rank=-Coalesce(bm25, Value(0.0)), snippet=snippet)
        .order_by("-rank", *qs.model._meta.ordering, "pk")
    )
