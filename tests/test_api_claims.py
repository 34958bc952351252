"""Writing a whole claim and linking responses through the API: all or nothing, 400 per field."""

from __future__ import annotations

import datetime as dt

import pytest

from claims.models import Attribution, CasualtyFigure, Claim, ClaimTarget, Response
from tests.factories import ClaimFactory, DocumentFactory, IncidentFactory
from tests.problems import fields


@pytest.fixture
def whole_claim(white_helmets, reuters, broadcaster, defence_ministry) -> dict:
    """The White Helmets' casualty claim as a tool would send it, chain and figures included."""
    IncidentFactory(slug="idlib-airstrikes", title="Airstrikes in Idlib province")
    spokesperson = white_helmets.__class__.objects.create(
        name="Unnamed White Helmets spokesperson", slug="wh-spokesperson", kind="unidentified"
    )
    article = DocumentFactory(title="RT report", publisher=broadcaster)
    return {
        "speaker": "white-helmets",
        "spokesperson": spokesperson.slug,
        "kind": "casualty_count",
        "summary": "The White Helmets say their members recovered the bodies of 152 civilians.",
        "made_on": "2017-09-26",
        "made_precision": "week",
        "made_as_stated": "last week",
        "incident": "idlib-airstrikes",
        "status": "published",
        "accused": ["russian-defence-ministry"],
        "figures": [
            {
                "category": "civilians",
                "outcome": "killed",
                "low": 152,
                "high": 152,
                "qualifier": "exactly",
                "as_stated": "152",
                "basis": "bodies recovered",
            },
            {
                "category": "civilians",
                "outcome": "killed",
                "low": 150,
                "high": None,
                "qualifier": "more_than",
                "as_stated": "over 150",
                "reported_by": "rt",
            },
        ],
        "attribution_chain": [
            {"actor": "white-helmets", "verb": "said"},
            {"actor": "reuters", "verb": "reported"},
            {"actor": "rt", "verb": "cited", "document": article.pk},
        ],
    }


def test_one_post_creates_a_claim_with_its_figures_chain_and_accused(
    reviewer_client, reviewer, whole_claim
):
    response = reviewer_client.post("/api/v1/claims/", whole_claim, format="json")

    assert response.status_code == 201, response.json()
    body = response.json()
    claim = Claim.objects.get(pk=body["id"])
    assert claim.created_by == reviewer
    # "Last week" is stored as the Monday of that week, with its precision.
    assert claim.made_on == dt.date(2017, 9, 25)
    assert body["made_on"] == "2017-09-25"
    assert [f.as_stated for f in claim.figures.order_by("id")] == ["152", "over 150"]
    assert [(h.position, h.actor.slug) for h in claim.chain] == [
        (1, "white-helmets"),
        (2, "reuters"),
        (3, "rt"),
    ]
    assert [a.slug for a in claim.accused] == ["russian-defence-ministry"]
    assert [hop["actor"]["slug"] for hop in body["attribution_chain"]] == [
        "white-helmets",
        "reuters",
        "rt",
    ]
    assert body["figures"][1]["range_display"] == "more than 150"
    assert body["url"].endswith(f"/api/v1/claims/{claim.pk}/")


@pytest.mark.parametrize(
    ("change", "path", "message"),
    [
        # A figure that breaks a named constraint of the model.
        (
            {"figures": [{"low": 20, "high": 10, "qualifier": "between"}]},
            ("figures", "0", "high"),
            "above",
        ),
        ({"figures": [{"qualifier": "exactly", "low": 5, "high": 6}]}, ("figures", "0"), ""),
        ({"figures": [{"low": -1, "high": -1}]}, ("figures", "0", "low"), "negative"),
        # A claim that breaks its clean() rules.
        ({"quote": "كلام", "quote_language": "ar", "translation": ""}, ("translation",), "English"),
        ({"spokesperson": "white-helmets"}, ("spokesperson",), ""),
        ({"status": "withdrawn"}, ("withdrawal_reason",), "reason"),
        # Shapes and references.
        ({"speaker": "nobody"}, ("speaker",), ""),
        ({"made_on": "26 September"}, ("made_on",), ""),
        ({"kind": "rumour"}, ("kind",), ""),
        (
            {"attribution_chain": [{"actor": "reuters", "verb": "whispered"}]},
            ("attribution_chain", "0", "verb"),
            "",
        ),
    ],
)
def test_every_broken_rule_answers_400_at_its_field_and_writes_nothing(
    reviewer_client, whole_claim, change, path, message
):
    payload = whole_claim | {
        key: (
            [whole_claim[key][0] | value[0]] if key in ("figures", "attribution_chain") else value
        )
        for key, value in change.items()
    }
    counts = (Claim.objects.count(), CasualtyFigure.objects.count(), Attribution.objects.count())

    response = reviewer_client.post("/api/v1/claims/", payload, format="json")

    assert response.status_code == 400
    errors = fields(response)
    for step in path:
        errors = errors[step]
    text = (
        " ".join(errors.get("non_field_errors", []))
        if isinstance(errors, dict)
        else " ".join(errors)
    )
    if isinstance(errors, dict) and not text:
        text = " ".join(" ".join(v) for v in errors.values())
    assert text
    assert message in text
    assert (
        Claim.objects.count(),
        CasualtyFigure.objects.count(),
        Attribution.objects.count(),
    ) == counts


def test_errors_in_several_rows_are_reported_together(reviewer_client, whole_claim):
    whole_claim["figures"][1] |= {"low": None, "high": None}
    whole_claim["status"] = "withdrawn"

    response = reviewer_client.post("/api/v1/claims/", whole_claim, format="json")

    assert response.status_code == 400
    errors = fields(response)
    assert "withdrawal_reason" in errors
    assert list(errors["figures"]) == ["1"]
    assert errors["figures"]["1"]
    assert not Claim.objects.exists()


