"""Editors enter a whole statement from the admin's claim page; others are refused."""

from __future__ import annotations

import re

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from claims.models import Attribution, CasualtyFigure, Claim, ClaimTarget, Evidence, Response
from sources.models import Actor
from tests.factories import (
    ActorFactory,
    ClaimFactory,
    DocumentFactory,
    IncidentFactory,
    UserFactory,
)

pytestmark = pytest.mark.django_db

ADD_URL = reverse("admin:claims_claim_add")


def _empty_inline_forms(client: Client) -> dict[str, str]:
    """Management-form fields of every inline on the add page, each with no rows."""
    page = client.get(ADD_URL).content.decode()
    prefixes = re.findall(r'name="([\w-]+)-TOTAL_FORMS"', page)
    assert prefixes, "the add page has no inlines"
    data: dict[str, str] = {}
    for prefix in prefixes:
        data |= {f"{prefix}-TOTAL_FORMS": "0", f"{prefix}-INITIAL_FORMS": "0"}
    return data


def _rows(prefix: str, rows: list[dict]) -> dict[str, str]:
    data = {f"{prefix}-TOTAL_FORMS": str(len(rows)), f"{prefix}-INITIAL_FORMS": "0"}
    for number, row in enumerate(rows):
        data |= {f"{prefix}-{number}-{key}": str(value) for key, value in row.items()}
    return data


@pytest.fixture
def statement(white_helmets: Actor, defence_ministry: Actor, reuters: Actor, broadcaster: Actor):
    """A denial by the Ministry, with a figure, a chain, a response and evidence."""
    allegation = ClaimFactory(speaker=white_helmets, kind="casualty_count")
    report = DocumentFactory(publisher=broadcaster)
    return {
        "allegation": allegation,
        "report": report,
        "data": {
            "speaker": defence_ministry.pk,
            "kind": "targeting",
            "summary": "The Ministry says its aircraft do not strike residential areas.",
            "quote": "do not strike residential areas",
            "quote_language": "en",
            "made_on": "2017-09-26",
            "made_precision": "day",
            "status": "draft",
            **_rows("claim_targets", [{"actor": white_helmets.pk, "role": "subject"}]),
            **_rows(
                "figures",
                [
                    {
                        "category": "civilians",
                        "outcome": "killed",
                        "qualifier": "exactly",
                        "low": 0,
                        "high": 0,
                        "as_stated": "no civilians",
                    }
                ],
            ),
            **_rows(
                "attributions",
                [
                    {"position": 1, "actor": defence_ministry.pk, "verb": "said"},
                    {
                        "position": 2,
                        "actor": broadcaster.pk,
                        "verb": "reported",
                        "document": report.pk,
                    },
                ],
            ),
            **_rows("responses_made", [{"answers": allegation.pk, "kind": "denies"}]),
            **_rows(
                "evidence",
                [
                    {
                        "relation": "cited",
                        "kind": "intelligence",
                        "availability": "not_produced",
                        "description": "Drone surveillance the Ministry mentions.",
                    }
                ],
            ),
        },
    }


def test_editor_adds_a_whole_statement_from_one_page(client: Client, editor, statement) -> None:
    client.force_login(editor)
    data = _empty_inline_forms(client) | statement["data"]

    response = client.post(ADD_URL, data)

    assert response.status_code == 302, response.context and response.context.get("errors")
    claim = Claim.objects.get(summary__startswith="The Ministry says its aircraft")
    assert claim.created_by == editor
    assert claim.status == Claim.Status.DRAFT
    figure = CasualtyFigure.objects.get(claim=claim)
    assert (figure.low, figure.high, figure.as_stated) == (0, 0, "no civilians")
    assert [(h.position, h.verb) for h in Attribution.objects.filter(claim=claim)] == [
        (1, "said"),
        (2, "reported"),
    ]
    assert claim.source_document == statement["report"]
    link = Response.objects.get(claim=claim)
    assert (link.answers, link.kind) == (statement["allegation"], "denies")
    assert Evidence.objects.get(claim=claim).availability == "not_produced"
    assert ClaimTarget.objects.get(claim=claim).role == "subject"


def test_bad_figure_is_explained_and_nothing_is_saved(client: Client, editor, statement) -> None:
    client.force_login(editor)
    data = _empty_inline_forms(client) | statement["data"]
    data |= {"figures-0-low": "20", "figures-0-high": "10", "figures-0-qualifier": "between"}

    response = client.post(ADD_URL, data)

    assert response.status_code == 200
    assert "The low figure cannot be above the high figure." in response.content.decode()
    assert not Claim.objects.filter(summary__startswith="The Ministry says its aircraft").exists()
    assert not Response.objects.exists()
    assert not Attribution.objects.exists()


def test_duplicate_chain_positions_are_explained(client: Client, editor, statement) -> None:
    client.force_login(editor)
    data = _empty_inline_forms(client) | statement["data"] | {"attributions-1-position": "1"}

    response = client.post(ADD_URL, data)

    assert response.status_code == 200
    assert "Please correct the duplicate data for position" in response.content.decode()
    assert Claim.objects.count() == 1  # only the allegation made by the fixture


def test_retraction_by_another_speaker_is_explained(client: Client, editor, statement) -> None:
    client.force_login(editor)
    data = _empty_inline_forms(client) | statement["data"] | {"responses_made-0-kind": "retracts"}

    response = client.post(ADD_URL, data)

    assert response.status_code == 200
    assert "Only the speaker of a claim can retract it" in response.content.decode()
    assert Claim.objects.count() == 1


