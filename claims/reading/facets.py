"""Facets: how the claims matching a list's filters divide by kind, standing, speaker, accused
and incident, as the timeline page and the API claim list show them (like Datasette's).

Each facet is one GROUP BY over the matching claims, in SQL, that keeps its ``top`` values by
count and, through window functions over the grouped rows, how many other values there are and
how many claims they hold; only the values kept are joined to their names. The matching claims
are the reader's own list (claims.reading.visibility), so a facet never names an actor or
incident the reader could not open: every value comes from a claim the reader sees. Claims with
no incident, or accusing no one, are left out of those two facets.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass, replace

from django.db import connection
from django.db.models import Case, Exists, F, OuterRef, QuerySet, Value, When

from claims.models import Claim, ClaimTarget, Incident, Response, Standing
from claims.models.standing import StandingOf, answered_standings
from sources.models import Actor

# The facets offered, in the order pages show them; each is also the filter its links add.
FACETS = ("kind", "standing", "speaker", "accused", "incident")
LABELS = {
    "kind": "Kind of claim",
    "standing": "Standing",
    "speaker": "Speaker",
    "accused": "Accused",
    "incident": "Incident",
}
TOP = 8
# The timeline's facets count at most this many matching claims, the most recent (see above).
FACET_SCAN = 10_000


@dataclass(frozen=True)
class FacetValue:
    """One value of a facet: what its filter takes (a code or a short name), its label, and how
    many matching claims have it."""

    value: str
    label: str
    count: int


@dataclass(frozen=True)
class Facet:
    name: str
    label: str
    values: list[FacetValue]
    other_values: int  # values beyond those listed
    other_count: int  # the matching claims that have them (for accused: accusations)
    # When the count was bounded and the matching claims are more than the bound: how many of
    # them were counted (the most recent); every count is then at least the one shown.
    scanned: int | None = None


def unknown_facets(names: Iterable[str]) -> list[str]:
    return sorted(set(names) - set(FACETS))


def facets_of(
    matching: QuerySet[Claim],
    names: Iterable[str] = FACETS,
    *,
    as_of: dt.date | None = None,
    top: int = TOP,
    scan: int | None = None,
    total: int | None = None,
) -> dict[str, Facet]:
    """The facets ``names`` of ``matching`` (one query each), standing as of ``as_of`` when
    given; in the order of FACETS. With ``scan``, counted over the ``scan`` most recent
    matching claims when ``total`` (the number matching, which the caller knows) is more."""
    asked = set(names)
    scanned = scan if scan is not None and (total is None or total > scan) else None
    return {
        name: replace(_facet(matching, name, as_of, top, scanned), scanned=scanned)
        for name in FACETS
        if name in asked
    }


def _keys(
    matching: QuerySet[Claim], name: str, as_of: dt.date | None, scan: int | None = None
) -> QuerySet:
    """One row per claim (per accusation, for accused) with the facet's key as ``facet_key``;
    with ``scan``, of the ``scan`` most recent claims only (claim_status_date_idx, walked from
    the newest, stops there)."""
    claims = matching.order_by()
    if scan is not None:
        recent = ("-made_on", "-id")
        if name == "accused":
            claims = Claim.objects.filter(pk__in=matching.order_by(*recent).values("pk")[:scan])
        else:
            return _keys(matching, name, as_of).order_by(*recent)[:scan]
    if name == "standing":
        # Most claims have no answer at all, and their standing is "unanswered" whatever the
        # rule says: the standing sub-query runs only for claims that some claim answers.
        answered = Exists(Response.objects.filter(answers=OuterRef("pk")))
        key = Case(
            When(answered, then=StandingOf("pk", "speaker", as_of=as_of)),
            default=Value(Standing.UNANSWERED),
        )
        return claims.annotate(facet_key=key).values("facet_key")
    if name == "accused":
        targets = ClaimTarget.objects.filter(
            role=ClaimTarget.Role.ACCUSED, claim__in=claims.values("pk")
        )
        return targets.annotate(facet_key=F("actor_id")).values("facet_key")
    column = {"kind": "kind", "speaker": "speaker_id", "incident": "incident_id"}[name]
    return claims.annotate(facet_key=F(column)).values("facet_key")


def _standings(matching: QuerySet[Claim], as_of: dt.date | None) -> tuple[str, tuple]:
    """The standing of every matching claim as ``facet_key``, the answered ones' from one
    grouped pass over the answers (``answered_standings``) joined to the list: counted claim
    by claim, the standing facet of a million claims took 5-7 s."""
    claims, claim_params = matching.order_by().values(claim=F("pk")).query.sql_with_params()
    answered, answered_params = answered_standings(connection, as_of)
    sql = (
        f"SELECT COALESCE(s.standing, '{Standing.UNANSWERED}') AS facet_key FROM ({claims}) AS m"
        f" LEFT JOIN ({answered}) AS s ON s.claim_id = m.claim"
    )
    return sql, (*claim_params, *answered_params)


# Where the names of a facet's keys are: (table, the column its filter takes, the label).
NAMED = {
    "speaker": (Actor._meta.db_table, "slug", "name"),
    "accused": (Actor._meta.db_table, "slug", "name"),
    "incident": (Incident._meta.db_table, "slug", "title"),
}
CHOICES = {"kind": Claim.Kind, "standing": Standing}


def _facet(
    matching: QuerySet[Claim], name: str, as_of: dt.date | None, top: int, scan: int | None
) -> Facet:
    if name == "standing" and scan is None:
        inner, params = _standings(matching, as_of)
    else:
        inner, params = _keys(matching, name, as_of, scan).query.sql_with_params()
    grouped = (
        "SELECT facet_key, COUNT(*) AS n, COUNT(*) OVER () AS keys, SUM(COUNT(*)) OVER () AS total"
        f" FROM ({inner}) AS matching WHERE facet_key IS NOT NULL GROUP BY facet_key"
        " ORDER BY n DESC, facet_key LIMIT %s"
    )
    if name in NAMED:
        table, value, label = NAMED[name]
        sql = (
            f"SELECT named.{value}, named.{label}, top.n, top.keys, top.total FROM ({grouped})"
            f" AS top JOIN {table} AS named ON named.id = top.facet_key"
            " ORDER BY top.n DESC, top.facet_key"
        )
    else:
        sql = f"SELECT facet_key, facet_key, n, keys, total FROM ({grouped}) AS top"
    if connection.vendor == "postgresql":
        # The planner prices the standing sub-plan for every matching claim, not for the few
        # answered ones it runs for, and would compile the query (JIT) for longer than it
        # takes to run: about 650 ms of a 950 ms standing facet at 100k claims. Sent in the
        # same string, the setting holds for this statement's transaction only.
        sql = f"SET LOCAL jit = off; {sql}"
    with connection.cursor() as cursor:
        cursor.execute(sql, [*params, top])
        rows = cursor.fetchall()
    choices = CHOICES.get(name)
    values = [
        FacetValue(str(key), choices(key).label if choices else str(label), int(n))
        for key, label, n, _, _ in rows
    ]
    keys, total = (int(rows[0][3]), int(rows[0][4])) if rows else (0, 0)
    return Facet(
        name=name,
        label=LABELS[name],
        values=values,
        other_values=keys - len(values),
        other_count=total - sum(v.count for v in values),
    )
