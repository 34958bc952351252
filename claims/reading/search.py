"""Full-text search over claims, actors (names and aliases), documents and incidents.

One service for the HTML search page and the API. On PostgreSQL it uses full-text search
(``websearch_to_tsquery``: quoted phrases, ``or``, ``-word``). Claims, documents and incidents
are matched on the stored ``search_vector`` column of their table (GIN-indexed, see
``claims/migrations/0006_search_vectors.py``); actors and aliases on the expressions of the GIN
indexes of ``0003_search_indexes.py``, which must stay identical to ``search_vector()`` here.

Ranking is capped: of the rows that match, at most ``CANDIDATES`` are taken in the list order
(claims newest first) and only those are ranked; the page returned is the best-ranked of them,
and only its rows get ``ts_headline`` fragments. So a word found in half a million claims costs
a walk down the date index, not a rank of every match. On SQLite search falls back to
case-insensitive substring matching of every word, ranked by how often the words occur.
"""

from __future__ import annotations

import html
import re
from collections.abc import Iterable
from dataclasses import dataclass
from typing import TYPE_CHECKING, cast

from django.contrib.postgres.search import (
    SearchHeadline,
    SearchQuery,
    SearchRank,
    SearchVector,
    SearchVectorField,
)
from django.db import connection, models
from django.db.models import Q, QuerySet
from django.db.models.expressions import RawSQL
from django.db.models.functions import Coalesce, Concat

from claims.models import Claim, Reader
from claims.reading.visibility import actors_visible_to, documents_visible_to, incidents_visible_to
from sources.models import Actor, Alias

if TYPE_CHECKING:
    from django.db.backends.base.base import BaseDatabaseWrapper
    from django.db.models.sql.compiler import SQLCompiler

KINDS = ("claim", "actor", "document", "incident")
MAX_QUERY_LENGTH = 200
FRAGMENT_CHARS = 200
# How many matches, in list order (claims newest first), are ranked to pick the best page from.
CANDIDATES = 1000

# Fields searched per kind, and the text search configuration of each (names are not stemmed).
CLAIM_FIELDS = ("summary", "quote", "translation")
ACTOR_FIELDS = ("name",)
DOCUMENT_FIELDS = ("title",)
INCIDENT_FIELDS = ("title", "place", "region", "description")
CONFIGS = {"claim": "english", "actor": "simple", "document": "english", "incident": "english"}

# ts_headline does not escape HTML, so it marks matches with characters no text uses; the whole
# fragment is then escaped and the markers turned into <mark> tags.
_START, _STOP = "\ue000", "\ue001"
# NUL cannot go to PostgreSQL and other control characters never help a search.
_UNSEARCHABLE = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f\ue000\ue001]")
_WORD = re.compile(r"\w+")


@dataclass(frozen=True)
class SearchHit:
    kind: str  # "claim" | "actor" | "document" | "incident"
    obj: models.Model
    fragment: str  # already HTML-escaped text with matched terms wrapped in <mark>…</mark>
    rank: float


def clean_query(query: str) -> str:
    """The query as searched: no control characters, whitespace collapsed, length capped."""
    return " ".join(_UNSEARCHABLE.sub(" ", query or "").split())[:MAX_QUERY_LENGTH]


def is_searchable(query: str) -> bool:
    """Whether ``query`` has any word to search for (a blank or punctuation-only one has none)."""
    return bool(_WORD.search(clean_query(query)))


def search(query: str, *, user: Reader, limit_per_kind: int = 20) -> dict[str, list[SearchHit]]:
    """Search every kind for ``query``, among what ``user`` may see (claims.reading.visibility):
    drafts, and what only drafts use, only for users allowed to view unpublished claims.

    Returns the hits per kind, best first, keyed in the order claim, actor, document, incident;
    a blank query returns an empty dict.
    """
    if not is_searchable(query):
        return {}
    query = clean_query(query)
    claims = Claim.objects.listed_for(user).select_related("speaker", "spokesperson", "incident")
    querysets = {
        "claim": claims,
        "actor": actors_visible_to(user),
        "document": documents_visible_to(user).select_related("publisher"),
        "incident": incidents_visible_to(user),
    }
    engine = _search_postgresql if connection.vendor == "postgresql" else _search_fallback
    return {kind: engine(kind, querysets[kind], query, limit_per_kind) for kind in KINDS}


# --- PostgreSQL ------------------------------------------------------------------------------


def search_vector(kind: str, fields: Iterable[str] | None = None) -> SearchVector:
    """The tsvector expression of one kind, as the GIN index of 0003 declares it (actors)."""
    fields = tuple(fields or _fields(kind))
    return SearchVector(*fields, config=CONFIGS[kind])


