"""Casualty figures as the record holds them by a date: who gave which, grouped, in date order.

A group is one incident's figures for one outcome and category ("civilians killed"): figures of
different groups never share a scale or a comparison. Within a group each speaker's figures in
date order make its trajectory (22, then 30, then 42).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass, field

from django.db.models import Q, QuerySet

from claims.models import CasualtyFigure, Claim, Incident, Response, category_words, made_by
from claims.reading.originators import origins_of
from sources.models import Actor

# Answers by a claim's own speaker that move it on (its standing's "superseded" or
# "retracted"): what the flags count as a correction recorded.
CORRECTION_KINDS = (*Response.REVISING, Response.Kind.RETRACTS)

_ACTOR_REF = ("id", "name", "slug", "kind")
FIGURE_COLUMNS = (
    *("id", "claim_id", "category", "outcome", "low", "high", "qualifier", "as_stated", "basis"),
    *(f"claim__{c}" for c in ("id", "uid", "kind", "summary", "made_on", "made_precision")),
    *(f"claim__{c}" for c in ("speaker_id", "incident_id", "status")),
    *(f"claim__speaker__{c}" for c in _ACTOR_REF),
    *(f"claim__incident__{c}" for c in ("id", "slug", "title")),
    *(f"reported_by__{c}" for c in _ACTOR_REF),
)

OUTCOME_ORDER = {value: n for n, value in enumerate(CasualtyFigure.Outcome.values)}
CATEGORY_ORDER = {value: n for n, value in enumerate(CasualtyFigure.Category.values)}


def published_figures(as_of: dt.date | None = None) -> QuerySet[CasualtyFigure]:
    """Figures of published claims (made by ``as_of`` when given), in the claims' date order,
    with the claim, its speaker and incident and the relay that worded the figure."""
    figures = CasualtyFigure.objects.filter(claim__status=Claim.Status.PUBLISHED)
    if as_of is not None:
        figures = figures.filter(made_by(as_of, prefix="claim__"))
    # Only the columns the flags, the charts and the API's references read: the busiest
    # incident's 18,927 figures took 5.5 s to load whole and 3.4 s like this (a claim's quote,
    # translation and history columns, an actor's or incident's description, are not shown).
    return (
        figures.select_related("claim__speaker", "claim__incident", "reported_by")
        .only(*FIGURE_COLUMNS)
        .order_by("claim__made_on", "claim_id", "id")
    )


def incident_scope(incident: Incident, as_of: dt.date | None) -> QuerySet[CasualtyFigure]:
    """The figures an incident's flags are read over: every published figure about it."""
    return published_figures(as_of).filter(claim__incident=incident)


def actor_scope(actor: Actor, as_of: dt.date | None) -> QuerySet[CasualtyFigure]:
    """The figures an actor's flags are read over: its own, and every other party's figures for
    the incidents it gave figures for (the other side of a comparison)."""
    figures = published_figures(as_of)
    incidents = figures.filter(claim__speaker=actor).values("claim__incident")
    return figures.filter(Q(claim__incident__in=incidents) | Q(claim__speaker=actor))


def group_key(figure: CasualtyFigure) -> tuple[int | None, str, str]:
    return (figure.claim.incident_id, figure.outcome, figure.category)


def group_label(outcome: str, category: str) -> str:
    """ "civilians killed", "military personnel injured"."""
    category_label = category_words(category)
    return f"{category_label} {CasualtyFigure.Outcome(outcome).label}"


def order_key(figure: CasualtyFigure) -> tuple[dt.date, int, int]:
    """The date order of figures: by the claim's date, then the claim, then the figure."""
    return (figure.claim.made_on, figure.claim_id, figure.pk or 0)


@dataclass
class FigureRecord:
    """Figures with what the flags need to read them: who each claim originates with, and which
    claims their own speakers corrected by the date read."""

    figures: list[CasualtyFigure]
    origins: dict[int, int]  # claim id -> originating actor id
    actors: dict[int, Actor]  # originating actors, by id
    corrected: set[tuple[int, int]]  # (corrected claim id, id of the speaker who corrected it)

    def origin(self, figure: CasualtyFigure) -> int:
        return self.origins.get(figure.claim_id, figure.claim.speaker_id)

    def is_relay(self, figure: CasualtyFigure) -> bool:
        """A claim whose chain starts with someone other than its speaker relays that someone."""
        return self.origin(figure) != figure.claim.speaker_id

    def groups(self) -> dict[tuple[int | None, str, str], list[CasualtyFigure]]:
        grouped: dict[tuple[int | None, str, str], list[CasualtyFigure]] = {}
        for figure in self.figures:
            grouped.setdefault(group_key(figure), []).append(figure)
        return grouped


def figure_record(figures: Iterable[CasualtyFigure], as_of: dt.date | None = None) -> FigureRecord:
    """At most three queries after the figures: origins, originators heard only through relays,
    recorded corrections."""
    figures = list(figures)
    if not figures:
        return FigureRecord([], {}, {}, set())
    claim_ids = {f.claim_id for f in figures}
    origins = origins_of(claim_ids)
    actors = {f.claim.speaker_id: f.claim.speaker for f in figures}
    missing = set(origins.values()) - set(actors)
    # One query for originators heard only through relays (none when every one speaks here).
    actors.update(Actor.objects.in_bulk(missing))
    corrections = Response.objects.filter(
        answers_id__in=claim_ids, kind__in=CORRECTION_KINDS, claim__status=Claim.Status.PUBLISHED
    )
    if as_of is not None:
        corrections = corrections.filter(made_by(as_of, prefix="claim__"))
    corrected = set(corrections.values_list("answers_id", "claim__speaker_id"))
    return FigureRecord(figures, origins, actors, corrected)


@dataclass
class Trajectory:
    """Every figure one speaker gave for one group, in date order."""

    speaker: Actor
    figures: list[CasualtyFigure] = field(default_factory=list)


@dataclass
class FigureGroup:
    incident_id: int | None
    outcome: str
    category: str
    figures: list[CasualtyFigure]
    trajectories: list[Trajectory]

    @property
    def label(self) -> str:
        return group_label(self.outcome, self.category)

    @property
    def slug(self) -> str:
        """For element ids: unique per group on a page."""
        return f"{self.incident_id or 'none'}-{self.outcome}-{self.category}"

    @property
    def incident(self) -> object:
        return self.figures[0].claim.incident


def figure_groups(figures: Iterable[CasualtyFigure]) -> list[FigureGroup]:
    """Figures in groups (killed before injured before missing; categories in their listed order),
    each with one trajectory per speaker, speakers in the order they first gave a figure."""
    grouped: dict[tuple[int | None, str, str], list[CasualtyFigure]] = {}
    first_seen: dict[int | None, int] = {}  # incidents in the order their first figure came
    for figure in sorted(figures, key=order_key):
        grouped.setdefault(group_key(figure), []).append(figure)
        first_seen.setdefault(figure.claim.incident_id, len(first_seen))
    groups = []
    for (incident_id, outcome, category), members in grouped.items():
        lines: dict[int, Trajectory] = {}
        for figure in members:
            speaker = figure.claim.speaker
            lines.setdefault(speaker.pk, Trajectory(speaker)).figures.append(figure)
        groups.append(FigureGroup(incident_id, outcome, category, members, list(lines.values())))
    groups.sort(
        key=lambda g: (
            first_seen[g.incident_id],
            OUTCOME_ORDER.get(g.outcome, 99),
            CATEGORY_ORDER.get(g.category, 99),
        )
    )
    return groups
