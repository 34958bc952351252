"""A claim its own speaker has moved on from, as every door shows it: the ``updates`` rule under
the API, the admin and the importer; ``superseded`` in the API, pages, filters, admin and
ClaimReview; the actor page keeping revisions of its own claims apart from answers to others."""

from __future__ import annotations

import datetime as dt
from types import SimpleNamespace

import pytest
from django.test import Client

from claims.models import Claim, Response
from sources.models import Actor
from tests.factories import AssessmentFactory, ClaimFactory, ResponseFactory
from tests.problems import fields
from tests.test_pages_claims import get_ok, text_of

pytestmark = pytest.mark.django_db

UPDATE_REFUSAL = "Only the speaker of a claim can give an updated figure or account of it"


@pytest.fixture
def revised(white_helmets: Actor, defence_ministry: Actor) -> SimpleNamespace:
    """The White Helmets give 22 dead, are denied by the Ministry, then give 30."""
    first = ClaimFactory(
        speaker=white_helmets, made_on=dt.date(2017, 9, 25), summary="The White Helmets say 22."
    )
    denial = ClaimFactory(
        speaker=defence_ministry, made_on=dt.date(2017, 9, 26), summary="The Ministry denies."
    )
    ResponseFactory(claim=denial, answers=first, kind=Response.Kind.DENIES)
    second = ClaimFactory(
        speaker=white_helmets, made_on=dt.date(2017, 9, 28), summary="The White Helmets say 30."
    )
    ResponseFactory(claim=second, answers=first, kind=Response.Kind.UPDATES)
    return SimpleNamespace(first=first, denial=denial, second=second)


# --- the rule, under every door ---------------------------------------------------------------


def _other_speakers_update(white_helmets: Actor, defence_ministry: Actor) -> tuple[Claim, Claim]:
    allegation = ClaimFactory(speaker=white_helmets, made_on=dt.date(2017, 9, 25))
    answer = ClaimFactory(speaker=defence_ministry, made_on=dt.date(2017, 9, 26))
    return answer, allegation


def test_the_api_refuses_an_update_by_another_speaker_at_its_field(
    reviewer_client, white_helmets, defence_ministry
) -> None:
    answer, allegation = _other_speakers_update(white_helmets, defence_ministry)
    body = {"claim": answer.pk, "answers": allegation.pk, "kind": "updates"}

    reply = reviewer_client.post("/api/v1/responses/", body, format="json")

    assert reply.status_code == 400
    assert any(UPDATE_REFUSAL in message for message in fields(reply)["kind"])
    assert not Response.objects.exists()


def test_the_admin_explains_an_update_by_another_speaker(
    reviewer, white_helmets, defence_ministry
) -> None:
    answer, allegation = _other_speakers_update(white_helmets, defence_ministry)
    client = Client()
    client.force_login(reviewer)

    page = client.post(
        "/admin/claims/response/add/",
        {"claim": answer.pk, "answers": allegation.pk, "kind": "updates", "note": ""},
    )

    assert page.status_code == 200
    assert UPDATE_REFUSAL in page.content.decode()
    assert not Response.objects.exists()


def test_an_import_refuses_an_update_by_another_speaker(
    reviewer_client, upload_dataset, white_helmets, defence_ministry
) -> None:
    answer, allegation = _other_speakers_update(white_helmets, defence_ministry)
    record = {
        "type": "response",
        "claim": str(answer.uid),
        "answers": str(allegation.uid),
        "kind": "updates",
        "note": "",
    }

    _, job = upload_dataset(reviewer_client, [record])

    assert job.status == "invalid"
    assert [e["line"] for e in job.errors if UPDATE_REFUSAL in e["reason"]] == [1]
    assert not Response.objects.exists()


def test_the_api_records_a_speakers_update_and_the_claim_reads_superseded(
    reviewer_client, white_helmets
) -> None:
    first = ClaimFactory(speaker=white_helmets, made_on=dt.date(2017, 9, 25))
    second = ClaimFactory(speaker=white_helmets, made_on=dt.date(2017, 9, 28))
    body = {"claim": second.pk, "answers": first.pk, "kind": "updates"}

    reply = reviewer_client.post("/api/v1/responses/", body, format="json")

    assert reply.status_code == 201, reply.json()
    assert Response.objects.filter(claim=second, answers=first, kind="updates").exists()
    assert reviewer_client.get(f"/api/v1/claims/{first.pk}/").json()["standing"] == "superseded"


# --- where standing shows -----------------------------------------------------------------------


