"""A claim's parts and an actor's aliases and roles are written through the API with replace
semantics (issue 16): what is sent is what the record holds afterwards, in one write with its
history, and a claim's parts only over the version the client read (If-Match)."""

from __future__ import annotations

import pytest

from claims.models import Attribution, CasualtyFigure, ChangeRecord, Claim, ClaimTarget
from sources.models import Affiliation
from tests.factories import (
    ActorFactory,
    AffiliationFactory,
    AttributionFactory,
    ClaimFactory,
    ClaimTargetFactory,
    FigureFactory,
)
from tests.problems import fields

pytestmark = pytest.mark.django_db


@pytest.fixture
def claim(white_helmets, defence_ministry, reuters) -> Claim:
    claim = ClaimFactory(speaker=white_helmets, kind=Claim.Kind.CASUALTY_COUNT)
    FigureFactory(claim=claim, low=152, high=152, as_stated="152")
    ClaimTargetFactory(claim=claim, actor=defence_ministry)
    AttributionFactory(claim=claim, actor=white_helmets, position=1, verb="said")
    return claim


def etag(client, claim: Claim) -> str:
    return client.get(f"/api/v1/claims/{claim.pk}/")["ETag"]


def test_patching_figures_replaces_them(reviewer_client, claim):
    kept = claim.figures.get()
    figures = [
        {
            "id": kept.pk,
            "category": "civilians",
            "outcome": "killed",
            "low": 152,
            "high": 152,
            "qualifier": "exactly",
            "as_stated": "152 bodies",
        },
        {
            "category": "civilians",
            "outcome": "killed",
            "low": 150,
            "qualifier": "more_than",
            "as_stated": "over 150",
        },
    ]

    answer = reviewer_client.patch(
        f"/api/v1/claims/{claim.pk}/",
        {"figures": figures},
        format="json",
        HTTP_IF_MATCH=etag(reviewer_client, claim),
    )

    assert answer.status_code == 200, answer.json()
    assert [f["as_stated"] for f in answer.json()["figures"]] == ["152 bodies", "over 150"]
    stored = list(claim.figures.order_by("id"))
    assert next(f.pk for f in stored) == kept.pk
    assert [f.as_stated for f in stored] == ["152 bodies", "over 150"]
    claim.refresh_from_db()
    assert claim.version == 2
    changes = ChangeRecord.objects.filter(table_name="claims_casualtyfigure")
    assert changes.filter(operation="INSERT").count() == 2  # the factory's, and the new one
    assert changes.filter(operation="UPDATE").exists()


def test_patching_accused_and_chain_replaces_them(reviewer_client, claim, reuters, broadcaster):
    answer = reviewer_client.patch(
        f"/api/v1/claims/{claim.pk}/",
        {
            "accused": [reuters.slug, broadcaster.pk],
            "attribution_chain": [
                {"actor": "white-helmets", "verb": "said"},
                {"actor": "reuters", "verb": "reported"},
            ],
        },
        format="json",
    )

    assert answer.status_code == 200, answer.json()
    assert sorted(a["slug"] for a in answer.json()["accused"]) == ["reuters", "rt"]
    assert sorted(a.slug for a in claim.accused) == ["reuters", "rt"]
    assert [
        (h.position, h.actor.slug)
        for h in Attribution.objects.filter(claim=claim).order_by("position")
    ] == [(1, "white-helmets"), (2, "reuters")]


def test_an_empty_list_removes_every_figure(reviewer_client, claim):
    answer = reviewer_client.patch(f"/api/v1/claims/{claim.pk}/", {"figures": []}, format="json")

    assert answer.status_code == 200, answer.json()
    assert not CasualtyFigure.objects.filter(claim=claim).exists()


