"""A claim's standing: every pair of answer kinds, from its own speaker or another party, and
the standing "as of" a day in world time."""

from __future__ import annotations

import collections
import datetime as dt
import itertools

import pytest

from claims.models import Claim, Response, Standing
from sources.models import Actor
from tests.factories import ActorFactory, ClaimFactory, ResponseFactory

pytestmark = pytest.mark.django_db

KINDS = [
    "denies",
    "disputes",
    "rebuts",
    "attacks_credibility",
    "corrects",
    "updates",
    "retracts",
    "confirms",
    "corroborates",
]
# One answer: (kind, whether it comes from the claim's own speaker).
ANSWERS = [(kind, same) for kind in KINDS for same in (True, False)]


def expected(answers: list[tuple[str, bool]]) -> str:
    """The rule, stated here independently of the SQL: the speaker's own retraction, then its
    own revision (corrects or updates), then others' challenges and support."""
    if ("retracts", True) in answers:
        return Standing.RETRACTED
    if ("corrects", True) in answers or ("updates", True) in answers:
        return Standing.SUPERSEDED
    challenges = {"denies", "disputes", "rebuts", "attacks_credibility", "corrects"}
    challenged = any(
        kind in challenges and (kind, same) != ("corrects", True) for kind, same in answers
    )
    supported = any(kind in {"confirms", "corroborates"} and not same for kind, same in answers)
    if challenged and supported:
        return Standing.CONTESTED
    if any(kind == "denies" for kind, _ in answers):
        return Standing.DENIED
    if challenged:
        return Standing.DISPUTED
    if supported:
        return Standing.CORROBORATED
    return Standing.UNANSWERED


def _answer(allegation: Claim, kind: str, *, same: bool, **claim: object) -> Claim:
    speaker = allegation.speaker if same else ActorFactory()
    answer = ClaimFactory(speaker=speaker, **claim)
    ResponseFactory(claim=answer, answers=allegation, kind=kind)
    return answer


def _standing(claim: Claim, as_of: dt.date | None = None) -> str:
    return Claim.objects.with_standing(as_of=as_of).get(pk=claim.pk).standing


def _label(answers: tuple) -> str:
    return "+".join(f"{kind}-{'own' if same else 'other'}" for kind, same in answers)


@pytest.mark.parametrize("answer", ANSWERS, ids=lambda answer: _label((answer,)))
def test_a_single_answer_gives_the_standing_the_rule_says(answer: tuple[str, bool]) -> None:
    allegation = ClaimFactory()
    _answer(allegation, answer[0], same=answer[1])
    assert _standing(allegation) == expected([answer])


@pytest.mark.parametrize(
    "pair", list(itertools.combinations_with_replacement(ANSWERS, 2)), ids=_label
)
def test_every_pair_of_answers_gives_the_standing_the_rule_says(pair: tuple) -> None:
    allegation = ClaimFactory()
    for kind, same in pair:
        _answer(allegation, kind, same=same)
    annotated = _standing(allegation)
    assert annotated == expected(list(pair))
    assert Claim.objects.get(pk=allegation.pk).standing == annotated  # the one SQL definition


def test_a_speaker_giving_a_new_figure_supersedes_its_claim_rather_than_disputing_it() -> None:
    allegation = ClaimFactory()
    _answer(allegation, "corrects", same=True)
    assert _standing(allegation) == Standing.SUPERSEDED
    assert Standing.SUPERSEDED.label == "superseded by its speaker"


def test_another_party_correcting_a_claim_still_disputes_it() -> None:
    allegation = ClaimFactory()
    _answer(allegation, "corrects", same=False)
    assert _standing(allegation) == Standing.DISPUTED


def test_a_superseded_claim_can_be_filtered_in_the_database() -> None:
    revised, denied = ClaimFactory(), ClaimFactory()
    _answer(revised, "updates", same=True)
    _answer(denied, "denies", same=False)
    hits = Claim.objects.with_standing().filter(annotated_standing=Standing.SUPERSEDED)
    assert list(hits.values_list("pk", flat=True)) == [revised.pk]


def test_updates_is_neither_a_challenge_nor_support() -> None:
    assert Response.Kind.UPDATES not in Response.CHALLENGING
    assert Response.Kind.UPDATES not in Response.SUPPORTING
    assert Response.Kind.UPDATES in Response.REVISING


# --- As of a day ----------------------------------------------------------------------------


def _allegation(white_helmets: Actor) -> Claim:
    return ClaimFactory(speaker=white_helmets, made_on=dt.date(2015, 10, 1))


