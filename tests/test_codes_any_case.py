"""Language and country codes are taken as people type them, at every door: a language by its
name or its code in any case, a country by its code in any case."""

from __future__ import annotations

import json

import pytest
from django.test import Client
from django.urls import reverse

from claims.exchange.importer import import_text
from claims.models import Claim
from claims.record.workflow import OPERATOR
from sources.codes import language_code
from sources.models import Actor, Document
from tests.test_admin import ADD_URL, _empty_inline_forms

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    ("typed", "stored"),
    [("English", "en"), ("EN", "en"), ("en", "en"), ("arabic", "ar"), ("PT-br", "pt-BR")],
)
def test_a_language_is_read_from_its_name_or_its_code_in_any_case(typed: str, stored: str):
    assert language_code(typed) == stored


def test_admin_takes_a_language_name_and_a_lower_case_country(
    client: Client, editor, white_helmets
) -> None:
    client.force_login(editor)
    data = _empty_inline_forms(client) | {
        "speaker": white_helmets.pk,
        "kind": "other",
        "summary": "The White Helmets say something.",
        "quote": "something",
        "quote_language": "English",
        "made_on": "2017-09-26",
        "made_precision": "day",
        "status": "draft",
    }
    assert client.post(ADD_URL, data).status_code == 302
    assert Claim.objects.get().quote_language == "en"

    actor = {
        "name": "Syrian Arab Red Crescent",
        "slug": "sarc",
        "kind": "organisation",
        "country": "sy",
        "aliases-TOTAL_FORMS": "1",
        "aliases-INITIAL_FORMS": "0",
        "aliases-0-name": "الهلال الأحمر العربي السوري",
        "aliases-0-language": "Arabic",
        "affiliations-TOTAL_FORMS": "0",
        "affiliations-INITIAL_FORMS": "0",
    }
    response = client.post(reverse("admin:sources_actor_add"), actor)
    assert response.status_code == 302, response.context and response.context.get("errors")
    saved = Actor.objects.get(slug="sarc")
    assert saved.country == "SY"
    assert saved.aliases.get().language == "ar"


def test_api_takes_a_language_name_and_an_upper_case_code(reviewer_client, broadcaster) -> None:
    for typed in ("English", "EN"):
        response = reviewer_client.post(
            "/api/v1/documents/",
            {"title": f"Report {typed}", "publisher": "rt", "language": typed, "kind": "article"},
            format="json",
        )
        assert response.status_code == 201, response.json()
    assert set(Document.objects.values_list("language", flat=True)) == {"en"}


def test_importer_takes_a_lower_case_country_and_a_language_name() -> None:
    rows = [
        {
            "type": "actor",
            "slug": "wh",
            "name": "White Helmets",
            "kind": "organisation",
            "country": "sy",
            "aliases": [["Syrian Civil Defence", "ENGLISH"]],
        },
    ]
    text = "\n".join(json.dumps(r) for r in rows) + "\n"
    outcome = import_text(text, name="c.jsonl", by=OPERATOR)
    assert outcome.ok, outcome.errors
    actor = Actor.objects.get()
    assert actor.country == "SY"
    assert actor.aliases.get().language == "en"
