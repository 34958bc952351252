"""Full-text search over claims, actors (names and aliases), documents and incidents.

One service for the HTML search page and the API. On PostgreSQL it uses full-text search
(``websearch_to_tsquery``: quoted phrases, ``or``, ``-word``), with text search configurations
that fold accents before stemming ("Medecins" finds "Médecins"). Claims, documents and incidents
are matched on the stored ``search_vector`` column of their table (GIN-indexed, see
``claims/migrations/0006_search_vectors.py``, rebuilt by ``0025_search_folds_accents.py``); actors
and aliases on the expressions of the GIN indexes of ``0024``, which must stay identical to
``search_vector()`` here.

Ranking is capped: of the rows that match, at most ``CANDIDATES`` (per kind) are taken in the
list order (claims newest first) and only those are ranked; the page returned is the
best-ranked of them, and only its rows get ``ts_headline`` fragments. So a word found in half a
million claims costs a walk down the date index, not a rank of every match. On SQLite the same
syntax is read by FTS5 (claims.reading.search_sqlite), which folds accents too. On both, a claim
is found by its speaker's name or any of its aliases too.
"""

from __future__ import annotations

import html
import re
from collections.abc import Iterable
from dataclasses import dataclass
from typing import TYPE_CHECKING, cast

from django.contrib.postgres.expressions import ArraySubquery
from django.contrib.postgres.search import (
    SearchHeadline,
    SearchQuery,
    SearchRank,
    SearchVector,
    SearchVectorField,
)
from django.db import connection, connections, models
from django.db.models import OuterRef, QuerySet
from django.db.models.expressions import RawSQL
from django.db.models.functions import Coalesce, Concat
from django.db.models.sql.where import WhereNode

from claims.models import Claim, Reader, reads_drafts
from claims.reading import search_sqlite
from claims.reading.search_fragments import START, STOP, WORD, actor_fragment, escape_marked
from claims.reading.search_kept import KeptSQL, array_text, slot
from claims.reading.search_phrases import HoldsPhrasePairs, required_phrases
from claims.reading.search_sqlite import fts_query
from claims.reading.visibility import actors_visible_to, documents_visible_to, incidents_visible_to
from sources.models import Actor, Alias

if TYPE_CHECKING:
    from django.db.backends.base.base import BaseDatabaseWrapper
    from django.db.models.sql.compiler import SQLCompiler

KINDS = ("claim", "actor", "document", "incident")
MAX_QUERY_LENGTH = 200
FRAGMENT_CHARS = 200
# How many matches, in list order (claims newest first), are ranked to pick the best page from.
# Documents and incidents, of which a page shows a handful, rank 200 (four of the largest pages):
# at 1M claims a common word's newest 1,000 documents were 5,000 rows read from the table (one
# page each) for the 20 shown, the largest query of a first asking.
CANDIDATES = {"claim": 1000, "actor": 1000, "document": 200, "incident": 200}

# Fields searched per kind, and the text search configuration of each (names are not stemmed).
CLAIM_FIELDS = ("summary", "quote", "translation")
ACTOR_FIELDS = ("name",)
DOCUMENT_FIELDS = ("title",)
INCIDENT_FIELDS = ("title", "place", "region", "description")
# Copies of PostgreSQL's "english" and "simple" that fold accents first (unaccent; created by
# claims/migrations/0025_search_folds_accents.py, which built the stored vectors with them).
ENGLISH, SIMPLE = "claimtracker_english", "claimtracker_simple"
CONFIGS = {"claim": ENGLISH, "actor": SIMPLE, "document": ENGLISH, "incident": ENGLISH}

# NUL cannot go to PostgreSQL and other control characters never help a search.
_UNSEARCHABLE = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f\ue000\ue001]")
_QUOTES = str.maketrans(
    dict.fromkeys("\u201c\u201d\u201e\u201f\u00ab\u00bb\u301d\u301e\uff02", '"')
)


@dataclass(frozen=True)
class SearchHit:
    kind: str  # "claim" | "actor" | "document" | "incident"
    obj: models.Model
    fragment: str  # already HTML-escaped text with matched terms wrapped in <mark>…</mark>
    rank: float


def clean_query(query: str) -> str:
    """The query as searched: no control characters, typographic double quotes as the ASCII one
    both engines read as a phrase's (“a phrase” as a phone or a word processor types it),
    whitespace collapsed, length capped."""
    query = _UNSEARCHABLE.sub(" ", query or "").translate(_QUOTES)
    return " ".join(query.split())[:MAX_QUERY_LENGTH]


