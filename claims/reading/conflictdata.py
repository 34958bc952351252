"""Incidents in the conflict datasets' conventions: UCDP GED's best / low / high and precision
codes, ACLED's fatalities and precision codes, from the figures published claims give.

The rule, written once (``estimate()``), for the people claimed killed in an incident:

1. Each speaker of a published claim about the incident counts once (an originator), by its
   latest claim (date made, then id) that gives a figure of people killed.
2. That claim's total: the sum over the categories that do not overlap (civilians, combatants,
   military personnel, people unspecified, not stated); when it gives none of those, its largest
   figure of a narrower category (children, women, journalists…), since those lie within one.
   An open end ("up to 50", "at least 20") takes the stated end.
3. Across speakers: ``low`` is the lowest total's low end, ``high`` the highest total's high end,
   and ``best`` the median of the totals' low ends (rounded down): the middle speaker's
   conservative count, so no single party's figure sets it. ``deaths_civilians`` is the median
   of the civilian figures, among the speakers who gave one.
"""

from __future__ import annotations

import datetime as dt
import statistics
from dataclasses import dataclass, field

from claims.models import CasualtyFigure, Claim, Incident, LocationPrecision
from claimtracker.dates import Precision

Category = CasualtyFigure.Category
# Categories that do not overlap: summed into a claim's total.
DISJOINT = {
    Category.CIVILIANS,
    Category.COMBATANTS,
    Category.MILITARY,
    Category.PEOPLE,
    Category.UNKNOWN,
}

# UCDP GED where_prec and ACLED geo_precision (see LocationPrecision).
GED_WHERE = {"site": 1, "place": 1, "near": 2, "district": 3, "province": 4, "country": 6}
ACLED_GEO = {"site": 1, "place": 1, "near": 2, "district": 2, "province": 3, "country": 3}
# UCDP GED date_prec: 1 the day, 2 a span of 2-6 days, 3 the week, 4 the month, 5 the year.
GED_DATE = {Precision.DAY: 1, Precision.WEEK: 3, Precision.MONTH: 4, Precision.YEAR: 5}
# ACLED time_precision: 1 the day, 2 the week (or a few days), 3 the month or less precise.
ACLED_TIME = {Precision.DAY: 1, Precision.WEEK: 2, Precision.MONTH: 3, Precision.YEAR: 3}


@dataclass(frozen=True)
class Total:
    speaker: str
    made_on: dt.date
    low: int
    high: int
    civilians: tuple[int, int] | None


@dataclass(frozen=True)
class Estimate:
    best: int | None = None
    low: int | None = None
    high: int | None = None
    civilians: int | None = None
    totals: list[Total] = field(default_factory=list)


def _ends(figure: CasualtyFigure) -> tuple[int, int] | None:
    low = figure.low if figure.low is not None else figure.high
    high = figure.high if figure.high is not None else figure.low
    return None if low is None or high is None else (low, high)


def claim_total(claim: Claim) -> Total | None:
    """The people ``claim`` says were killed, by step 2 of the rule; None when it gives none."""
    killed = [
        (figure.category, ends)
        for figure in claim.figures.all()
        if figure.outcome == CasualtyFigure.Outcome.KILLED and (ends := _ends(figure))
    ]
    if not killed:
        return None
    disjoint = [ends for category, ends in killed if category in DISJOINT]
    if disjoint:
        low, high = sum(e[0] for e in disjoint), sum(e[1] for e in disjoint)
    else:
        low, high = max((e for _, e in killed), key=lambda e: (e[1], e[0]))
    civilian = [ends for category, ends in killed if category == Category.CIVILIANS]
    return Total(claim.speaker.name, claim.made_on, low, high, civilian[0] if civilian else None)


def estimate(claims: list[Claim]) -> Estimate:
    """best / low / high of people killed from ``claims`` (published, about one incident)."""
    latest: dict[int, tuple[tuple[dt.date, int], Total]] = {}
    for claim in claims:
        total = claim_total(claim)
        key = (claim.made_on, claim.pk)
        if total is not None and (
            claim.speaker_id not in latest or latest[claim.speaker_id][0] < key
        ):
            latest[claim.speaker_id] = (key, total)
    totals = [total for _, total in sorted(latest.values(), key=lambda pair: pair[0])]
    if not totals:
        return Estimate()
    civilians = [t.civilians[0] for t in totals if t.civilians is not None]
    return Estimate(
        best=int(statistics.median_low([t.low for t in totals])),
        low=min(t.low for t in totals),
        high=max(t.high for t in totals),
        civilians=int(statistics.median_low(civilians)) if civilians else None,
        totals=totals,
    )


def ged_date_precision(incident: Incident) -> int | None:
    if incident.start_on is None:
        return None
    code = GED_DATE[Precision(incident.start_precision)]
    end = incident.end_on or incident.start_on
    if code == 1 and 1 <= (end - incident.start_on).days <= 6:
        return 2
    return code


def acled_time_precision(incident: Incident) -> int | None:
    return None if incident.start_on is None else ACLED_TIME[Precision(incident.start_precision)]


def where_precision(incident: Incident, codes: dict[str, int]) -> int:
    return codes[LocationPrecision(incident.location_precision)]
