"""load_demo holds the whole running example, and a second run changes nothing."""

from __future__ import annotations

import datetime as dt
from io import StringIO

import pytest
from django.core.management import call_command
from django.db import models

from claims.models import (
    Attribution,
    CasualtyFigure,
    Claim,
    ClaimTarget,
    Evidence,
    Incident,
    Response,
    Standing,
)
from claims.reading.originators import independent_originator_count
from sources.models import Actor, Affiliation, Alias, Document

pytestmark = pytest.mark.django_db

MODELS = [
    Actor,
    Alias,
    Affiliation,
    Document,
    Incident,
    Claim,
    ClaimTarget,
    CasualtyFigure,
    Response,
    Attribution,
    Evidence,
]


def _snapshot() -> dict[str, list[tuple]]:
    """Every column of every row, so any change at all between two runs shows."""
    return {model.__name__: list(model.objects.order_by("pk").values_list()) for model in MODELS}


@pytest.fixture
def demo(db: None) -> None:
    call_command("load_demo", stdout=StringIO())


def _claim_by(slug: str, words: str) -> Claim:
    return Claim.objects.get(speaker__slug=slug, summary__contains=words)


def test_second_run_changes_nothing(demo: None) -> None:
    before = _snapshot()
    out = StringIO()
    call_command("load_demo", stdout=out)
    assert _snapshot() == before
    assert "nothing added" in out.getvalue()


def test_dry_run_writes_nothing(db: None) -> None:
    out = StringIO()
    call_command("load_demo", "--dry-run", stdout=out)
    assert "Would add" in out.getvalue()
    assert not Claim.objects.exists()


def test_every_actor_and_alias_is_there(demo: None) -> None:
    assert Actor.objects.named("Syrian Civil Defence").get().slug == "white-helmets"
    assert Actor.objects.named("Jabhat al-Nusra").get().slug == "nusra-front"
    assert Actor.objects.get(slug="igor-konashenkov").kind == Actor.Kind.PERSON
    role = Affiliation.objects.get(person__slug="igor-konashenkov")
    assert role.organisation.slug == "russian-defence-ministry"
    for slug in ["reuters", "rt", "russia", "syrian-government", "unnamed-critics"]:
        assert Actor.objects.filter(slug=slug).exists(), slug


def test_casualty_claim_holds_both_figures_and_the_accused(demo: None) -> None:
    claim = _claim_by("white-helmets", "152")
    assert claim.kind == Claim.Kind.CASUALTY_COUNT
    assert claim.spokesperson.kind == Actor.Kind.UNIDENTIFIED
    assert claim.made_precision == "week"
    assert {a.slug for a in claim.accused} == {"russia", "syrian-government"}
    exact, paraphrase = claim.figures.order_by("id")
    assert (exact.low, exact.high, exact.qualifier) == (152, 152, "exactly")
    assert exact.basis.startswith("bodies recovered")
    assert (paraphrase.low, paraphrase.high, paraphrase.as_stated) == (150, None, "over 150")
    assert paraphrase.reported_by.slug == "rt"


def test_casualty_claim_has_the_three_hop_chain(demo: None) -> None:
    claim = _claim_by("white-helmets", "152")
    hops = [(hop.actor.slug, hop.verb) for hop in claim.chain]
    assert hops == [("white-helmets", "said"), ("reuters", "reported"), ("rt", "cited")]
    assert claim.source_document.publisher.slug == "rt"
    assert independent_originator_count(claim) == 1


def test_ministry_denies_disputes_and_attacks_credibility(demo: None) -> None:
    allegation = _claim_by("white-helmets", "152")
    answers = {
        (r.claim.speaker.slug, r.kind)
        for r in Response.objects.filter(answers=allegation).select_related("claim__speaker")
    }
    assert answers == {
        ("russian-defence-ministry", "denies"),
        ("russian-defence-ministry", "disputes"),
        ("russian-defence-ministry", "attacks_credibility"),
    }
    denial = Response.objects.get(answers=allegation, kind="denies").claim
    assert denial.spokesperson.slug == "igor-konashenkov"
    assert allegation.standing == Standing.DENIED


def test_credibility_attack_targets_the_source_and_the_agency(demo: None) -> None:
    attack = Response.objects.get(kind="attacks_credibility").claim
    assert attack.kind == Claim.Kind.CHARACTERISATION
    subjects = set(attack.claim_targets.values_list("actor__slug", flat=True))
    assert subjects == {"white-helmets", "reuters"}
    assert attack.quote == "crooks"


def test_drone_evidence_is_asserted_but_not_produced(demo: None) -> None:
    evidence = Evidence.objects.get()
    assert evidence.relation == Evidence.Relation.CITED_BY_SPEAKER
    assert evidence.availability == Evidence.Availability.NOT_PRODUCED
    assert evidence.claim.speaker.slug == "russian-defence-ministry"
    assert "drone" in evidence.description.lower()


def test_outlet_and_unnamed_critics_speak_for_themselves(demo: None) -> None:
    outlet = _claim_by("rt", "controversial")
    critics = _claim_by("unnamed-critics", "staged")
    assert critics.speaker.is_unidentified
    assert [hop.actor.slug for hop in critics.chain] == ["rt"]
    assert outlet.chain[0].document == critics.chain[0].document


def test_event_claims_have_their_own_incident_and_dates(demo: None) -> None:
    attack = Incident.objects.get(slug="attack-on-russian-military-police-2017")
    summaries = " ".join(attack.claims.values_list("summary", flat=True))
    assert "military police" in summaries
    assert "special forces" in summaries
    strikes = Incident.objects.get(slug="idlib-airstrikes-september-2017")
    assert (strikes.start_on, strikes.start_precision) == (dt.date(2017, 9, 18), "week")
    assert strikes.claims.filter(summary__contains="cruise missiles").exists()


def test_every_demo_row_passes_model_validation(demo: None) -> None:
    for model in MODELS:
        for row in model.objects.all():
            row.full_clean()


def test_no_unquoted_partisan_words_in_the_record(demo: None) -> None:
    """Neutral wording: a party's loaded terms appear only inside quotation marks."""
    loaded = ["regime", "terrorists", "crooks"]
    fields: list[models.Model] = list(Claim.objects.all()) + list(Incident.objects.all())
    for row in fields:
        text = getattr(row, "summary", "") or getattr(row, "description", "")
        unquoted = "".join(text.split('"')[::2]).lower()
        for word in loaded:
            assert word not in unquoted, (word, text)
