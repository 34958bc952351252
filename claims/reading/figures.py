"""Casualty figures as the record holds them by a date: who gave which, grouped, in date order.

A group is one incident's figures for one outcome and category ("civilians killed"): figures of
different groups never share a scale or a comparison. Within a group each speaker's figures in
date order make its trajectory (22, then 30, then 42).

The flags read a whole scope's figures as plain rows (``figure_record``: ``FigureRow``); the
charts, the tables and the API read models, built only for the figures they show
(``figure_models``).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Collection, Iterable, Sequence
from dataclasses import dataclass, field
from typing import Protocol

from django.db.models import Exists, Model, OuterRef, QuerySet

from claims.models import CasualtyFigure, Claim, Incident, Response, category_words, made_by
from claims.reading.originators import origin
from sources.models import Actor

# Answers by a claim's own speaker that move it on (its standing's "superseded" or
# "retracted"): what the flags count as a correction recorded.
CORRECTION_KINDS = (*Response.REVISING, Response.Kind.RETRACTS)

# The columns the charts, the tables and the API's references read, in each model's field order
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

# The figures' date order: by the claim's date, then the claim, then the figure (``order_key``).
DATE_ORDER = ("claim__made_on", "claim_id", "id")
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
    # Each claim's origin goes with it (what figure_rows reads for the flags): a sub-query per
    # row, run only where a query selects it, never by load_figures.
    return (
        _published(as_of)
        .select_related("claim__speaker", "claim__incident", "reported_by")
        .only(*FIGURE_COLUMNS)
        .annotate(origin=origin("claim_id", "claim__speaker_id"))
        .order_by(*DATE_ORDER)
    )


def incident_scope(incident: Incident, as_of: dt.date | None) -> QuerySet[CasualtyFigure]:
    """The figures an incident's flags are read over: every published figure about it."""
    return published_figures(as_of).filter(claim__incident=incident)


def actor_incidents(actor: Actor, as_of: dt.date | None) -> QuerySet:
    """The incidents of an actor's scope, as a sub-query: those it gave figures for."""
    return _published(as_of).filter(claim__speaker=actor).values("claim__incident_id")


def actor_scope(actor: Actor, as_of: dt.date | None) -> QuerySet[CasualtyFigure]:
    """The figures an actor's flags are read over: its own, and every other party's figures in
    the groups (incident, outcome, category) it gave figures for, the other side of a comparison.

    Flags compare figures of one group only, so the other groups of those incidents cannot flag
    one of its figures: at a million claims the busiest actor's incidents hold 297,052 published
    figures, its groups 178,626.

    Its own figures of no incident, which no flag compares, come in the same query as a second
    branch of a UNION ALL, in no order (``figure_rows`` reads the scope in date order). Asked
    with an OR, the planner read every claim for it: at a million claims an actor of two claims
    took 9.5 s, the busiest 10.5 s; each branch planned alone, 0.14 s and 6.0 s (load 7).
    """
    its_own = _published(as_of).filter(claim__speaker=actor)
    in_its_group = its_own.filter(
        claim__incident=OuterRef("claim__incident"),
        outcome=OuterRef("outcome"),
        category=OuterRef("category"),
    )
    in_its_groups = published_figures(as_of).filter(Exists(in_its_group))
    elsewhere = published_figures(as_of).filter(claim__speaker=actor, claim__incident=None)
    # No order in the branches: SQLite takes none there.
    return in_its_groups.order_by().union(elsewhere.order_by(), all=True)


@dataclass(slots=True, eq=False)
class SpeakerRow:
    """A speaker as the flags name it and the figures endpoints choose it."""

    pk: int
    name: str
    slug: str


@dataclass(slots=True, eq=False)
class ClaimRow:
    """A claim as the flags read it: who said it, when, about which incident."""

    pk: int
    speaker_id: int
    speaker: SpeakerRow
    made_on: dt.date
    made_precision: str
    incident_id: int | None


@dataclass(slots=True, eq=False)
class FigureRow:
    """A figure as the flags read it: a row, not a model. The busiest actor's scope at a million
    claims holds 178,626 figures and a page draws a few hundred: those alone are built as models
    (``figure_models``)."""

    pk: int
    claim_id: int
    claim: ClaimRow
    category: str
    outcome: str
    low: int | None
    high: int | None
    qualifier: str

    @property
    def range_display(self) -> str:
        """Worded by the model, for the few figures a written flag names."""
        return CasualtyFigure(qualifier=self.qualifier, low=self.low, high=self.high).range_display


class Named(Protocol):
    """What a flag reads of an actor: a speaker's row, or an originator heard only through
    relays, read as a model."""

    @property
    def name(self) -> str: ...


# What a FigureRow reads, in its order: the figure, its claim, the claim's speaker, and the
# claim's origin (claims.reading.originators.origin) as a column of the same query.
ROW_COLUMNS = (
    *("id", "claim_id", "category", "outcome", "low", "high", "qualifier"),
    *("claim__speaker_id", "claim__made_on", "claim__made_precision", "claim__incident_id"),
    *("claim__speaker__name", "claim__speaker__slug", "origin"),
)


def group_key(figure: CasualtyFigure | FigureRow) -> tuple[int | None, str, str]:
    return (figure.claim.incident_id, figure.outcome, figure.category)