def _fields(kind: str) -> tuple[str, ...]:
    return {
        "claim": CLAIM_FIELDS,
        "actor": ACTOR_FIELDS,
        "document": DOCUMENT_FIELDS,
        "incident": INCIDENT_FIELDS,
    }[kind]


class StoredVector(models.Expression):
    """The ``search_vector`` column of the query's own table: not a model field (see 0006)."""

    output_field = SearchVectorField()

    # A list of parameters, not the stubs' tuple: django.contrib.postgres's search lookups add
    # their own list to it (a tuple here raised TypeError on every PostgreSQL search).
    def as_sql(  # type: ignore[override]
        self, compiler: SQLCompiler, connection: BaseDatabaseWrapper
    ) -> tuple[str, list[str]]:
        table = compiler.quote_name_unless_alias(compiler.query.get_initial_alias())
        return f"{table}.search_vector", []


def _search_postgresql(kind: str, qs: QuerySet, query: str, limit: int) -> list[SearchHit]:
    ts_query = SearchQuery(query, config=CONFIGS[kind], search_type="websearch")
    if kind == "actor":
        return _actor_hits(list(_ranked_actors(qs, ts_query, limit)), query)
    vector = StoredVector()
    hits = (
        qs.filter(pk__in=_best_candidates(kind, qs, query, limit))
        .annotate(rank=SearchRank(vector, ts_query))
        .order_by("-rank", *_list_order(qs.model))
        # Only the page's rows reach here, so only they pay for ts_headline.
        .annotate(
            headline=SearchHeadline(
                _concat(_fields(kind)),
                ts_query,
                config=CONFIGS[kind],
                start_sel=_START,
                stop_sel=_STOP,
                max_words=35,
                min_words=15,
            )
        )
    )
    return [SearchHit(kind, hit, _escape_marked(hit.headline), float(hit.rank)) for hit in hits]


def candidates(kind: str, qs: QuerySet, query: str) -> QuerySet:
    """At most ``CANDIDATES`` rows of ``qs`` matching ``query``, in list order (newest first).

    The cheap half of a search: for a common word PostgreSQL walks the list-order index and
    stops after ``CANDIDATES`` matches; for a rare one it reads them from the GIN index.
    """
    ts_query = SearchQuery(query, config=CONFIGS[kind], search_type="websearch")
    return (
        qs.annotate(search_vector=StoredVector())
        .filter(search_vector=ts_query)
        .order_by(*_list_order(qs.model))[:CANDIDATES]
    )


def _best_candidates(kind: str, qs: QuerySet, query: str, limit: int) -> RawSQL:
    """The ids of the ``limit`` best-ranked candidates, as a sub-query.

    The candidates are a derived table, so their vectors are ranked as read, without fetching
    the rows again; ties keep the list order.
    """
    order = _list_order(qs.model)
    columns = [qs.model._meta.get_field(name.lstrip("-")).column for name in order]
    inner, params = (
        candidates(kind, qs, query)
        .values("pk", "search_vector", *(name.lstrip("-") for name in order))
        .query.sql_with_params()
    )
    ties = ", ".join(
        f'c."{column}" DESC' if name.startswith("-") else f'c."{column}"'
        for name, column in zip(order, columns, strict=True)
    )
    sql = (
        f"SELECT c.id FROM ({inner}) c ORDER BY "
        f"ts_rank(c.search_vector, websearch_to_tsquery(%s::regconfig, %s)) DESC, {ties} LIMIT %s"
    )
    return RawSQL(sql, (*params, CONFIGS[kind], query, limit))


def _list_order(model: type[models.Model]) -> tuple[str, ...]:
    """The model's ordering, made total by the primary key."""
    # Our models order by field names only, never by expressions.
    ordering = cast("tuple[str, ...]", tuple(model._meta.ordering or ()))
    if any(name.lstrip("-") in ("id", "pk") for name in ordering):
        return ordering
    return (*ordering, "id")


def _ranked_actors(qs: QuerySet, ts_query: SearchQuery, limit: int) -> QuerySet:
    """Actors by name or alias, over the expression indexes of 0003 (small tables)."""
    vector = search_vector("actor")
    # Two index look-ups in one sub-query: an OR of the name test and an alias sub-query would
    # be planned as a scan of every actor, parsing each name.
    by_name = Actor.objects.annotate(search_vector=vector).filter(search_vector=ts_query)
    by_alias = Alias.objects.annotate(search_vector=vector).filter(search_vector=ts_query)
    found = by_name.order_by().values("pk").union(by_alias.order_by().values("actor_id"))
    # The same cap as the other kinds: a word in every name ranks the first names, not all.
    capped = qs.filter(pk__in=found).order_by(*_list_order(qs.model)).values("pk")[:CANDIDATES]
    return (
        qs.filter(pk__in=capped)
        .annotate(rank=SearchRank(vector, ts_query))
        .order_by("-rank", *_list_order(qs.model))[:limit]
    )


