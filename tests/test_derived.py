"""Derived values: a claim's standing, an incident's figure spread, independent originators."""

from __future__ import annotations

import datetime as dt

import pytest

from claims.models import Claim, Standing
from claims.reading.originators import independent_originator_count, independent_originators
from sources.models import Actor
from tests.factories import (
    ActorFactory,
    AttributionFactory,
    ClaimFactory,
    FigureFactory,
    IncidentFactory,
    ResponseFactory,
)

pytestmark = pytest.mark.django_db


def _answer(allegation: Claim, kind: str, *, speaker: Actor | None = None, **extra) -> Claim:
    answer = ClaimFactory(speaker=speaker or ActorFactory(), **extra)
    ResponseFactory(claim=answer, answers=allegation, kind=kind)
    return answer


def _standing(claim: Claim) -> str:
    annotated = Claim.objects.with_standing().get(pk=claim.pk).standing
    unannotated = Claim.objects.get(pk=claim.pk).standing
    assert annotated == unannotated  # both paths read the one SQL definition
    return annotated


def test_claim_with_no_answers_is_unanswered() -> None:
    assert _standing(ClaimFactory()) == Standing.UNANSWERED


def test_denial_makes_a_claim_denied() -> None:
    allegation = ClaimFactory()
    _answer(allegation, "denies")
    assert _standing(allegation) == Standing.DENIED


@pytest.mark.parametrize("kind", ["disputes", "rebuts", "attacks_credibility", "corrects"])
def test_challenge_short_of_denial_makes_a_claim_disputed(kind: str) -> None:
    allegation = ClaimFactory()
    _answer(allegation, kind)
    assert _standing(allegation) == Standing.DISPUTED


@pytest.mark.parametrize("kind", ["confirms", "corroborates"])
def test_support_from_another_actor_makes_a_claim_corroborated(kind: str) -> None:
    allegation = ClaimFactory()
    _answer(allegation, kind)
    assert _standing(allegation) == Standing.CORROBORATED


def test_a_speaker_confirming_itself_corroborates_nothing() -> None:
    allegation = ClaimFactory()
    _answer(allegation, "confirms", speaker=allegation.speaker)
    assert _standing(allegation) == Standing.UNANSWERED


def test_claim_both_challenged_and_supported_is_contested() -> None:
    allegation = ClaimFactory()
    _answer(allegation, "denies")
    _answer(allegation, "corroborates")
    assert _standing(allegation) == Standing.CONTESTED


def test_retraction_by_the_speaker_outranks_everything_else() -> None:
    allegation = ClaimFactory()
    _answer(allegation, "denies")
    _answer(allegation, "corroborates")
    _answer(allegation, "retracts", speaker=allegation.speaker)
    assert _standing(allegation) == Standing.RETRACTED


def test_draft_answers_do_not_change_standing() -> None:
    allegation = ClaimFactory()
    _answer(allegation, "denies", status=Claim.Status.DRAFT)
    assert _standing(allegation) == Standing.UNANSWERED


def test_standing_can_be_filtered_in_the_database() -> None:
    denied, untouched = ClaimFactory(), ClaimFactory()
    _answer(denied, "denies")
    hits = Claim.objects.with_standing().filter(annotated_standing=Standing.DENIED)
    assert list(hits.values_list("pk", flat=True)) == [denied.pk]
    assert untouched.pk not in hits.values_list("pk", flat=True)


def test_standing_reads_the_right_claim_inside_another_query() -> None:
    """Used in a sub-query, the SQL must follow the inner query's table alias, not the outer's."""
    denied, disputed, untouched = ClaimFactory(), ClaimFactory(), ClaimFactory()
    _answer(denied, "denies")
    _answer(disputed, "disputes", speaker=untouched.speaker)
    answered = Claim.objects.with_standing().exclude(annotated_standing=Standing.UNANSWERED)
    outer = Claim.objects.filter(pk__in=answered.values("pk")).with_standing().order_by("pk")
    assert list(outer.values_list("pk", "annotated_standing")) == [
        (denied.pk, Standing.DENIED),
        (disputed.pk, Standing.DISPUTED),
    ]


def test_figure_spread_lists_every_published_figure_by_whom_in_date_order() -> None:
    incident = IncidentFactory()
    later = FigureFactory(
        claim__incident=incident, claim__made_on=dt.date(2017, 9, 28), low=40, high=40
    )
    earliest = FigureFactory(
        claim__incident=incident, claim__made_on=dt.date(2017, 9, 20), low=152, high=152
    )
    same_claim = FigureFactory(
        claim=earliest.claim, low=150, high=None, qualifier="more_than", as_stated="over 150"
    )
    FigureFactory(claim__incident=incident, claim__status=Claim.Status.DRAFT)
    FigureFactory(claim__made_on=dt.date(2017, 9, 1))  # another incident

    spread = list(incident.figure_spread())

    assert spread == [earliest, same_claim, later]
    assert [figure.claim.speaker for figure in spread] == [
        earliest.claim.speaker,
        earliest.claim.speaker,
        later.claim.speaker,
    ]


def test_two_outlets_relaying_one_originator_count_once() -> None:
    ministry = ActorFactory(name="Ministry")
    allegation = ClaimFactory(speaker=ministry)
    for outlet in (ActorFactory(name="Outlet A"), ActorFactory(name="Outlet B")):
        relay = _answer(allegation, "corroborates", speaker=outlet)
        AttributionFactory(claim=relay, position=1, actor=ministry, verb="cited")
        AttributionFactory(claim=relay, position=2, actor=outlet, verb="reported")

    assert independent_originator_count(allegation) == 1


def test_independent_sources_each_count() -> None:
    allegation = ClaimFactory()
    _answer(allegation, "corroborates")
    _answer(allegation, "confirms")
    _answer(allegation, "denies")  # a denial is not a source standing behind the claim

    assert independent_originator_count(allegation) == 3


def test_originators_come_from_the_first_hop_of_the_chain() -> None:
    agency = ActorFactory(name="Agency")
    claim = ClaimFactory()
    AttributionFactory(claim=claim, position=2, actor=ActorFactory(), verb="reported")
    AttributionFactory(claim=claim, position=1, actor=agency, verb="said")

    assert independent_originators([claim.pk]) == {claim.pk: {agency.pk}}


def test_originators_for_many_claims_take_two_queries(django_assert_num_queries) -> None:
    claims = [ClaimFactory() for _ in range(5)]
    for claim in claims:
        _answer(claim, "corroborates")
    with django_assert_num_queries(2):
        counts = independent_originators([c.pk for c in claims])
    assert {len(origins) for origins in counts.values()} == {2}
