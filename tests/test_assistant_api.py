"""The editor assistant through the API: proposals with spans, drafts from the kept ones, and
clear refusals of what it cannot read."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from django.core.files.base import ContentFile

from claims.models import Claim, Response
from sources.models import Actor, Document
from tests.factories import ActorFactory, DocumentFactory
from tests.problems import fields
from tests.test_assistant_running_example import demo_actors  # noqa: F401  (a fixture)

ARTICLE = json.loads(
    (Path(__file__).parent / "data/assistant/articles/00-running-example.json").read_text()
)
URL = "/api/v1/proposals/"
pytestmark = pytest.mark.usefixtures("demo_actors")


def _propose(client, **values):
    body = {"text": ARTICLE["text"], "published_on": "2017-09-26", "publisher": "rt", **values}
    return client.post(URL, body, format="json")


def test_proposals_come_with_the_spans_of_their_words(editor_client):
    answer = _propose(editor_client)

    assert answer.status_code == 200
    text = answer.json()["text"]
    first = answer.json()["claims"][0]
    start, end = first["figures"][0]["span"]
    assert text[start:end] == "152 bodies"
    assert first["speaker"]["slug"] == "white-helmets"
    assert Claim.objects.count() == 0


def test_accepting_the_proposals_unchanged_writes_drafts_and_answers(editor_client):
    claims = _propose(editor_client).json()["claims"]

    answer = editor_client.post(f"{URL}accept/", {"claims": claims}, format="json")

    assert answer.status_code == 201
    assert len(answer.json()["claims"]) == len(claims) == Claim.objects.count()
    assert set(Claim.objects.values_list("status", flat=True)) == {"draft"}
    assert Response.objects.filter(kind="denies").count() == 1


def test_an_edited_figure_is_written_as_edited(editor_client):
    claims = _propose(editor_client).json()["claims"][:1]
    claims[0]["figures"][0].update({"low": 151, "high": 151, "as_stated": "151"})

    editor_client.post(f"{URL}accept/", {"claims": claims}, format="json")

    assert Claim.objects.get().figures.order_by("low").last().low == 151


def test_accepting_nothing_writes_nothing(editor_client):
    answer = editor_client.post(f"{URL}accept/", {"claims": []}, format="json")
    assert (answer.status_code, answer.json()["claims"], Claim.objects.count()) == (201, [], 0)


def test_a_refusal_of_the_write_path_writes_nothing_at_all(editor_client):
    claims = _propose(editor_client).json()["claims"]
    claims[1]["figures"] = [
        {**claims[0]["figures"][0], "low": 10, "high": 5, "qualifier": "between"}
    ]

    answer = editor_client.post(f"{URL}accept/", {"claims": claims}, format="json")

    assert answer.status_code == 400
    assert "1" in fields(answer)["claims"]
    assert Claim.objects.count() == 0


@pytest.mark.parametrize(
    ("text", "message"),
    [("   ", "empty"), ("\x01\x02\x03abc\x04\x05" * 10, "binary")],
)
def test_unreadable_text_is_refused_with_a_reason(editor_client, text, message):
    answer = _propose(editor_client, text=text)
    assert answer.status_code == 400
    assert message in fields(answer)["text"][0]


def test_text_over_the_limit_is_refused_with_413_naming_the_limit(editor_client):
    answer = _propose(editor_client, text="word " * 30_000)
    assert answer.status_code == 413
    assert "100,000" in answer.json()["detail"]


def test_a_document_without_text_is_refused(editor_client):
    document = DocumentFactory(publisher=Actor.objects.get(slug="rt"), full_text="")
    answer = editor_client.post(URL, {"document": document.pk}, format="json")
    assert answer.status_code == 400
    assert "no archived copy or text" in fields(answer)["document"][0]


def test_a_document_s_archived_page_is_read_with_its_charset(editor_client, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    page = (
        '<html><head><meta charset="windows-1251"></head><body><article><p>'
        + "The White Helmets said 152 civilians were killed in Idlib province last week. " * 3
        + "Минобороны России denied the claim.</p></article></body></html>"
    ).encode("cp1251")
    document = DocumentFactory(publisher=Actor.objects.get(slug="rt"), published_on="2017-09-26")
    document.archive_file.save("page.html", ContentFile(page))
    Document.objects.filter(pk=document.pk).update(archive_content_type="text/html")

    answer = editor_client.post(URL, {"document": document.pk}, format="json")

    assert answer.status_code == 200
    speakers = [c["speaker"]["slug"] for c in answer.json()["claims"]]
    assert speakers[-1] == "russian-defence-ministry"


def test_proposals_need_an_editor(api_client, analyst):
    assert _propose(api_client).status_code in (401, 403)
    api_client.force_authenticate(analyst)
    assert _propose(api_client).status_code == 403


def test_a_statement_the_record_holds_gets_this_document_as_a_new_hop(reviewer_client):
    from claims.devdata import demo

    demo.load_demo()
    afp = ActorFactory(slug="afp", name="AFP", kind=Actor.Kind.NEWS_AGENCY)
    other = DocumentFactory(publisher=afp, full_text=ARTICLE["text"])
    claims = _propose(reviewer_client, publisher="afp").json()["claims"]
    repeated = next(c for c in claims if c["speaker"]["slug"] == "white-helmets")
    before = Claim.objects.count()

    answer = reviewer_client.post(
        f"{URL}accept/", {"claims": [repeated], "document": other.pk}, format="json"
    )

    assert answer.status_code == 201
    claim = Claim.objects.get(pk=repeated["existing"])
    assert [(h.actor.slug, h.document_id) for h in claim.chain][-1] == ("afp", other.pk)
    assert Claim.objects.count() == before


def test_an_editor_may_not_add_a_hop_to_a_published_claim(editor_client):
    from claims.devdata import demo

    demo.load_demo()
    claims = _propose(editor_client).json()["claims"]
    repeated = next(c for c in claims if c["existing"])

    answer = editor_client.post(f"{URL}accept/", {"claims": [repeated]}, format="json")

    assert answer.status_code == 403
    assert "reviewers" in answer.json()["detail"]


# --- strict bodies (issue 16) -------------------------------------------------------------------


def test_an_undeclared_field_of_a_proposal_request_is_named_with_the_accepted_ones(editor_client):
    answer = _propose(editor_client, language="en")

    assert answer.status_code == 400
    [message] = fields(answer)["language"]
    assert "Unknown field" in message
    assert "published_on" in message
    assert "publisher" in message


def test_an_undeclared_field_deep_in_an_accepted_proposal_is_refused_and_nothing_written(
    editor_client,
):
    claims = _propose(editor_client).json()["claims"]
    claims[0]["figures"][0]["deaths"] = 152

    answer = editor_client.post(f"{URL}accept/", {"claims": claims}, format="json")

    assert answer.status_code == 400
    [error] = [e for e in answer.json()["errors"] if e["field"] == "claims[0].figures[0].deaths"]
    assert "qualifier" in error["message"]
    assert Claim.objects.count() == 0


def test_an_impossible_date_in_a_proposal_request_says_why(editor_client):
    answer = _propose(editor_client, published_on="2017-02-29")

    assert answer.status_code == 400
    assert fields(answer)["published_on"] == ["2017-02-29: February 2017 has 28 days."]