def _concat(fields: tuple[str, ...]) -> models.Expression:
    if len(fields) == 1:
        return Coalesce(fields[0], models.Value(""), output_field=models.TextField())
    parts: list[models.Expression] = []
    for name in fields:
        parts += [
            Coalesce(name, models.Value(""), output_field=models.TextField()),
            models.Value(" \n "),
        ]
    return Concat(*parts[:-1], output_field=models.TextField())


def _escape_marked(headline: str) -> str:
    escaped = html.escape(headline.strip())
    return escaped.replace(_START, "<mark>").replace(_STOP, "</mark>")


def _actor_hits(actors: list[Actor], query: str) -> list[SearchHit]:
    """Actor fragments: the name, and the aliases that matched, highlighted word by word.

    Names are short, so they are highlighted here rather than by ts_headline; one query loads
    the aliases of every hit instead of one per actor.
    """
    terms = [t.lower() for t in _WORD.findall(query)]
    aliases: dict[int, list[str]] = {}
    for actor_id, name in Alias.objects.filter(actor__in=actors).values_list("actor_id", "name"):
        aliases.setdefault(actor_id, []).append(name)
    hits = []
    for actor in actors:
        matched = [a for a in aliases.get(actor.pk, []) if _has_word(a, terms)]
        fragment = _highlight_words(actor.name, terms)
        if matched:
            also = ", ".join(_highlight_words(a, terms) for a in matched)
            fragment = f"{fragment} (also known as {also})"
        hits.append(SearchHit("actor", actor, fragment, float(getattr(actor, "rank", 0.0))))
    return hits


def _has_word(text: str, terms: list[str]) -> bool:
    return any(word.lower() in terms for word in _WORD.findall(text))


def _highlight_words(text: str, terms: list[str]) -> str:
    def mark(match: re.Match) -> str:
        word = match.group(0)
        return f"{_START}{word}{_STOP}" if word.lower() in terms else word

    return _escape_marked(_WORD.sub(mark, text))


# --- SQLite and other databases ---------------------------------------------------------------


def _search_fallback(kind: str, qs: QuerySet, query: str, limit: int) -> list[SearchHit]:
    """Every word must occur in some field; rank by occurrences, ties newest or by name."""
    terms = list(dict.fromkeys(t.lower() for t in _WORD.findall(query)))[:10]
    fields = _fields(kind)
    for term in terms:
        matches = Q()
        for name in fields:
            matches |= Q(**{f"{name}__icontains": term})
        if kind == "actor":
            matches |= Q(pk__in=Alias.objects.filter(name__icontains=term).values("actor_id"))
        qs = qs.filter(matches)
    # Ranking needs the text, so fetch a bounded candidate set in the model's order and rank it.
    candidates = list(qs.order_by(*qs.model._meta.ordering, "pk")[: limit * 10])
    aliases: dict[int, list[str]] = {}
    if kind == "actor":
        for actor_id, name in Alias.objects.filter(actor__in=candidates).values_list(
            "actor_id", "name"
        ):
            aliases.setdefault(actor_id, []).append(name)
    pattern = re.compile("|".join(re.escape(t) for t in terms), re.IGNORECASE)
    hits = []
    for obj in candidates:
        texts = [getattr(obj, name) or "" for name in fields] + aliases.get(obj.pk, [])
        rank = sum(len(pattern.findall(text)) for text in texts)
        hits.append(SearchHit(kind, obj, _fallback_fragment(kind, obj, texts, pattern), rank))
    hits.sort(key=lambda hit: -hit.rank)  # stable: equal ranks keep the model's order
    return hits[:limit]


def _fallback_fragment(kind: str, obj: models.Model, texts: list[str], pattern: re.Pattern) -> str:
    if kind == "actor":
        matched = [a for a in texts[1:] if pattern.search(a)]
        fragment = _highlight_span(texts[0], pattern)
        if matched:
            also = ", ".join(_highlight_span(a, pattern) for a in matched)
            fragment = f"{fragment} (also known as {also})"
        return fragment
    for text in texts:
        found = pattern.search(text)
        if found:
            start = max(0, found.start() - FRAGMENT_CHARS // 3)
            window = text[start : start + FRAGMENT_CHARS]
            prefix = "…" if start else ""
            suffix = "…" if start + FRAGMENT_CHARS < len(text) else ""
            return prefix + _highlight_span(window, pattern) + suffix
    return html.escape(texts[0][:FRAGMENT_CHARS])


def _highlight_span(text: str, pattern: re.Pattern) -> str:
    return _escape_marked(pattern.sub(lambda m: f"{_START}{m.group(0)}{_STOP}", text))
