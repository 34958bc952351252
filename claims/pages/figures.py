"""The casualty-figures sections of the incident and actor pages: groups, charts, flags."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Collection, Mapping

from django.core.exceptions import ValidationError
from django.db.models import QuerySet

from claims.models import CasualtyFigure, Incident
from claims.pages.figure_charts import figure_spread, trajectory_charts
from claims.reading.asof import as_of_from
from claims.reading.discrepancies import first_flags
from claims.reading.figures import (
    FigureRow,
    actor_incidents,
    actor_scope,
    figure_groups,
    figure_models,
    figure_record,
    incident_scope,
)
from sources.models import Actor

# A spread draws at most this many rows (in the claims' date order); the API lists them all.
FIGURES_CAP = 60
# The trajectories draw at most this many figures, the latest ones, and the page lists at most
# this many flags: an actor with thousands of figures would otherwise make a page of megabytes
# (2.9 MB for 3,588 claims). The API holds them all.
TRAJECTORY_CAP = 300
FLAGS_CAP = 40


def as_of_or_none(params: Mapping[str, str]) -> tuple[dt.date | None, str]:
    """The page's ``as_of`` and, when it is not a date, the message saying so."""
    try:
        return as_of_from(params), ""
    except ValidationError as error:
        return None, error.message_dict["as_of"][0]


def figures_section(
    scope: QuerySet[CasualtyFigure],
    as_of: dt.date | None,
    mine: Callable[[FigureRow], bool] | None = None,
    incidents: QuerySet | Collection[int] | None = None,
) -> dict[str, object]:
    """Flags read over the whole scope; charts and tables of the figures ``mine`` keeps. Only
    the flags listed are written: the busiest incident at a million claims has half a million.
    The flags read rows; only the figures drawn are built as models, in one more query."""
    record = figure_record(scope, as_of, incidents=incidents)
    shown = [f for f in record.figures if mine is None or mine(f)]
    flags = first_flags(record, None if mine is None else {f.pk for f in shown}, FLAGS_CAP)
    first, latest = shown[:FIGURES_CAP], shown[-TRAJECTORY_CAP:]
    drawn = {f.pk: f for f in figure_models(list({f.pk: f for f in first + latest}.values()))}
    return {
        # What the section tells apart is whether there are figures: the groups of them all
        # would only be kept (the actor's section is kept per record state) to be tested.
        "has_figures": bool(shown),
        "spreads": figure_spread(figure_groups(drawn[f.pk] for f in first)),
        "trajectories": trajectory_charts(figure_groups(drawn[f.pk] for f in latest)),
        "trajectories_capped": len(shown) > TRAJECTORY_CAP,
        "trajectory_cap": TRAJECTORY_CAP,
        "figure_flags": flags.flags,
        "flags_more": max(0, flags.count - FLAGS_CAP),
        "figures_capped": len(shown) > FIGURES_CAP,
        "figures_cap": FIGURES_CAP,
        "figures_as_of": as_of,
    }


def incident_figures_section(incident: Incident, as_of: dt.date | None) -> dict[str, object]:
    return figures_section(incident_scope(incident, as_of), as_of, incidents=[incident.pk])


def actor_figures_section(actor: Actor, as_of: dt.date | None) -> dict[str, object]:
    return figures_section(
        actor_scope(actor, as_of),
        as_of,
        lambda f: f.claim.speaker_id == actor.pk,
        actor_incidents(actor, as_of),
    )
