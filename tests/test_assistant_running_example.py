"""The running example end to end: proposals for its article, accepted unchanged, give the
demo's statements — speakers, spokespeople, figures, chains, targets and answers."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import pytest

from claims.assistant.drafts import create_drafts
from claims.assistant.record import propose_from_record
from claims.devdata import demo
from claims.models import Claim, Response
from claims.record.actors import save_actor
from claims.record.workflow import OPERATOR
from sources.models import Actor, Affiliation, Alias

ARTICLE = json.loads(
    (Path(__file__).parent / "data/assistant/articles/00-running-example.json").read_text()
)


@pytest.fixture
def demo_actors(db):
    """The demo's actors, aliases and Konashenkov's role; none of its claims."""
    for slug, name, kind, country, _description, aliases in demo.ACTORS:
        save_actor(
            by=OPERATOR,
            values={"slug": slug, "name": name, "kind": kind, "country": country},
            aliases=[Alias(name=n, language=lang) for n, lang in aliases],
        )
    person = Actor.objects.get(slug="igor-konashenkov")
    role = Affiliation(organisation=Actor.objects.get(slug=demo.MINISTRY), role="spokesman")
    save_actor(by=OPERATOR, values={}, actor=person, affiliations=[role])


def _proposals():
    return propose_from_record(ARTICLE["text"], published_on=dt.date(2017, 9, 26), publisher="rt")


def _shape(claim: Claim) -> dict:
    """What the demo and the drafts are compared on."""
    return {
        "speaker": claim.speaker.slug,
        "kind": claim.kind,
        "figures": sorted(
            (
                f.low,
                f.high,
                f.qualifier,
                f.category,
                f.outcome,
                getattr(f.reported_by, "slug", None),
            )
            for f in claim.figures.all()
        ),
        "chain": [(h.actor.slug, h.verb) for h in claim.chain],
        "accused": sorted(t.actor.slug for t in claim.claim_targets.all() if t.role == "accused"),
        "subjects": sorted(t.actor.slug for t in claim.claim_targets.all() if t.role == "subject"),
        "answers": sorted((r.kind, r.answers.speaker.slug) for r in claim.responses_made.all()),
    }


def _expected(item: demo.DemoClaim) -> dict:
    speakers = {c.key: c.speaker for c in demo.CLAIMS}
    return {
        "speaker": item.speaker,
        "kind": str(item.kind),
        "figures": sorted(
            (f["low"], f["high"], f["qualifier"], "civilians", "killed", f.get("reported_by"))
            for f in item.figures
        ),
        "chain": [(slug, verb) for slug, verb, _ in item.chain],
        "accused": sorted(item.accused),
        "subjects": sorted(item.subjects),
        "answers": sorted((str(kind), speakers[key]) for key, kind in item.answers),
    }


def test_the_running_example_accepted_unchanged_gives_the_demo_statements(demo_actors):
    written = create_drafts(by=OPERATOR, claims=_proposals().claims)

    drafts = [_shape(claim) for claim in written]
    expected = [_expected(item) for item in demo.CLAIMS]
    assert sorted(map(repr, drafts)) == sorted(map(repr, expected))  # the same, one for one
    assert {c.status for c in written} == {Claim.Status.DRAFT}


def test_the_spokespeople_of_the_running_example_are_the_demo_s(demo_actors):
    written = create_drafts(by=OPERATOR, claims=_proposals().claims)

    voiced = {(c.speaker.slug, getattr(c.spokesperson, "slug", None)) for c in written}
    assert ("white-helmets", "white-helmets-spokesperson") in voiced
    assert (demo.MINISTRY, "igor-konashenkov") in voiced
    assert Claim.objects.get(quote="crooks").spokesperson.slug == "igor-konashenkov"


def test_proposing_writes_nothing(demo_actors, django_assert_num_queries):
    before = (Claim.objects.count(), Actor.objects.count(), Response.objects.count())
    _proposals()
    assert (Claim.objects.count(), Actor.objects.count(), Response.objects.count()) == before


def test_a_text_the_record_already_holds_is_offered_as_a_hop_not_a_duplicate(db):
    demo.load_demo()
    proposals = _proposals()
    wh = next(c for c in proposals.claims if c.speaker.slug == "white-helmets")

    assert wh.existing == Claim.objects.get(speaker__slug="white-helmets").pk
    assert wh.incident == "idlib-airstrikes-september-2017"  # the region the sentence names