def test_a_claim_can_be_corrected_with_patch_and_rules_still_apply(reviewer_client, white_helmets):
    claim = ClaimFactory(speaker=white_helmets)

    fixed = reviewer_client.patch(
        f"/api/v1/claims/{claim.pk}/", {"made_as_stated": "on Tuesday"}, format="json"
    )
    broken = reviewer_client.patch(
        f"/api/v1/claims/{claim.pk}/", {"status": "withdrawn"}, format="json"
    )

    assert fixed.status_code == 200
    assert broken.status_code == 400
    assert "withdrawal_reason" in fields(broken)
    claim.refresh_from_db()
    assert claim.made_as_stated == "on Tuesday"
    assert claim.status == Claim.Status.PUBLISHED


def test_one_post_links_a_denial_to_the_allegation(
    reviewer_client, white_helmets, defence_ministry
):
    allegation = ClaimFactory(speaker=white_helmets, made_on=dt.date(2017, 9, 25))
    denial = ClaimFactory(speaker=defence_ministry, made_on=dt.date(2017, 9, 26))

    response = reviewer_client.post(
        "/api/v1/responses/",
        {"claim": denial.pk, "answers": allegation.pk, "kind": "denies"},
        format="json",
    )

    assert response.status_code == 201, response.json()
    assert response.json()["answers"]["id"] == allegation.pk
    assert Response.objects.filter(claim=denial, answers=allegation, kind="denies").exists()
    detail = reviewer_client.get(f"/api/v1/claims/{allegation.pk}/").json()
    assert detail["standing"] == "denied"
    assert [r["by"]["id"] for r in detail["responses_received"]] == [denial.pk]


@pytest.mark.parametrize(
    ("kind", "answering_day", "field"),
    [
        ("retracts", dt.date(2017, 9, 27), "kind"),  # only the speaker may retract
        ("denies", dt.date(2017, 9, 1), "answers"),  # an answer cannot come before the claim
    ],
)
def test_a_response_that_breaks_a_rule_answers_400_at_its_field(
    reviewer_client, white_helmets, defence_ministry, kind, answering_day, field
):
    allegation = ClaimFactory(speaker=white_helmets, made_on=dt.date(2017, 9, 25))
    answer = ClaimFactory(speaker=defence_ministry, made_on=answering_day)

    response = reviewer_client.post(
        "/api/v1/responses/",
        {"claim": answer.pk, "answers": allegation.pk, "kind": kind},
        format="json",
    )

    assert response.status_code == 400
    assert field in fields(response)
    assert not Response.objects.exists()


def test_a_claim_cannot_answer_itself_or_answer_twice_the_same_way(reviewer_client, white_helmets):
    claim = ClaimFactory(speaker=white_helmets)
    other = ClaimFactory(speaker=white_helmets)
    Response.objects.create(claim=other, answers=claim, kind="disputes")

    itself = reviewer_client.post(
        "/api/v1/responses/", {"claim": claim.pk, "answers": claim.pk, "kind": "denies"}
    )
    twice = reviewer_client.post(
        "/api/v1/responses/", {"claim": other.pk, "answers": claim.pk, "kind": "disputes"}
    )

    assert itself.status_code == 400
    assert "answers" in fields(itself)
    assert twice.status_code == 400
    assert "already" in str(twice.json())
    assert Response.objects.count() == 1


def test_evidence_with_a_url_must_be_marked_published(reviewer_client, white_helmets):
    claim = ClaimFactory(speaker=white_helmets)

    response = reviewer_client.post(
        "/api/v1/evidence/",
        {
            "claim": claim.pk,
            "relation": "cited",
            "kind": "video",
            "description": "Footage",
            "availability": "not_produced",
            "source_url": "https://example.org/v",
        },
    )

    assert response.status_code == 400
    assert "produced" in str(response.json())
    assert not claim.evidence.exists()


def test_an_incident_that_ends_before_it_starts_answers_400(reviewer_client):
    response = reviewer_client.post(
        "/api/v1/incidents/",
        {"title": "T", "slug": "t", "start_on": "2017-09-20", "end_on": "2017-09-01"},
    )

    assert response.status_code == 400
    assert "end_on" in fields(response)


def test_claim_targets_are_written_once_per_actor_and_role(reviewer_client, whole_claim):
    whole_claim["accused"] = ["russian-defence-ministry", "russian-defence-ministry"]

    response = reviewer_client.post("/api/v1/claims/", whole_claim, format="json")

    assert response.status_code == 201
    assert ClaimTarget.objects.count() == 1


def test_changing_only_the_precision_moves_the_date_to_the_start_of_its_period(
    reviewer_client, white_helmets
):
    claim = ClaimFactory(speaker=white_helmets, made_on=dt.date(2017, 9, 27))

    response = reviewer_client.patch(
        f"/api/v1/claims/{claim.pk}/", {"made_precision": "month"}, format="json"
    )

    assert response.status_code == 200
    assert response.json()["made_on"] == "2017-09-01"
    claim.refresh_from_db()
    assert claim.made_on == dt.date(2017, 9, 1)


@pytest.mark.parametrize("body", [[None, None], "text", {"status": ["published"]}])
def test_a_claim_body_of_the_wrong_shape_answers_400(reviewer_client, white_helmets, body):
    claim = ClaimFactory(speaker=white_helmets)

    created = reviewer_client.post("/api/v1/claims/", body, format="json")
    changed = reviewer_client.patch(f"/api/v1/claims/{claim.pk}/", body, format="json")

    assert created.status_code == 400
    assert changed.status_code == 400
