"""What the bench loads: our API, the floor, the peer, search, deep pages, HTML pages, 304s."""

from __future__ import annotations

import argparse
import base64
import random
import statistics
from dataclasses import dataclass, field
from urllib.parse import quote, urlencode

from bench.database import sql
from bench.serving import fetch


@dataclass
class Contender:
    """One thing to load (a server, a path, its headers) and what each round measured."""

    name: str
    label: str
    port: int
    path: str
    headers: dict[str, str] = field(default_factory=dict)
    expect: int = 200
    connections: int | None = None
    rounds: list[dict] = field(default_factory=list)
    # Pages that take over a second are loaded one request at a time by the Python loader, which
    # waits for the last answer: wrk would leave a queue of them behind for the next contender.
    heavy: bool = False
    # A walk (bench/walk.lua): each request asks the next of these paths, none asked before in
    # the run (``path`` is one more, for the first answers); ``walked`` of them are used.
    walk: list[str] = field(default_factory=list)
    walked: int = 0

    @property
    def requests(self) -> int:
        return sum(r["requests"] for r in self.rounds)

    @property
    def rps(self) -> float:
        seconds = sum(r["duration_us"] for r in self.rounds) / 1e6
        return self.requests / seconds if seconds else 0.0

    def ms(self, key: str) -> float:
        """A latency percentile in ms: the mean of the rounds' percentiles."""
        return statistics.fmean(r[key] for r in self.rounds) / 1000 if self.rounds else 0.0


def drf_cursor(position: str, offset: int = 0) -> str:
    tokens = {"o": str(offset)} if offset else {}
    tokens["p"] = position
    return quote(base64.b64encode(urlencode(tokens).encode()).decode(), safe="")


def search_terms(url: str) -> dict[str, tuple[str, int]]:
    """A rare, a medium and a common term, and a phrase, with how many published claims match.

    The synthetic text draws on a vocabulary of 18 words, so every single word is common; the
    medium term is three of them together, and the phrase the same three words in that order.
    """
    candidates = {
        "rare": "Latakia",  # only in incident titles and places
        "medium": "hospital convoy market",  # all three words: a few claims in a hundred
        "common": "airstrike",  # in most synthetic summaries and quotes
        "phrase": '"hospital convoy market"',  # in that order: about one claim in four hundred
    }
    vector = "search_vector"  # the stored column of claims/migrations/0006_search_vectors.py
    found = {}
    for name, term in candidates.items():
        query = (
            "SELECT count(*) FROM claims_claim WHERE status = 'published' "
            f"AND {vector} @@ websearch_to_tsquery('english', %s)"
        )
        found[name] = (term, sql(url, query, (term,))[0][0])
    return found


def first_terms(url: str, avoid: set[str], seed: int = 19) -> dict[str, list[str]]:
    """Search terms no request asks twice, drawn from the data, per kind of term as
    ``search_terms`` names them: a rare word (the number of an incident used by a public claim,
    which names one incident, one document and one actor with its claims), three words of a
    claim's quote in any order (medium), one or two of them, both, either or one without the
    other (common: each word is in about half of the synthetic texts) and three adjacent words
    of a quote, quoted (phrase)."""
    rng = random.Random(seed)
    numbers = sql(
        url,
        "SELECT substring(title from '#([0-9]+)') FROM claims_incident WHERE public_uses > 0 "
        "AND title ~ '#[0-9]+' ORDER BY id",
    )
    # About 40,000 claims' quotes, sampled by page: a few percent of a million, all of a small
    # record, so that small records too give more terms than a run asks.
    (claims,) = sql(url, "SELECT greatest(count(*), 1) FROM claims_claim")[0]
    quotes = sql(
        url,
        "SELECT quote FROM claims_claim TABLESAMPLE SYSTEM (%s) REPEATABLE (19) "
        "WHERE status = 'published' AND quote <> '' LIMIT 40000",
        (min(100.0, 4e6 / claims),),
    )
    words = [quote.split() for (quote,) in quotes if len(quote.split()) >= 3]
    drawn: dict[str, list[str]] = {
        "rare": [n for (n,) in numbers],
        "medium": [" ".join(rng.sample(sorted(set(w)), 3)) for w in words if len(set(w)) >= 3],
        "common": [
            rng.choice((" ", " or ", " -")).join(rng.sample(sorted(set(w)), rng.choice((1, 2))))
            for w in words
        ],
        "phrase": [
            '"' + " ".join(w[i : i + 3]) + '"' for w in words for i in [rng.randrange(len(w) - 2)]
        ],
    }
    result = {}
    for kind, terms in drawn.items():
        rng.shuffle(terms)
        # Each term once, and none of the kept rows' (their answers are kept by then).
        result[kind] = [t for t in dict.fromkeys(terms) if t.lower() not in avoid]
    return result