def test_the_api_filters_superseded_claims(api_client, revised) -> None:
    listed = api_client.get("/api/v1/claims/?standing=superseded").json()["results"]
    assert [(row["id"], row["standing"]) for row in listed] == [(revised.first.pk, "superseded")]


def test_the_schema_lists_superseded_among_standings(api_client) -> None:
    schema = api_client.get("/api/v1/schema/?format=json").json()
    assert "superseded" in str(schema)


def test_the_timeline_filters_and_labels_superseded_claims(client: Client, revised) -> None:
    words = text_of(get_ok(client, "/timeline/?standing=superseded"))
    assert "The White Helmets say 22." in words
    assert "The White Helmets say 30." not in words
    assert "superseded by its speaker" in words


def test_the_claim_page_shows_superseded_and_who_gave_the_update(client: Client, revised) -> None:
    words = text_of(get_ok(client, revised.first.get_absolute_url()))
    assert "Standing: superseded by its speaker" in words or "superseded by its speaker" in words
    assert "White Helmets gives an updated figure or account of this claim" in words
    assert "Ministry of Defence of the Russian Federation denies this claim" in words


def test_the_admin_list_filters_superseded_claims(reviewer, revised) -> None:
    client = Client()
    client.force_login(reviewer)
    page = client.get("/admin/claims/claim/?standing=superseded")
    assert page.status_code == 200
    shown = list(page.context["cl"].result_list)
    assert [claim.pk for claim in shown] == [revised.first.pk]
    assert "superseded by its speaker" in page.content.decode()


def test_a_claimreview_says_who_answered_and_the_standing_derived(api_client, revised) -> None:
    AssessmentFactory(claim=revised.first)
    review = api_client.get(f"/api/v1/claims/{revised.first.pk}/claimreview/").json()
    body = review["reviewBody"]
    assert "superseded by its speaker" in body
    assert "Ministry of Defence of the Russian Federation denies it (26 Sep 2017)" in body
    assert "White Helmets gives an updated figure or account of it (28 Sep 2017)" in body
    # The record grades nothing itself: the rating is the analyst's published assessment.
    assert review["reviewRating"]["alternateName"] == "unproven"


def test_an_incidents_claimreviews_name_the_standing_in_fixed_queries(api_client, revised) -> None:
    from tests.factories import IncidentFactory

    incident = IncidentFactory(slug="idlib")
    Claim.objects.update(incident=incident)
    for claim in (revised.first, revised.denial):
        AssessmentFactory(claim=claim)
    url = "/api/v1/incidents/idlib/claimreview/"
    reviews = api_client.get(url).json()
    bodies = {review["claimReviewed"]: review["reviewBody"] for review in reviews}
    assert "superseded by its speaker" in bodies["The White Helmets say 22."]
    assert "Standing the record derives from them: denied." not in bodies["The Ministry denies."]

    three = _queries_of(api_client, url)
    answered = ClaimFactory(incident=incident)
    answer = ClaimFactory(incident=incident)
    ResponseFactory(claim=answer, answers=answered, kind="denies")
    AssessmentFactory(claim=answered)
    AssessmentFactory(claim=answer)
    api_client.get(url)  # the first request after a write reads the new head of the history
    # Incident, claims, then one query per prefetch (figures, chain, targets, evidence, both
    # directions of answers, assessments): the standing is a column, not a query per claim.
    assert _queries_of(api_client, url) == three


def _queries_of(api_client, url: str) -> int:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    api_client.get(url)  # warm what a first request fills
    with CaptureQueriesContext(connection) as captured:
        assert api_client.get(url).status_code == 200
    return len(captured.captured_queries)


# --- the actor page -----------------------------------------------------------------------------


def test_the_actor_page_counts_only_answers_to_others_and_shows_revisions_apart(
    client: Client, revised
) -> None:
    words = text_of(get_ok(client, "/actors/white-helmets/"))
    assert "The record holds no response by White Helmets to another claim." in words
    assert "White Helmets revised its own earlier claims 1 time" in words
    assert "gives an updated figure or account of its own claim 1" in words


def test_the_actor_band_draws_a_revision_among_its_own_claims(client: Client, revised) -> None:
    html = get_ok(client, "/actors/white-helmets/")
    band = html.split('class="band"', 1)[1].split("</table>", 1)[0]
    assert "Claims of its own" in band
    assert "Answers to other claims" not in band


def test_the_answering_actor_still_counts_its_answers_to_others(client: Client, revised) -> None:
    words = text_of(get_ok(client, "/actors/russian-defence-ministry/"))
    # Allegations against it answered that way (the claim accuses no one), answers to others.
    assert "denies a claim 0 1" in words
    assert "revised its own earlier claims" not in words