def test_parts_sent_over_a_stale_version_change_nothing(reviewer_client, claim):
    stale = etag(reviewer_client, claim)
    reviewer_client.patch(f"/api/v1/claims/{claim.pk}/", {"summary": "Changed."}, format="json")

    answer = reviewer_client.patch(
        f"/api/v1/claims/{claim.pk}/", {"figures": []}, format="json", HTTP_IF_MATCH=stale
    )

    assert answer.status_code == 412
    assert CasualtyFigure.objects.filter(claim=claim).count() == 1


def test_a_bad_part_writes_nothing_at_all(reviewer_client, claim):
    answer = reviewer_client.patch(
        f"/api/v1/claims/{claim.pk}/",
        {
            "summary": "Changed.",
            "accused": [],
            "figures": [
                {
                    "category": "civilians",
                    "outcome": "killed",
                    "low": 10,
                    "high": 5,
                    "qualifier": "exactly",
                }
            ],
        },
        format="json",
    )

    assert answer.status_code == 400
    assert "figures" in fields(answer)
    claim.refresh_from_db()
    assert claim.summary != "Changed."
    assert claim.version == 1
    assert ClaimTarget.objects.filter(claim=claim).count() == 1


def test_another_claims_figure_cannot_be_taken_over(reviewer_client, claim):
    other = FigureFactory()
    answer = reviewer_client.patch(
        f"/api/v1/claims/{claim.pk}/",
        {
            "figures": [
                {
                    "id": other.pk,
                    "category": "civilians",
                    "outcome": "killed",
                    "low": 1,
                    "qualifier": "exactly",
                }
            ]
        },
        format="json",
    )

    assert answer.status_code == 400
    other.refresh_from_db()
    assert other.claim_id != claim.pk


def test_an_editor_may_not_change_a_published_claims_parts(editor_client, claim):
    answer = editor_client.patch(f"/api/v1/claims/{claim.pk}/", {"figures": []}, format="json")

    assert answer.status_code == 403
    assert CasualtyFigure.objects.filter(claim=claim).count() == 1


# --- actors: aliases and affiliations -----------------------------------------------------------


def test_an_actors_affiliations_are_written_with_it(editor_client, defence_ministry):
    body = {
        "slug": "konashenkov",
        "name": "Igor Konashenkov",
        "kind": "person",
        "aliases": [{"name": "Igor Konashenkov", "language": "ru"}],
        "affiliations": [{"organisation": defence_ministry.slug, "role": "spokesperson"}],
    }

    answer = editor_client.post("/api/v1/actors/", body, format="json")

    assert answer.status_code == 201, answer.json()
    assert answer.json()["aliases"] == [{"name": "Igor Konashenkov", "language": "ru"}]
    role = Affiliation.objects.get()
    assert (role.person.slug, role.organisation, role.role) == (
        "konashenkov",
        defence_ministry,
        "spokesperson",
    )
    shown = answer.json()["affiliations"][0]
    assert shown["organisation"]["slug"] == defence_ministry.slug
    assert shown["role"] == "spokesperson"


def test_affiliations_given_whole_replace_the_ones_the_actor_has(editor_client, defence_ministry):
    person = ActorFactory(slug="konashenkov", kind="person")
    AffiliationFactory(person=person, organisation=defence_ministry, role="spokesperson")
    other = ActorFactory(slug="army")

    answer = editor_client.patch(
        "/api/v1/actors/konashenkov/",
        {"affiliations": [{"organisation": other.pk, "role": "general"}]},
        format="json",
    )

    assert answer.status_code == 200, answer.json()
    assert list(Affiliation.objects.values_list("organisation__slug", "role")) == [
        ("army", "general")
    ]
    assert ChangeRecord.objects.filter(table_name="sources_affiliation", operation="DELETE")


def test_an_affiliation_to_an_unknown_organisation_is_refused(editor_client):
    ActorFactory(slug="konashenkov", kind="person")

    answer = editor_client.patch(
        "/api/v1/actors/konashenkov/",
        {"affiliations": [{"organisation": "nobody", "role": "general"}]},
        format="json",
    )

    assert answer.status_code == 400
    assert "organisation" in fields(answer)["affiliations"]["0"]