def group_label(outcome: str, category: str) -> str:
    """ "civilians killed", "military personnel injured"."""
    category_label = category_words(category)
    return f"{category_label} {CasualtyFigure.Outcome(outcome).label}"


def order_key(figure: CasualtyFigure | FigureRow) -> tuple[dt.date, int, int]:
    """The date order of figures: by the claim's date, then the claim, then the figure."""
    return (figure.claim.made_on, figure.claim_id, figure.pk or 0)


@dataclass
class FigureRecord:
    """Figures with what the flags need to read them: who each claim originates with, and which
    claims their own speakers corrected by the date read."""

    figures: list[FigureRow]
    origins: dict[int, int]  # claim id -> originating actor id (where it is not the speaker)
    actors: dict[int, Named]  # speakers and originating actors, by id
    corrected: set[tuple[int, int]]  # (corrected claim id, id of the speaker who corrected it)
    relays: set[int] = field(init=False)  # ids of the claims that relay someone (is_relay)

    def __post_init__(self) -> None:
        # Asked about a million times for the busiest actor's scope, once per figure and rule.
        self.relays = {
            f.claim_id
            for f in self.figures
            if self.origins.get(f.claim_id, f.claim.speaker_id) != f.claim.speaker_id
        }

    def origin(self, figure: FigureRow) -> int:
        return self.origins.get(figure.claim_id, figure.claim.speaker_id)

    def is_relay(self, figure: FigureRow) -> bool:
        """A claim whose chain starts with someone other than its speaker relays that someone."""
        return figure.claim_id in self.relays

    def groups(self) -> dict[tuple[int | None, str, str], list[FigureRow]]:
        grouped: dict[tuple[int | None, str, str], list[FigureRow]] = {}
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


def figure_rows(
    scope: QuerySet[CasualtyFigure],
) -> tuple[list[FigureRow], dict[int, int], dict[int, SpeakerRow]]:
    """The scope's figures as rows, in its order, each claim and speaker built once; with each
    claim's origin where it is not the speaker, and the speakers by id. One query."""
    claims: dict[int, ClaimRow] = {}
    speakers: dict[int, SpeakerRow] = {}
    origins: dict[int, int] = {}
    figures = []
    # The scope's order given again: an actor's is a UNION ALL of two branches in no order.
    rows = scope.values_list(*ROW_COLUMNS).order_by(*DATE_ORDER)
    for row in rows:
        pk, claim_id, category, outcome, low, high, qualifier = row[:7]
        speaker_id, made_on, made_precision, incident_id = row[7:11]
        name, slug, origin_id = row[11:]
        claim = claims.get(claim_id)
        if claim is None:
            speaker = speakers.get(speaker_id)
            if speaker is None:
                speaker = speakers[speaker_id] = SpeakerRow(speaker_id, name, slug)
            claim = claims[claim_id] = ClaimRow(
                claim_id, speaker_id, speaker, made_on, made_precision, incident_id
            )
            if origin_id != speaker_id:
                origins[claim_id] = origin_id
        figures.append(FigureRow(pk, claim_id, claim, category, outcome, low, high, qualifier))
    return figures, origins, speakers


def figure_record(
    scope: QuerySet[CasualtyFigure],
    as_of: dt.date | None = None,
    *,
    incidents: QuerySet | Collection[int] | None = None,
) -> FigureRecord:
    """Three queries at most: the figures with their origins (``figure_rows``), originators
    heard only through relays, recorded corrections.

    ``incidents``, where given, holds every incident of the scope (``actor_incidents``, or the
    incident's own id): the corrections are read for the claims about them, cheaper to find
    than the scope's own. Corrections of claims outside the scope are read and never asked for;
    those of claims of no incident are not read, as no flag compares such figures."""
    figures, origins, speakers = figure_rows(scope)
    if not figures:
        return FigureRecord([], {}, {}, set())
    actors: dict[int, Named] = dict(speakers)
    # One query for originators heard only through relays (none when every one speaks here).
    actors.update(Actor.objects.in_bulk(set(origins.values()) - set(actors)))
    corrections = Response.objects.filter(
        kind__in=CORRECTION_KINDS, claim__status=Claim.Status.PUBLISHED
    )
    # Not the claims' ids in an IN list. The scope itself as a sub-query would be read twice:
    # 5 s more for the busiest actor at a million claims.
    if incidents is None:
        corrections = corrections.filter(answers_id__in=scope.values("claim_id"))
    else:
        corrections = corrections.filter(answers__incident_id__in=incidents)
    if as_of is not None:
        corrections = corrections.filter(made_by(as_of, prefix="claim__"))
    corrected = set(corrections.values_list("answers_id", "claim__speaker_id"))
    return FigureRecord(figures, origins, actors, corrected)


def figure_models(figures: Sequence[FigureRow]) -> list[CasualtyFigure]:
    """Those figures as models, in the same order, with what the charts, tables and the API's
    references read (``load_figures``); one query, none for no figures."""
    if not figures:
        return []
    chosen = published_figures().filter(pk__in=[f.pk for f in figures])
    built = {f.pk: f for f in load_figures(chosen)}
    return [built[f.pk] for f in figures]


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
