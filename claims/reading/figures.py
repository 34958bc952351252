"""Casualty figures as the record holds them by a date: who gave which, grouped, in date order.

A group is one incident's figures for one outcome and category ("civilians killed"): figures of
different groups never share a scale or a comparison. Within a group each speaker's figures in
date order make its trajectory (22, then 30, then 42).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass, field

from django.db.models import Exists, Model, OuterRef, Q, QuerySet

from claims.models import CasualtyFigure, Claim, Incident, Response, category_words, made_by
from claims.reading.originators import origins_of
from sources.models import Actor

# Answers by a claim's own speaker that move it on (its standing's "superseded" or
# "retracted"): what the flags count as a correction recorded.
CORRECTION_KINDS = (*Response.REVISING, Response.Kind.RETRACTS)

# The columns the flags, the charts and the API's references read, in each model's field order
# (Model.from_db takes them so): a claim's quote, translation and history columns, an actor's or
# an incident's description, are never shown with a figure.
FIGURE_FIELDS = (
    *("id", "claim_id", "category", "outcome", "low", "high", "qualifier", "as_stated", "basis"),
    "reported_by_id",
)
CLAIM_FIELDS = (
    *("id", "speaker_id", "kind", "summary", "made_on", "made_precision", "incident_id"),
    *("status", "uid"),
)
ACTOR_FIELDS = ("id", "name", "slug", "kind")
INCIDENT_FIELDS = ("id", "title", "slug")
FIGURE_COLUMNS = (
    *FIGURE_FIELDS,
    *(f"claim__{c}" for c in CLAIM_FIELDS),
    *(f"claim__speaker__{c}" for c in ACTOR_FIELDS),
    *(f"claim__incident__{c}" for c in INCIDENT_FIELDS),
    *(f"reported_by__{c}" for c in ACTOR_FIELDS),
)

OUTCOME_ORDER = {value: n for n, value in enumerate(CasualtyFigure.Outcome.values)}
CATEGORY_ORDER = {value: n for n, value in enumerate(CasualtyFigure.Category.values)}


def _published(as_of: dt.date | None) -> QuerySet[CasualtyFigure]:
    figures = CasualtyFigure.objects.filter(claim__status=Claim.Status.PUBLISHED)
    if as_of is not None:
        figures = figures.filter(made_by(as_of, prefix="claim__"))
    return figures


def published_figures(as_of: dt.date | None = None) -> QuerySet[CasualtyFigure]:
    """Figures of published claims (made by ``as_of`` when given), in the claims' date order,
    with the claim, its speaker and incident and the relay that worded the figure."""
    # Only the columns FIGURE_COLUMNS names: the busiest incident's 18,927 figures took 5.5 s
    # to load whole and 3.4 s like this (figure_record reads them faster still, as rows).
    return (
        _published(as_of)
        .select_related("claim__speaker", "claim__incident", "reported_by")
        .only(*FIGURE_COLUMNS)
        .order_by("claim__made_on", "claim_id", "id")
    )


def incident_scope(incident: Incident, as_of: dt.date | None) -> QuerySet[CasualtyFigure]:
    """The figures an incident's flags are read over: every published figure about it."""
    return published_figures(as_of).filter(claim__incident=incident)


def actor_scope(actor: Actor, as_of: dt.date | None) -> QuerySet[CasualtyFigure]:
    """The figures an actor's flags are read over: its own, and every other party's figures in
    the groups (incident, outcome, category) it gave figures for, the other side of a comparison.

    Flags compare figures of one group only, so the other groups of those incidents cannot flag
    one of its figures: at a million claims the busiest actor's incidents hold 297,052 published
    figures, its groups 178,626.
    """
    its_own = _published(as_of).filter(claim__speaker=actor)
    in_its_group = its_own.filter(
        claim__incident=OuterRef("claim__incident"),
        outcome=OuterRef("outcome"),
        category=OuterRef("category"),
    )
    return published_figures(as_of).filter(Exists(in_its_group) | Q(claim__speaker=actor))


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


def _built(
    built: dict[int, Model], model: type[Model], db: str, fields: tuple, values: tuple
) -> Model | None:
    """The row's instance of ``model``, built once per id (None for a null reference)."""
    if values[0] is None:
        return None
    if (instance := built.get(values[0])) is None:
        instance = built[values[0]] = model.from_db(db, fields, values)
    return instance


def load_figures(scope: QuerySet[CasualtyFigure]) -> list[CasualtyFigure]:
    """The scope's figures, read as rows of FIGURE_COLUMNS, with each claim, actor and incident
    built once and shared. ``select_related`` builds a claim, a speaker, an incident and a relay
    for every figure: the busiest actor's 178,626 figures at a million claims took 35 s that way.
    """
    figure_end = len(FIGURE_FIELDS)
    claim_end = figure_end + len(CLAIM_FIELDS)
    speaker_end = claim_end + len(ACTOR_FIELDS)
    incident_end = speaker_end + len(INCIDENT_FIELDS)
    claims: dict[int, Model] = {}
    actors: dict[int, Model] = {}
    incidents: dict[int, Model] = {}
    figures = []
    db = scope.db
    for row in scope.values_list(*FIGURE_COLUMNS):
        claim = claims.get(row[figure_end])
        if claim is None:
            claim = claims[row[figure_end]] = Claim.from_db(
                db, CLAIM_FIELDS, row[figure_end:claim_end]
            )
            speaker = _built(actors, Actor, db, ACTOR_FIELDS, row[claim_end:speaker_end])
            incident = _built(
                incidents, Incident, db, INCIDENT_FIELDS, row[speaker_end:incident_end]
            )
            _CLAIM_SPEAKER.set_cached_value(claim, speaker)
            _CLAIM_INCIDENT.set_cached_value(claim, incident)
        figure = CasualtyFigure.from_db(db, FIGURE_FIELDS, row[:figure_end])
        _FIGURE_CLAIM.set_cached_value(figure, claim)
        relay = _built(actors, Actor, db, ACTOR_FIELDS, row[incident_end:])
        _FIGURE_REPORTED_BY.set_cached_value(figure, relay)
        figures.append(figure)
    return figures


_CLAIM_SPEAKER = Claim._meta.get_field("speaker")
_CLAIM_INCIDENT = Claim._meta.get_field("incident")
_FIGURE_CLAIM = CasualtyFigure._meta.get_field("claim")
_FIGURE_REPORTED_BY = CasualtyFigure._meta.get_field("reported_by")


def figure_record(figures: Iterable[CasualtyFigure], as_of: dt.date | None = None) -> FigureRecord:
    """At most three queries after the figures: origins, originators heard only through relays,
    recorded corrections. A queryset of figures is read as rows (``load_figures``)."""
    figures = load_figures(figures) if isinstance(figures, QuerySet) else list(figures)
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