def test_a_denial_made_after_the_day_does_not_count_as_of_that_day(
    white_helmets: Actor, defence_ministry: Actor
) -> None:
    allegation = _allegation(white_helmets)
    denial = ClaimFactory(speaker=defence_ministry, made_on=dt.date(2015, 10, 12))
    ResponseFactory(claim=denial, answers=allegation, kind="denies")

    assert _standing(allegation, as_of=dt.date(2015, 10, 11)) == Standing.UNANSWERED
    assert _standing(allegation, as_of=dt.date(2015, 10, 12)) == Standing.DENIED
    assert _standing(allegation) == Standing.DENIED


@pytest.mark.parametrize(
    ("precision", "made_on", "last_day"),
    [
        ("week", dt.date(2015, 10, 5), dt.date(2015, 10, 11)),  # Monday to Sunday
        ("month", dt.date(2015, 10, 1), dt.date(2015, 10, 31)),
        ("year", dt.date(2015, 1, 1), dt.date(2015, 12, 31)),
    ],
)
def test_a_loosely_dated_answer_counts_only_once_its_period_has_ended(
    white_helmets: Actor, defence_ministry: Actor, precision: str, made_on: dt.date, last_day
) -> None:
    allegation = ClaimFactory(speaker=white_helmets, made_on=dt.date(2015, 1, 1))
    denial = ClaimFactory(speaker=defence_ministry, made_on=made_on, made_precision=precision)
    ResponseFactory(claim=denial, answers=allegation, kind="denies")

    before = last_day - dt.timedelta(days=1)
    assert _standing(allegation, as_of=before) == Standing.UNANSWERED
    assert _standing(allegation, as_of=last_day) == Standing.DENIED


def test_as_of_recomputes_every_flag_not_only_the_latest_answer(
    white_helmets: Actor, defence_ministry: Actor
) -> None:
    allegation = _allegation(white_helmets)
    denial = ClaimFactory(speaker=defence_ministry, made_on=dt.date(2015, 10, 2))
    ResponseFactory(claim=denial, answers=allegation, kind="denies")
    update = ClaimFactory(speaker=white_helmets, made_on=dt.date(2015, 10, 20))
    ResponseFactory(claim=update, answers=allegation, kind="updates")

    assert _standing(allegation, as_of=dt.date(2015, 10, 10)) == Standing.DENIED
    assert _standing(allegation, as_of=dt.date(2015, 10, 20)) == Standing.SUPERSEDED
    as_of = Claim.objects.with_standing(as_of=dt.date(2015, 10, 10))
    assert as_of.filter(annotated_standing=Standing.DENIED).filter(pk=allegation.pk).exists()


def test_the_standing_sql_names_the_claims_table_and_published_status_as_the_model_does():
    from claims.models import Claim
    from claims.models.standing import CLAIM_TABLE, PUBLISHED

    assert (Claim._meta.db_table, Claim.Status.PUBLISHED) == (CLAIM_TABLE, PUBLISHED)


# --- Every claim's standing at once (the standing facet of a whole list) --------------------


@pytest.mark.parametrize("as_of", [None, dt.date(2015, 10, 15)])
def test_the_grouped_pass_gives_each_claim_the_standing_the_per_claim_rule_gives(as_of) -> None:
    from django.db import connection

    from claims.models.standing import answered_standings
    from claims.reading.facets import facets_of

    # One allegation per pair of answers, the second answer made later than the first (so
    # ``as_of`` cuts some pairs in two), and a draft answer that never counts.
    expect: dict[int, str] = {}
    for first, second in itertools.combinations_with_replacement(ANSWERS, 2):
        allegation = ClaimFactory(made_on=dt.date(2015, 10, 1))
        _answer(allegation, first[0], same=first[1], made_on=dt.date(2015, 10, 10))
        _answer(allegation, second[0], same=second[1], made_on=dt.date(2015, 10, 20))
        counted = [first] if as_of else [first, second]
        expect[allegation.pk] = expected(counted)
    ClaimFactory.create_batch(3)  # unanswered
    _answer(ClaimFactory(), "denies", same=False, status=Claim.Status.DRAFT)

    sql, params = answered_standings(connection, as_of)
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        grouped = dict(cursor.fetchall())
    per_claim = dict(
        Claim.objects.with_standing(as_of=as_of).values_list("pk", "annotated_standing")
    )
    assert {pk: grouped.get(pk, Standing.UNANSWERED) for pk in per_claim} == per_claim
    assert {pk: per_claim[pk] for pk in expect} == expect
    facet = facets_of(Claim.objects.all(), ["standing"], as_of=as_of)["standing"]
    counts = {value.value: value.count for value in facet.values}
    assert counts == dict(collections.Counter(per_claim.values()))