def is_searchable(query: str) -> bool:
    """Whether ``query`` has any word to search for (a blank or punctuation-only one has none)."""
    return bool(WORD.search(clean_query(query)))


def search(query: str, *, user: Reader, limit_per_kind: int = 20) -> dict[str, list[SearchHit]]:
    """Search every kind for ``query``, among what ``user`` may see (claims.reading.visibility):
    drafts, and what only drafts use, only for users allowed to view unpublished claims.

    Returns the hits per kind, best first, keyed in the order claim, actor, document, incident;
    a blank query returns an empty dict.
    """
    if not is_searchable(query):
        return {}
    query = clean_query(query)
    if connection.vendor != "postgresql":
        return {
            kind: _search_sqlite(kind, _visible(kind, user), query, limit_per_kind)
            for kind in KINDS
        }
    # The actors the words name, first: with none (most words), neither the actors' query, whose
    # six visibility tests cost 7 ms of planning at 1M claims, nor the claims' named-speaker half
    # is built or sent.
    named = _named_actors(query)
    phrases = required_phrases(query)
    words = {QUERY: query, NAMED: array_text(named), **dict(zip(PHRASES, phrases, strict=False))}
    shape = (reads_drafts(user), limit_per_kind, bool(named), len(phrases))
    return {
        kind: _hits(kind, _kept(kind, user, *shape), words, query)
        if kind != "actor" or named
        else []
        for kind in KINDS
    }


def _hits(kind: str, kept: KeptSQL, words: dict[str, str], query: str) -> list[SearchHit]:
    """The kept query of ``kind`` run with the search's ``words``, as hits."""
    found = list(kept.queryset(words))
    if kind == "actor":
        return _actor_hits(found, query)
    return [SearchHit(kind, hit, escape_marked(hit.headline), float(hit.rank)) for hit in found]


def _visible(kind: str, user: Reader) -> QuerySet:
    """What ``user`` may see of ``kind`` (claims.reading.visibility), with what hits show."""
    if kind == "claim":
        claims = Claim.objects.listed_for(user)
        return claims.select_related("speaker", "spokesperson", "incident")
    if kind == "actor":
        return actors_visible_to(user)
    if kind == "document":
        return documents_visible_to(user).select_related("publisher")
    return incidents_visible_to(user)


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


