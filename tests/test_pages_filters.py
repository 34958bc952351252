"""ClaimFilter: the filters the timeline page and the API lists share."""

from __future__ import annotations

import datetime as dt

import pytest

from claims.models import Claim, Response
from claims.reading.filters import ClaimFilter
from claimtracker.dates import Precision
from sources.models import Actor
from tests.factories import (
    ClaimFactory,
    ClaimTargetFactory,
    IncidentFactory,
    ResponseFactory,
)

pytestmark = pytest.mark.django_db


def _filtered(**params: str) -> set[int]:
    return set(ClaimFilter(params, queryset=Claim.objects.all()).qs.values_list("pk", flat=True))


def test_speaker_filter_takes_a_slug(white_helmets: Actor, defence_ministry: Actor) -> None:
    theirs = ClaimFactory(speaker=white_helmets)
    ClaimFactory(speaker=defence_ministry)
    assert _filtered(speaker="white-helmets") == {theirs.pk}


def test_accused_filter_finds_claims_naming_the_actor(
    white_helmets: Actor, defence_ministry: Actor
) -> None:
    accusing = ClaimFactory(speaker=white_helmets)
    ClaimTargetFactory(claim=accusing, actor=defence_ministry)
    ClaimFactory(speaker=defence_ministry)
    assert _filtered(accused="russian-defence-ministry") == {accusing.pk}


def test_actor_filter_matches_speaker_or_accused_once_each(
    white_helmets: Actor, defence_ministry: Actor
) -> None:
    accusing = ClaimFactory(speaker=white_helmets)
    ClaimTargetFactory(claim=accusing, actor=defence_ministry)
    spoken = ClaimFactory(speaker=defence_ministry)
    ClaimFactory()
    qs = ClaimFilter({"actor": "russian-defence-ministry"}, queryset=Claim.objects.all()).qs
    assert sorted(qs.values_list("pk", flat=True)) == sorted([accusing.pk, spoken.pk])


def test_incident_and_kind_filters(white_helmets: Actor) -> None:
    incident = IncidentFactory(slug="idlib")
    count = ClaimFactory(incident=incident, kind=Claim.Kind.CASUALTY_COUNT)
    ClaimFactory(incident=incident, kind=Claim.Kind.EVENT)
    ClaimFactory(kind=Claim.Kind.CASUALTY_COUNT)
    assert _filtered(incident="idlib", kind="casualty_count") == {count.pk}


def test_standing_filter_uses_the_derived_standing() -> None:
    allegation = ClaimFactory()
    ClaimFactory()
    ResponseFactory(answers=allegation, kind=Response.Kind.DENIES)
    denied = _filtered(standing="denied")
    assert denied == {allegation.pk}


def test_unknown_actor_slug_is_a_form_error_not_a_crash() -> None:
    claims = ClaimFilter({"speaker": "nobody"}, queryset=Claim.objects.all())
    assert not claims.is_valid()
    assert "speaker" in claims.errors


def test_since_counts_a_week_precision_claim_for_its_whole_week() -> None:
    # Stored on Monday 18 Sep 2017, standing for 18–24 Sep.
    week = ClaimFactory(made_on=dt.date(2017, 9, 18), made_precision=Precision.WEEK)
    day = ClaimFactory(made_on=dt.date(2017, 9, 18), made_precision=Precision.DAY)
    assert _filtered(since="2017-09-24") == {week.pk}
    assert _filtered(since="2017-09-25") == set()
    assert day.pk in _filtered(since="2017-09-18")


def test_until_counts_a_month_precision_claim_from_its_first_day() -> None:
    month = ClaimFactory(made_on=dt.date(2017, 9, 1), made_precision=Precision.MONTH)
    later_day = ClaimFactory(made_on=dt.date(2017, 9, 20))
    assert _filtered(until="2017-09-01") == {month.pk}
    assert _filtered(since="2017-09-30", until="2017-10-31") == {month.pk}
    assert later_day.pk in _filtered(since="2017-09-20", until="2017-09-20")


def test_status_and_language_filters() -> None:
    draft = ClaimFactory(status=Claim.Status.DRAFT, quote="x", quote_language="ru")
    ClaimFactory(quote_language="en")
    assert _filtered(status="draft") == {draft.pk}
    assert _filtered(language="RU") == {draft.pk}