def test_change_page_shows_the_derived_standing(client: Client, reviewer, statement) -> None:
    client.force_login(reviewer)
    published = statement["data"] | {"status": "published"}
    client.post(ADD_URL, _empty_inline_forms(client) | published)
    allegation = statement["allegation"]

    page = client.get(reverse("admin:claims_claim_change", args=[allegation.pk]))

    assert page.status_code == 200
    assert '<div class="readonly">denied</div>' in page.content.decode()


def test_staff_without_the_editor_role_is_refused(client: Client, statement) -> None:
    client.force_login(UserFactory(username="visitor", is_staff=True))
    data = _empty_inline_forms_for_superuser() | statement["data"]

    assert client.get(ADD_URL).status_code == 403
    assert client.post(ADD_URL, data).status_code == 403
    assert Claim.objects.count() == 1


def _empty_inline_forms_for_superuser() -> dict[str, str]:
    client = Client()
    client.force_login(UserFactory(username="root", is_staff=True, is_superuser=True))
    return _empty_inline_forms(client)


def test_anonymous_visitor_is_sent_to_sign_in(client: Client) -> None:
    response = client.get(ADD_URL)
    assert response.status_code == 302
    assert response.url.startswith(reverse("admin:login"))


def test_editors_cannot_delete_a_claim(client: Client, editor) -> None:
    claim = ClaimFactory()
    client.force_login(editor)
    response = client.post(reverse("admin:claims_claim_delete", args=[claim.pk]), {"post": "yes"})
    assert response.status_code == 403
    assert Claim.objects.filter(pk=claim.pk).exists()


def test_actor_autocomplete_finds_an_actor_by_alias(client: Client, editor, white_helmets) -> None:
    client.force_login(editor)
    response = client.get(
        reverse("admin:autocomplete"),
        {
            "app_label": "claims",
            "model_name": "claim",
            "field_name": "speaker",
            "term": "Syrian Civil",
        },
    )
    assert response.status_code == 200
    assert [r["text"] for r in response.json()["results"]] == ["White Helmets"]


def test_claim_list_filters_by_standing(client: Client, reviewer, statement) -> None:
    client.force_login(reviewer)
    published = statement["data"] | {"status": "published"}
    client.post(ADD_URL, _empty_inline_forms(client) | published)
    response = client.get(reverse("admin:claims_claim_changelist"), {"standing": "denied"})
    assert response.status_code == 200
    assert list(response.context["cl"].result_list) == [statement["allegation"]]


def test_the_add_page_shows_no_empty_answers_section(client: Client, editor) -> None:
    client.force_login(editor)
    page = client.get(ADD_URL).content.decode()
    assert "Answers to this claim" not in page
    assert "claims this statement answers" in page.lower()


def test_an_unsaved_evidence_row_shown_again_is_not_said_to_be_current(
    client: Client, editor, statement
) -> None:
    client.force_login(editor)
    data = _empty_inline_forms(client) | statement["data"]
    data |= {
        "figures-0-low": "20",
        "figures-0-high": "10",
        "figures-0-qualifier": "between",
        "evidence-0-url": "https://example.org/video",
        "evidence-0-availability": "published",
    }
    response = client.post(ADD_URL, data)
    page = response.content.decode()
    assert response.status_code == 200
    assert 'value="https://example.org/video"' in page
    assert "Currently:" not in page


def _pick(client: Client, field: str, term: str, model: str = "attribution") -> list[str]:
    response = client.get(
        reverse("admin:autocomplete"),
        {"app_label": "claims", "model_name": model, "field_name": field, "term": term},
    )
    assert response.status_code == 200
    return [r["text"] for r in response.json()["results"]]


def test_the_claim_picker_shows_date_incident_and_status(
    client: Client, editor, white_helmets
) -> None:
    ClaimFactory(
        speaker=white_helmets,
        summary="The White Helmets say 152 civilians were killed.",
        incident=IncidentFactory(title="Airstrikes in Idlib province"),
        made_on="2017-09-26",
        status="draft",
    )
    client.force_login(editor)
    assert _pick(client, "answers", "152", model="response") == [
        "White Helmets, 26 Sep 2017: The White Helmets say 152 civilians were killed. · "
        "Airstrikes in Idlib province · draft"
    ]


def test_the_document_picker_shows_publisher_and_date(client: Client, editor, broadcaster) -> None:
    DocumentFactory(title="Idlib report", publisher=broadcaster, published_on="2017-09-27")
    client.force_login(editor)
    assert _pick(client, "document", "Idlib") == ["Idlib report · RT · 27 Sep 2017"]


def test_the_pickers_cost_the_same_for_one_result_or_many(
    client: Client, editor, broadcaster
) -> None:
    client.force_login(editor)
    DocumentFactory(title="Idlib report 0", publisher=broadcaster)
    _pick(client, "document", "Idlib")  # the session and the permissions, once
    with CaptureQueriesContext(connection) as one:
        assert len(_pick(client, "document", "Idlib")) == 1
    for n in range(1, 8):
        DocumentFactory(title=f"Idlib report {n}", publisher=ActorFactory())
    with CaptureQueriesContext(connection) as many:
        assert len(_pick(client, "document", "Idlib")) == 8
    # Session, user, permissions, the page of documents with their publishers.
    assert len(many) == len(one)
