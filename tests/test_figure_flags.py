"""Discrepancy flags on hand-built records: each rule's known answer, and its near miss."""

from __future__ import annotations

import datetime as dt

import pytest

from claims.models import CasualtyFigure, Response
from claims.reading.discrepancies import Rule, discrepancies
from claims.reading.figures import actor_scope, figure_record, load_figures, published_figures
from tests.factories import (
    ActorFactory,
    AttributionFactory,
    ClaimFactory,
    FigureFactory,
    IncidentFactory,
)

pytestmark = pytest.mark.django_db

Q = CasualtyFigure.Qualifier


@pytest.fixture
def incident():
    return IncidentFactory(slug="hospital")


@pytest.fixture
def msf():
    return ActorFactory(name="MSF", slug="msf")


@pytest.fixture
def ministry():
    return ActorFactory(name="Ministry", slug="ministry")


def said(speaker, day, low, high=None, *, incident, via=None, **figure):
    """A figure ``speaker`` gave on ``day`` October 2015; ``via``: the actor it relays."""
    claim = ClaimFactory(speaker=speaker, incident=incident, made_on=dt.date(2015, 10, day))
    if via is not None:
        AttributionFactory(claim=claim, position=1, actor=via, verb="said")
    if "qualifier" not in figure:
        figure["qualifier"] = Q.EXACTLY if low == high else Q.BETWEEN
    return FigureFactory(claim=claim, low=low, high=high, **figure)


def flags(rule: Rule | None = None) -> list[tuple[str, list[int], str, float | None]]:
    found = discrepancies(figure_record(published_figures()))
    return [
        (f.rule.value, f.figure_ids, f.text, f.ratio)
        for f in found
        if rule is None or f.rule == rule
    ]


# --- lowered by its own speaker, no correction recorded ------------------------------------


def test_a_speaker_lowering_its_own_figure_is_flagged(incident, msf) -> None:
    before = said(msf, 3, 42, 42, incident=incident)
    after = said(msf, 5, 30, 30, incident=incident)

    assert flags() == [
        (
            "lowered",
            [after.pk, before.pk],
            "MSF gives 30 civilians killed (5 Oct 2015), below its own earlier 42 (3 Oct 2015); "
            "the record holds no correction by MSF of the earlier claim.",
            None,
        )
    ]


def test_a_lowering_with_a_correction_recorded_is_not_flagged(incident, msf) -> None:
    before = said(msf, 3, 42, 42, incident=incident)
    after = said(msf, 5, 30, 30, incident=incident)
    Response.objects.create(claim=after.claim, answers=before.claim, kind="corrects")

    assert flags() == []


def test_an_update_by_the_speaker_counts_as_a_correction(incident, msf) -> None:
    before = said(msf, 3, 42, 42, incident=incident)
    after = said(msf, 5, 30, 30, incident=incident)
    Response.objects.create(claim=after.claim, answers=before.claim, kind="updates")

    assert flags() == []


def test_a_correction_by_someone_else_does_not_excuse_the_lowering(incident, msf, ministry) -> None:
    before = said(msf, 3, 42, 42, incident=incident)
    said(msf, 5, 30, 30, incident=incident)
    other = ClaimFactory(speaker=ministry, incident=incident, made_on=dt.date(2015, 10, 6))
    Response.objects.create(claim=other, answers=before.claim, kind="corrects")

    assert [f[0] for f in flags()] == ["lowered"]


def test_a_drop_below_the_threshold_is_not_flagged_until_the_threshold_is_lowered(
    incident, msf, settings
) -> None:
    said(msf, 3, 100, 100, incident=incident)
    said(msf, 5, 97, 97, incident=incident)
    assert flags() == []  # 3% below, under the default 5%

    settings.FIGURE_FLAG_LOWERED_BY = 0.02
    assert [f[0] for f in flags()] == ["lowered"]


def test_a_rising_toll_and_an_overlapping_range_are_not_lowerings(incident, msf) -> None:
    said(msf, 3, 22, 22, incident=incident)
    said(msf, 5, 30, 30, incident=incident)
    said(msf, 7, 42, 42, incident=incident)
    said(msf, 9, 40, None, incident=incident, qualifier=Q.MORE_THAN)
    said(msf, 11, 35, 45, incident=incident)

    assert flags() == []