# The words of a search, as its kept queries (claims.reading.search_kept) hold their places.
QUERY, NAMED = slot("query"), slot("named")
PHRASES = tuple(slot(f"phrase {n}") for n in range(MAX_QUERY_LENGTH // 3 + 1))
# Compiled queries by shape (see ``_kept``): a handful per kind in use; emptied past
# ``KEPT_SHAPES``, so that odd shapes (many phrases, rare page sizes) cannot grow it without end.
_KEPT: dict[tuple, KeptSQL] = {}
KEPT_SHAPES = 500


def _kept(kind: str, user: Reader, drafts: bool, limit: int, named: bool, phrases: int) -> KeptSQL:
    """The query of ``kind`` for a search of this shape, compiled on its first use.

    The reader enters only through what they may see (claims.reading.visibility), which depends
    on whether they read drafts and on nothing else of theirs: readers of the same kind share
    the text (tests/test_search_kept.py holds it to that).
    """
    if kind != "claim":  # only claims search by phrase pairs and named speakers
        named, phrases = kind == "actor", 0
    key = (connection.alias, kind, drafts, limit, named, phrases, CANDIDATES[kind])
    if (kept := _KEPT.get(key)) is None:
        if len(_KEPT) >= KEPT_SHAPES:
            _KEPT.clear()
        words = list(PHRASES[:phrases])
        page = _page(kind, _visible(kind, user), QUERY, limit, NAMED if named else None, words)
        slots = [QUERY, *words, *([NAMED] if named else [])]
        kept = _KEPT[key] = KeptSQL.compile(page, slots)
    return kept


def _page(
    kind: str, qs: QuerySet, query: str, limit: int, named: str | None, phrases: list[str]
) -> QuerySet:
    """The page of hits of ``kind`` in ``qs`` for ``query`` (and the actors it names, as an
    array's text, in ``named``; the ``phrases`` it requires): the best-ranked of the candidates,
    with their fragments. Built once per shape with stand-ins for the words (``_kept``)."""
    ts_query = SearchQuery(query, config=CONFIGS[kind], search_type="websearch")
    if kind == "actor":
        return _ranked_actors(qs, ts_query, limit, cast("str", named))
    vector = StoredVector()
    best = _best_candidates(kind, qs, query, limit, phrases)
    if kind == "claim" and named:
        # A claim is found by its speaker's name or any alias too, as the actor is (ranked
        # after the text's matches). One id list, the UNION of both: an OR of two IN tests
        # was planned as a walk of every published claim testing each against both.
        spoken_sql, spoken_params = _spoken_by(qs, named, limit)
        best = RawSQL(f"({best.sql}) UNION ({spoken_sql})", (*best.params, *spoken_params))
    return (
        qs.filter(pk__in=best)
        .annotate(rank=SearchRank(vector, ts_query))
        .order_by("-rank", *_list_order(qs.model))
        # Only the page's rows reach here, so only they pay for ts_headline.
        .annotate(
            headline=SearchHeadline(
                _concat(_fields(kind)),
                ts_query,
                config=CONFIGS[kind],
                start_sel=START,
                stop_sel=STOP,
                max_words=35,
                min_words=15,
            )
        )
    )[:limit]


def candidates(kind: str, qs: QuerySet, query: str, phrases: list[str] | None = None) -> QuerySet:
    """At most ``CANDIDATES[kind]`` rows of ``qs`` matching ``query``, in list order (newest first);
    claims must hold the adjacent pairs of ``phrases`` (by default, the query's required ones).

    The cheap half of a search: for a common word PostgreSQL walks the list-order index and
    stops after that many matches; for a rare one it reads them from the GIN index.
    """
    # Documents and incidents: the reader's visibility is a test of the row's kept count on
    # PostgreSQL (claims.reading.visibility), read as the list-order walk reads the row. As an
    # EXISTS it was a semi-join PostgreSQL built whole first (~3 s at 1M claims), then, tested
    # per row, 1,000-2,300 probes of attributions and claims for a common word.
    ts_query = SearchQuery(query, config=CONFIGS[kind], search_type="websearch")
    matched = qs.annotate(search_vector=StoredVector()).filter(search_vector=ts_query)
    phrases = required_phrases(query) if phrases is None else phrases
    if kind == "claim" and phrases:
        # The phrase's adjacent pairs from their own index (claims.reading.search_phrases), the
        # rest tested on the few rows holding them: ANDed with the vector's index, the bitmap
        # of every claim holding the phrase's words cost more than the whole test.
        matched = _probed(matched).filter(HoldsPhrasePairs(phrases, CONFIGS[kind]))
    return matched.order_by(*_list_order(qs.model))[: CANDIDATES[kind]]


def _probed(qs: QuerySet) -> QuerySet:
    """``qs`` with its conditions tested row by row (``_Probed``) rather than joined."""
    probed = qs.all()
    if probed.query.where:
        probed.query.where = WhereNode([_Probed(probed.query.where)])  # type: ignore[list-item]
    return probed


class _Probed(models.Func):
    """``(condition) IS TRUE``: the same truth, but a condition PostgreSQL does not turn into a
    join (it pulls up only a bare EXISTS), so it runs as a sub-plan for each row it reads."""

    template = "(%(expressions)s) IS TRUE"
    output_field = models.BooleanField()
    conditional = True


def _actors_named(ts_query: SearchQuery) -> QuerySet:
    """The ids of actors whose name or an alias matches ``ts_query``, as a sub-query over the
    expression indexes of 0003: two index look-ups (an OR of the name test and an alias
    sub-query would be planned as a scan of every actor, parsing each name)."""
    vector = search_vector("actor")
    by_name = Actor.objects.annotate(search_vector=vector).filter(search_vector=ts_query)
    by_alias = Alias.objects.annotate(search_vector=vector).filter(search_vector=ts_query)
    ids = by_name.order_by().values_list("pk", flat=True)
    return ids.union(by_alias.order_by().values_list("actor_id", flat=True))


def _named_actors(query: str) -> list[int]:
    """The ids of the actors whose name or an alias matches ``query``: one query, kept, on the
    database the request reads (claimtracker.replicas), as the ORM would have sent it."""
    key = (connection.alias, "named")
    if (kept := _KEPT.get(key)) is None:
        names = SearchQuery(QUERY, config=CONFIGS["actor"], search_type="websearch")
        kept = _KEPT[key] = KeptSQL.compile(_actors_named(names), [QUERY])
    with connections[Actor.objects.db].cursor() as cursor:
        cursor.execute(kept.sql, kept.params_for({QUERY: query}))
        return [pk for (pk,) in cursor.fetchall()]


def _spoken_by(qs: QuerySet, named: str, limit: int) -> tuple[str, tuple]:
    """The ids of the newest ``limit`` claims of ``qs`` spoken by one of the ``named`` actors
    (an array's text), as SQL: each such actor's newest claims from the index on (speaker,
    date), then the newest of those. A plain ``speaker_id IN (…)`` walked the date index of every
    claim when few actors matched, looking for claims of theirs."""
    order = _list_order(qs.model)
    fields = [name.lstrip("-") for name in order]
    per_actor, per_params = (
        qs.filter(speaker_id=RawSQL("named.id", ()))
        .order_by(*order)
        .values(*dict.fromkeys(["pk", *fields]))[:limit]
        .query.sql_with_params()
    )
    ties = ", ".join(
        f's."{qs.model._meta.get_field(name.lstrip("-")).column}"'
        + (" DESC" if name.startswith("-") else "")
        for name in order
    )
    sql = (
        f"SELECT s.id FROM unnest(%s::bigint[]) named(id) CROSS JOIN LATERAL ({per_actor}) s "
        f"ORDER BY {ties} LIMIT %s"
    )
    return sql, (named, *per_params, limit)


def _best_candidates(
    kind: str, qs: QuerySet, query: str, limit: int, phrases: list[str] | None = None
) -> RawSQL:
    """The ids of the ``limit`` best-ranked candidates, as a sub-query.

    The candidates are a derived table, so their vectors are ranked as read, without fetching
    the rows again; ties keep the list order.
    """
    order = _list_order(qs.model)
    columns = [qs.model._meta.get_field(name.lstrip("-")).column for name in order]
    inner, params = (
        candidates(kind, qs, query, phrases)
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


def _ranked_actors(qs: QuerySet, ts_query: SearchQuery, limit: int, named: str) -> QuerySet:
    """The ``named`` actors (an array's text) ``qs`` holds, best first, each with its aliases
    (``alias_names``)."""
    vector = search_vector("actor")
    # The same cap as the other kinds: a word in every name ranks the first names, not all.
    # One array parameter, not one per id: the kept text must not depend on how many.
    ids = RawSQL("SELECT unnest(%s::bigint[])", (named,))
    capped = (
        qs.filter(pk__in=ids).order_by(*_list_order(qs.model)).values("pk")[: CANDIDATES["actor"]]
    )
    # The reader's visibility once, in the capped ids: its six EXISTS tests again around them
    # doubled the planning, 11-15 ms of a query that runs in 0.5 ms at 1M claims.
    return (
        Actor.objects.filter(pk__in=capped)
        .annotate(
            rank=SearchRank(vector, ts_query),
            # The fragments' aliases in the same query, not one more.
            alias_names=ArraySubquery(
                Alias.objects.filter(actor=OuterRef("pk")).order_by("name").values("name")
            ),
        )
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


def _actor_hits(actors: list[Actor], query: str) -> list[SearchHit]:
    """Actor fragments: the name, and the aliases that matched, highlighted word by word.

    Names are short, so they are highlighted here rather than by ts_headline; one query loads
    the aliases of every hit instead of one per actor.
    """
    aliases: dict[int, list[str]] = {
        a.pk: a.alias_names for a in actors if hasattr(a, "alias_names")
    }
    if len(aliases) < len(actors):  # SQLite's hits come without them
        for actor_id, name in Alias.objects.filter(actor__in=actors).values_list(
            "actor_id", "name"
        ):
            aliases.setdefault(actor_id, []).append(name)
    return [
        SearchHit(
            "actor",
            actor,
            actor_fragment(actor.name, aliases.get(actor.pk, []), query),
            float(getattr(actor, "rank", 0.0)),
        )
        for actor in actors
    ]


# --- SQLite: FTS5 (claims.reading.search_sqlite) ----------------------------------------------


def _search_sqlite(kind: str, qs: QuerySet, query: str, limit: int) -> list[SearchHit]:
    match = fts_query(query)
    if match is None:
        return []
    found = list(search_sqlite.matching(kind, qs, match, START, STOP)[:limit])
    if kind == "actor":
        return _actor_hits(found, query)
    return [SearchHit(kind, obj, _sqlite_fragment(kind, obj), float(obj.rank)) for obj in found]


def _sqlite_fragment(kind: str, obj: models.Model) -> str:
    snippet = getattr(obj, "snippet", None)
    if snippet:
        return escape_marked(snippet)
    # A claim found by its speaker's name or alias: the start of its summary.
    return html.escape(getattr(obj, _fields(kind)[0])[:FRAGMENT_CHARS])
