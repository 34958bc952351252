"""Figure charts: grouped by outcome and category, a scale per group, open ends as short
arrows, the scale kept in view on long spreads; trajectories with loose dates as spans."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from django.test import Client

from claims.models import CasualtyFigure, Claim, Incident
from claims.pages import figure_charts
from claims.pages.charts import LEFT
from claims.reading.figures import figure_groups
from claimtracker.dates import Precision
from sources.models import Actor
from tests.factories import ActorFactory, ClaimFactory, FigureFactory, IncidentFactory

Q = CasualtyFigure.Qualifier
SPEAKERS = {n: Actor(pk=n, name=f"Party {n}", slug=f"party-{n}") for n in range(1, 4)}
INCIDENT = Incident(pk=1, title="Strike", slug="strike")


def figure(low, high, qualifier=None, *, speaker=1, day=1, precision=Precision.DAY, **kw):
    claim = Claim(
        pk=day * 10 + speaker,
        speaker=SPEAKERS[speaker],
        incident=INCIDENT,
        made_on=dt.date(2015, 10, day),
        made_precision=precision,
    )
    qualifier = qualifier or (Q.EXACTLY if low == high else Q.BETWEEN)
    defaults = {"outcome": "killed", "category": "civilians"}
    return CasualtyFigure(
        pk=claim.pk, claim=claim, low=low, high=high, qualifier=qualifier, **(defaults | kw)
    )


def spread(*figures):
    return figure_charts.figure_spread(figure_groups(figures))


def test_outcomes_and_categories_are_drawn_apart_each_on_its_own_scale() -> None:
    groups = spread(
        figure(1000, 1000, category="combatants"),
        figure(12, 12, category="children"),
        figure(40, 40, outcome="injured", category="children"),
        figure(150, 150),
    )

    assert [g.label for g in groups] == [
        "civilians killed",
        "children killed",
        "combatants killed",
        "children injured",
    ]
    assert [g.top for g in groups] == [200, 15, 1500, 50]
    (twelve,) = groups[1].bars
    assert twelve.x1 > 70  # 12 of 15, not a dot beside a thousand


def test_an_open_ended_figure_is_a_short_arrow_not_a_bar_to_the_edge() -> None:
    (group,) = spread(figure(152, 152), figure(150, None, Q.MORE_THAN, day=2))
    exact, more_than = group.bars

    assert more_than.open_high
    assert more_than.x2 == round(more_than.x1 + figure_charts.ARROW, 2)
    assert more_than.x2 < group.right_edge
    assert more_than.x1 < exact.x1


def test_up_to_starts_open_at_zero() -> None:
    ((bar,),) = [g.bars for g in spread(figure(None, 40, Q.UP_TO))]
    assert bar.open_low
    assert bar.x1 == LEFT
    assert bar.x1 < bar.x2


def test_a_long_spread_repeats_its_scale_between_rows() -> None:
    (group,) = spread(*[figure(n, n, day=1 + n % 28) for n in range(1, 30)])

    repeats = [n for n, bar in enumerate(group.bars) if bar.axis_before]
    assert repeats == [12, 24]
    assert group.bars[12].y - group.bars[11].y == 64 + 30  # the gap holds the scale


def test_a_trajectory_joins_each_speakers_figures_and_draws_a_loose_date_as_a_span() -> None:
    groups = figure_groups(
        [
            figure(22, 22, day=3),
            figure(30, 30, day=5),
            figure(42, 42, day=12, precision=Precision.WEEK),
            figure(10, None, Q.MORE_THAN, speaker=2, day=4),
        ]
    )
    (chart,) = figure_charts.trajectory_charts(groups)
    first, second = chart.lines

    assert [s.figure.low for s in first.steps] == [22, 30, 42]
    assert len(first.segments) == 2
    day, _, week = first.steps
    assert not day.is_span
    assert week.is_span
    assert week.width > 5 * day.width
    assert first.steps[2].y_top < first.steps[1].y_top < day.y_top  # rising numbers go up
    (open_step,) = second.steps
    assert open_step.open_high
    assert open_step.y_bottom - open_step.y_top == figure_charts.ARROW_PX


def test_no_figures_draw_no_chart() -> None:
    assert spread() == []
    assert figure_charts.trajectory_charts([]) == []


# --- the SVG the incident page sends ---------------------------------------------------------


@pytest.fixture
def many_figures(db) -> Incident:
    incident = IncidentFactory(slug="many-figures")
    parties = [ActorFactory(name=f"Party {n}") for n in range(4)]
    for n in range(25):  # 51 figures: under the spread's cap of 60
        claim = ClaimFactory(
            speaker=parties[n % 4], incident=incident, made_on=dt.date(2015, 10, 1 + n % 28)
        )
        FigureFactory(claim=claim, low=100 + n, high=100 + n)
        FigureFactory(claim=claim, low=n, high=None, qualifier=Q.AT_LEAST, outcome="injured")
    FigureFactory(
        claim=ClaimFactory(speaker=parties[0], incident=incident, made_on=dt.date(2015, 10, 2)),
        category="combatants",
        low=3000,
        high=3500,
        qualifier=Q.BETWEEN,
    )
    return incident


def spreads_of(html: str) -> list[str]:
    return re.findall(r'class="spread">(.*?)</svg>\s*<figcaption', html, re.S)


def test_the_page_draws_one_spread_and_one_trajectory_per_group(
    client: Client, many_figures: Incident
) -> None:
    html = client.get("/incidents/many-figures/").content.decode()

    assert len(spreads_of(html)) == 3
    assert html.count('class="trajectory-plot"') == 3
    titles = re.findall(r'<title id="spread-[^"]+">([^<]+)</title>', html)
    assert titles == [
        "Civilians killed: every figure claimed",
        "Combatants killed: every figure claimed",
        "Civilians injured: every figure claimed",
    ]
    assert "on a scale from 0 to 5000 chosen for these figures alone" in html
    assert "on a scale from 0 to 200 chosen for these figures alone" in html


def test_the_pages_open_ended_figures_end_in_short_arrows(
    client: Client, many_figures: Incident
) -> None:
    html = client.get("/incidents/many-figures/").content.decode()
    injured = spreads_of(html)[2]
    ends = re.findall(
        r'<line class="figure range open" x1="([0-9.]+)%" x2="([0-9.]+)%"[^>]*marker-end', injured
    )

    assert len(ends) == 25
    assert all(float(x2) - float(x1) <= figure_charts.ARROW + 0.01 for x1, x2 in ends)


def test_the_pages_long_spread_keeps_its_scale_in_view(
    client: Client, many_figures: Incident
) -> None:
    html = client.get("/incidents/many-figures/").content.decode()
    killed = spreads_of(html)[0]

    assert html.count('<div class="sticky-axis" aria-hidden="true">') == 3
    assert killed.count('<text class="repeat"') == 2 * 6  # after rows 12 and 24: 6 ticks each