def test_figures_of_another_outcome_are_not_compared(incident, msf) -> None:
    said(msf, 3, 42, 42, incident=incident)
    said(msf, 5, 10, 10, incident=incident, outcome="injured")

    assert flags() == []


# --- parties' ranges that do not overlap -----------------------------------------------------


def test_parties_whose_latest_ranges_do_not_overlap_are_flagged_with_the_ratio(
    incident, msf, ministry
) -> None:
    said(msf, 3, 22, 22, incident=incident)
    high = said(msf, 7, 42, 42, incident=incident)
    low = said(ministry, 5, None, 10, incident=incident, qualifier=Q.UP_TO)

    assert flags() == [
        (
            "apart",
            [high.pk, low.pk],
            "MSF's latest figure, 42 civilians killed (7 Oct 2015), and Ministry's, up to 10 "
            "(5 Oct 2015), do not overlap: the lowest of the first is 4.2 times the highest of "
            "the second.",
            4.2,
        )
    ]


def test_overlapping_ranges_and_a_small_gap_are_not_flagged(incident, msf, ministry) -> None:
    said(msf, 3, 25, 50, incident=incident)
    said(ministry, 5, None, 30, incident=incident, qualifier=Q.UP_TO)
    assert flags(Rule.APART) == []

    said(ministry, 6, 20, 20, incident=incident)  # the ministry's latest: 25/20 = 1.25 < 1.5
    assert flags(Rule.APART) == []


def test_a_party_claiming_no_deaths_is_apart_with_no_ratio(incident, msf, ministry) -> None:
    said(msf, 3, 42, 42, incident=incident)
    said(ministry, 5, 0, 0, incident=incident)

    assert [(f[0], f[3]) for f in flags()] == [("apart", None)]
    assert "the lowest of the first is above the highest of the second" in flags()[0][2]


def test_a_relay_is_its_originators_party_not_a_party_of_its_own(incident, msf) -> None:
    outlet = ActorFactory(name="Outlet")
    said(msf, 3, 42, 42, incident=incident)
    said(outlet, 5, 10, 10, incident=incident, via=msf)  # msf's own latest is 42

    assert flags(Rule.APART) == []


# --- an outlet relaying a figure its originator has since superseded ------------------------


def test_a_relay_of_a_figure_its_originator_had_raised_is_flagged(incident, msf) -> None:
    outlet = ActorFactory(name="Outlet")
    said(msf, 3, 22, 22, incident=incident)
    newer = said(msf, 5, 42, 42, incident=incident)
    relay = said(outlet, 8, 22, 22, incident=incident, via=msf)

    assert flags() == [
        (
            "relay_superseded",
            [relay.pk, newer.pk],
            "Outlet relays MSF's 22 civilians killed (8 Oct 2015); MSF has since given 42 "
            "(5 Oct 2015).",
            None,
        )
    ]


def test_a_relay_superseded_after_it_was_made_is_flagged_too(incident, msf) -> None:
    outlet = ActorFactory(name="Outlet")
    said(msf, 3, 22, 22, incident=incident)
    said(outlet, 4, 22, 22, incident=incident, via=msf)
    said(msf, 6, 30, 30, incident=incident)

    assert [f[0] for f in flags()] == ["relay_superseded"]


def test_a_relay_of_the_latest_figure_is_not_flagged(incident, msf) -> None:
    outlet = ActorFactory(name="Outlet")
    said(msf, 3, 22, 22, incident=incident)
    said(msf, 5, 42, 42, incident=incident)
    said(outlet, 8, 42, 42, incident=incident, via=msf)
    said(msf, 9, 15, 15, incident=incident, outcome="injured")  # another group: no bearing

    assert flags() == []


def test_a_newer_figure_the_same_day_waits_for_the_threshold(incident, msf, settings) -> None:
    outlet = ActorFactory(name="Outlet")
    said(msf, 3, 22, 22, incident=incident)
    said(outlet, 3, 22, 22, incident=incident, via=msf)
    said(msf, 3, 25, 25, incident=incident)
    assert flags(Rule.RELAY_SUPERSEDED) == []  # at least one day later, by default

    settings.FIGURE_FLAG_SUPERSEDED_DAYS = 0
    assert [f[0] for f in flags(Rule.RELAY_SUPERSEDED)] == ["relay_superseded"]