def walkers(args: argparse.Namespace, url: str, kept: dict[str, tuple[str, int]]) -> list:
    """A search contender per kind of term whose every request asks a term not asked before."""
    avoid = {term.lower() for term, _ in kept.values()}
    result = []
    for name, terms in first_terms(url, avoid).items():
        paths = [f"/api/v1/search/?{urlencode({'q': term})}" for term in terms]
        label = (
            f"search API, {name} terms, each asked once ({len(paths) - 1:,} drawn, "
            f"e.g. {terms[1]}), {args.workers} connections"
        )
        first, *walk = paths
        result.append(
            Contender(
                f"search_{name}_first",
                label,
                args.port,
                first,
                connections=args.workers,
                walk=walk,
            )
        )
    return result


def contenders(args: argparse.Namespace, env: dict, facts: dict) -> list[Contender]:
    url, app, floor = env["DATABASE_URL"], args.port, args.port + 1
    published = sql(url, "SELECT count(*) FROM claims_claim WHERE status = 'published'")[0][0]
    depth = min(500_000, int(published * 0.9))
    (position,) = sql(
        url,
        "SELECT made_on::text FROM claims_claim WHERE status = 'published' "
        "ORDER BY made_on DESC, id DESC OFFSET %s LIMIT 1",
        (depth,),
    )[0]
    facts["deep_rows_in"] = depth
    incidents = sql(
        url,
        "SELECT i.slug, count(c.id) FROM claims_incident i JOIN claims_claim c "
        "ON c.incident_id = i.id AND c.status = 'published' GROUP BY i.slug ORDER BY 2, 1",
    )
    median_slug, median_n = incidents[len(incidents) // 2]
    p99_slug, p99_n = incidents[int(len(incidents) * 0.99)]
    busiest_slug, busiest_n = incidents[-1]
    (claim_id,) = sql(
        url,
        "SELECT r.answers_id FROM claims_response r JOIN claims_claim c ON c.id = r.answers_id "
        "WHERE c.status = 'published' ORDER BY r.id LIMIT 1",
    )[0]
    # World time: an incident as the record stood halfway through what was said about it.
    halfway = halfway_day(url, p99_slug, p99_n)
    median_halfway = halfway_day(url, median_slug, median_n)
    busiest_halfway = halfway_day(url, busiest_slug, busiest_n)
    facts["as_of"] = {
        "incident": p99_slug,
        "day": halfway,
        "median": {"incident": median_slug, "day": median_halfway},
        "busiest": {"incident": busiest_slug, "day": busiest_halfway},
    }
    accused_slug, accused_n, last_day = most_accused(url)
    facts["most_accused"] = {"slug": accused_slug, "allegations": accused_n}
    facts["search"] = terms = search_terms(url)
    facts["incidents"] = {"median": median_n, "p99": p99_n, "busiest": busiest_n}
    api = "/api/v1/claims/"
    result = [
        Contender("ours", "our API: nested claim list, 50 per page", app, api),
        Contender("floor", "floor: one SQL query builds the JSON (bench/floor.py)", floor, "/"),
        Contender(
            "peer", "typical peer: DRF ModelSerializer + page numbers", app, "/bench/peer/claims/"
        ),
        Contender(
            "deep",
            f"our API: cursor page ~{depth:,} rows in",
            app,
            f"{api}?cursor={drf_cursor(position)}",
        ),
    ]
    for name, (term, hits) in terms.items():
        path = f"/api/v1/search/?{urlencode({'q': term})}"
        label = f"search API, {name} term {term} ({hits:,} claims match)"
        result.append(Contender(f"search_{name}", label, app, path))
        # The latency a searcher sees when the servers are busy but not queueing: as many
        # connections as workers. With 8 connections on 2 workers a request waits for 3 others.
        result.append(
            Contender(
                f"search_{name}_latency",
                f"{label}, {args.workers} connections",
                app,
                path,
                connections=args.workers,
            )
        )
    # What a searcher sees: a term nobody asked before, so no kept answer (issue 19's targets).
    result += walkers(args, url, terms)
    result += [
        Contender("timeline_html", "timeline page (HTML), first page", app, "/timeline/"),
        # Issue 14: the timeline narrowed by a facet, newest first (its band and facets are
        # built for these filters on the first answer, then kept), the API list with every
        # facet, and the index pages (built on every request).
        Contender(
            "timeline_facets_html",
            "timeline page (HTML) with facets, ?kind=casualty_count&order=newest",
            app,
            "/timeline/?kind=casualty_count&order=newest",
        ),
        Contender(
            "facets_api",
            "our API: claim list with all five facets",
            app,
            f"{api}?facets=kind,standing,speaker,accused,incident",
        ),
        Contender("incidents_html", "incident index (HTML), first page", app, "/incidents/"),
        Contender("actors_html", "actor index (HTML), first page", app, "/actors/"),
        Contender("documents_html", "document index (HTML), first page", app, "/documents/"),
        Contender(
            "incident_html",
            f"incident page (HTML), median incident ({median_n} claims)",
            app,
            f"/incidents/{median_slug}/",
        ),
        Contender(
            "incident_p99_html",
            f"incident page (HTML), 99th-percentile incident ({p99_n} claims)",
            app,
            f"/incidents/{p99_slug}/",
        ),
        Contender(
            "incident_asof_html",
            f"incident page (HTML) as of a day, 99th-percentile incident, halfway ({halfway})",
            app,
            f"/incidents/{p99_slug}/?as_of={halfway}",
        ),
        Contender(
            "incident_asof_median_html",
            f"incident page (HTML) as of a day, median incident, halfway ({median_halfway})",
            app,
            f"/incidents/{median_slug}/?as_of={median_halfway}",
        ),
        Contender(
            "incident_asof_busiest_html",
            f"incident page (HTML) as of a day, busiest incident, halfway ({busiest_halfway})",
            app,
            f"/incidents/{busiest_slug}/?as_of={busiest_halfway}",
        ),
        Contender(
            "busiest_html",
            f"incident page (HTML), busiest incident ({busiest_n} claims)",
            app,
            f"/incidents/{busiest_slug}/",
        ),
        Contender("claim_html", "claim page (HTML), full render", app, f"/claims/{claim_id}/"),
        Contender("claim_api", "claim detail (API), full", app, f"{api}{claim_id}/"),
        # How the most accused actor answers: built once per record state, then kept. The API
        # asks as of the last day claimed, a key of its own, so its first answer builds too.
        Contender(
            "answers_html",
            f"actor page (HTML) with response analytics, most accused actor "
            f"({accused_n:,} allegations)",
            app,
            f"/actors/{accused_slug}/",
        ),
        Contender(
            "answers_api",
            f"actor response analytics (API), most accused actor, ?as_of={last_day}",
            app,
            f"/api/v1/actors/{accused_slug}/responses/?as_of={last_day}",
        ),
    ]
    return result


def halfway_day(url: str, slug: str, claims: int) -> str:
    """The day by which half of the incident's published claims had been made."""
    (day,) = sql(
        url,
        "SELECT c.made_on::text FROM claims_claim c JOIN claims_incident i ON i.id = c.incident_id "
        "WHERE i.slug = %s AND c.status = 'published' ORDER BY c.made_on "
        "OFFSET %s LIMIT 1",
        (slug, claims // 2),
    )[0]
    return day


def most_accused(url: str) -> tuple[str, int, str]:
    """The actor most published claims by others accuse, how many, and the last day claimed."""
    slug, n = sql(
        url,
        "SELECT a.slug, count(*) FROM claims_claimtarget t"
        " JOIN claims_claim c ON c.id = t.claim_id AND c.status = 'published'"
        " AND c.speaker_id <> t.actor_id"
        " JOIN sources_actor a ON a.id = t.actor_id WHERE t.role = 'accused'"
        " GROUP BY a.slug ORDER BY 2 DESC, 1 LIMIT 1",
    )[0]
    (last,) = sql(url, "SELECT max(made_on)::text FROM claims_claim")[0]
    return slug, n, last


def add_revalidations(items: list[Contender], facts: dict) -> None:
    """A 304 contender for each full page that offers a validator and honours it."""
    facts["revalidation"] = {}
    for full in [c for c in items if c.name in ("claim_html", "claim_api", "incident_html")]:
        _, headers, _, _ = fetch(full.port, full.path)
        conditional = {}
        if "etag" in headers:
            conditional["If-None-Match"] = headers["etag"]
        if "last-modified" in headers:
            conditional["If-Modified-Since"] = headers["last-modified"]
        answer = fetch(full.port, full.path, conditional)[0] if conditional else None
        facts["revalidation"][full.name] = {"validators": sorted(conditional), "answer": answer}
        if answer == 304:
            items.append(
                Contender(
                    f"{full.name}_304",
                    f"{full.label}: 304 revalidation",
                    full.port,
                    full.path,
                    conditional,
                    expect=304,
                )
            )