def test_a_relay_of_a_statement_its_originator_corrected_is_flagged(incident, msf) -> None:
    outlet = ActorFactory(name="Outlet")
    source = said(msf, 3, 22, 22, incident=incident)
    said(outlet, 4, 22, 22, incident=incident, via=msf)
    correction = ClaimFactory(speaker=msf, incident=incident, made_on=dt.date(2015, 10, 5))
    Response.objects.create(claim=correction, answers=source.claim, kind="corrects")

    (flag,) = flags()
    assert flag[0] == "relay_superseded"
    assert (
        flag[2]
        == "Outlet relays MSF's 22 civilians killed (4 Oct 2015); MSF has since corrected it."
    )


# --- the same figure counted twice by two relays of one originator --------------------------


def test_two_relays_of_one_originators_figure_are_flagged(incident, msf) -> None:
    first, second = ActorFactory(name="Agency"), ActorFactory(name="Outlet")
    said(msf, 3, 22, 22, incident=incident)
    a = said(first, 4, 22, 22, incident=incident, via=msf)
    b = said(second, 5, 22, 22, incident=incident, via=msf)

    assert flags() == [
        (
            "counted_twice",
            [a.pk, b.pk],
            "Agency and Outlet each carry MSF's figure of 22 civilians killed: one originator, "
            "to be counted once.",
            None,
        )
    ]


def test_relays_of_two_originators_or_one_relay_twice_are_not_counted_twice(
    incident, msf, ministry
) -> None:
    first, second = ActorFactory(name="Agency"), ActorFactory(name="Outlet")
    said(first, 4, 22, 22, incident=incident, via=msf)
    said(second, 5, 22, 22, incident=incident, via=ministry)
    said(first, 6, 22, 22, incident=incident, via=msf)

    assert flags(Rule.COUNTED_TWICE) == []


def test_a_correction_made_after_as_of_does_not_count_as_of_then(incident, msf) -> None:
    before = said(msf, 3, 42, 42, incident=incident)
    said(msf, 5, 30, 30, incident=incident)
    correction = ClaimFactory(speaker=msf, incident=incident, made_on=dt.date(2015, 10, 9))
    Response.objects.create(claim=correction, answers=before.claim, kind="corrects")

    def rules(day: dt.date) -> list[Rule]:
        return [f.rule for f in discrepancies(figure_record(published_figures(day), day))]

    assert rules(dt.date(2015, 10, 6)) == [Rule.LOWERED]
    assert rules(dt.date(2015, 10, 9)) == []


def test_an_actors_flags_are_read_over_the_groups_it_gave_figures_for(
    incident, msf, ministry
) -> None:
    mine = said(ministry, 5, 10, 10, incident=incident)
    elsewhere = FigureFactory(claim=ClaimFactory(speaker=ministry, incident=None), low=4, high=4)
    high = said(msf, 6, 42, 42, incident=incident)
    said(msf, 7, 3, 3, incident=incident, outcome="injured")  # no figure of the ministry's there
    scope = actor_scope(ministry, None)

    assert set(scope) == {mine, elsewhere, high}
    assert [f.figure_ids for f in discrepancies(figure_record(scope))] == [[high.pk, mine.pk]]


def test_figures_read_as_rows_carry_what_the_flags_and_references_read(
    incident, msf, ministry, django_assert_num_queries
) -> None:
    first = said(msf, 3, 42, 42, incident=incident, reported_by=ministry)
    second = said(ministry, 4, None, 10, incident=incident, qualifier=Q.UP_TO)
    with django_assert_num_queries(1):
        loaded = load_figures(published_figures())
        # Claims, speakers, incidents and relays come with the rows: no query per figure.
        read = [
            (f.pk, f.range_display, f.claim.made_display, f.claim.speaker.name, f.claim.uid)
            for f in loaded
        ]
        places = [(f.claim.incident.slug, f.reported_by and f.reported_by.slug) for f in loaded]

    assert read == [
        (first.pk, "42", "3 Oct 2015", "MSF", first.claim.uid),
        (second.pk, "up to 10", "4 Oct 2015", "Ministry", second.claim.uid),
    ]
    assert places == [("hospital", "ministry"), ("hospital", None)]
