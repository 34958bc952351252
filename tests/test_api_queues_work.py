"""Writes through the API queue the same background work as the admin and the importer.

With no broker configured the tasks run in-process once the request's transaction commits, so
these tests see real outcomes: bytes fetched from a loopback server and stored by their hash,
quotes anchored in their document, signed events delivered to a subscriber.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json

import pytest
from django.db import transaction

from claims.jobs.quotes import check_quote
from claims.models import (
    Claim,
    EventType,
    Evidence,
    OutboxEvent,
    QuoteCheck,
    WebhookDelivery,
    WebhookSubscription,
)
from claims.record.claims import create_claim
from claims.record.documents import save_document
from claims.record.workflow import OPERATOR
from sources.models import Document
from tests.factories import (
    ActorFactory,
    AttributionFactory,
    ClaimFactory,
    DocumentFactory,
    EvidenceFactory,
    ResponseFactory,
)
from tests.problems import fields

Status = Document.ArchiveStatus
pytestmark = pytest.mark.django_db

TEXT = (
    "MOSCOW, 26 September. The Ministry said Russian planes\n"
    "  \u201cdo not strike residential areas or villages\u201d and that its strikes hit bases."
)


@pytest.fixture(autouse=True)
def _fresh_content_types() -> None:
    """A transactional test in the same process may have emptied and refilled the content types
    under new ids; history records must not use ids cached before that."""
    from django.contrib.contenttypes.models import ContentType

    ContentType.objects.clear_cache()


@pytest.fixture
def write(django_capture_on_commit_callbacks):
    """Send one write as a tool would; what it queued runs when its transaction commits."""

    def send(client, method: str, url: str, body: dict, **headers: str):
        with django_capture_on_commit_callbacks(execute=True):
            return getattr(client, method)(url, body, format="json", **headers)

    return send


def subscribe(url: str, events: list[str]) -> WebhookSubscription:
    return WebhookSubscription.objects.create(name="tool", url=url, events=events, secret="s3cret")


def sha256_of(text: str) -> str:
    return hashlib.sha256(text.encode()).hexdigest()


def claim_body(speaker: str, **fields: object) -> dict:
    return {
        "speaker": speaker,
        "kind": "targeting",
        "summary": "The Ministry says its aircraft do not strike residential areas.",
        "made_on": "2017-09-26",
        **fields,
    }


def delivered_types(web) -> list[str]:
    return [r["headers"]["X-Claimtracker-Event"] for r in web.recorder.requests]


# --- documents ------------------------------------------------------------------------------------


def test_a_document_posted_with_a_url_is_archived_with_the_hash_of_its_bytes(
    editor_client, write, web, broadcaster
):
    answer = write(
        editor_client,
        "post",
        "/api/v1/documents/",
        {
            "title": "RT report",
            "source_url": web.url("/page.html"),
            "publisher": "rt",
            "language": "en",
        },
    )
    assert answer.status_code == 201, answer.json()
    document = Document.objects.get(pk=answer.json()["id"])
    assert document.archive_status == Status.ARCHIVED
    assert document.archive_sha256 == sha256_of(web.PAGE_HTML)
    assert document.archive_final_url == web.url("/page.html")
    assert [r["path"] for r in web.recorder.requests] == ["/page.html"]


def test_a_documents_changed_url_is_archived_and_other_changes_fetch_nothing(
    editor_client, write, web, broadcaster
):
    document = DocumentFactory(url="", publisher=broadcaster)
    answer = write(editor_client, "patch", f"/api/v1/documents/{document.pk}/", {"title": "New"})
    assert answer.status_code == 200, answer.json()
    assert web.recorder.requests == []
    answer = write(
        editor_client,
        "patch",
        f"/api/v1/documents/{document.pk}/",
        {"source_url": web.url("/text")},
    )
    assert answer.status_code == 200, answer.json()
    document.refresh_from_db()
    assert (document.title, document.archive_status) == ("New", Status.ARCHIVED)
    assert document.archive_sha256 == sha256_of("plain words")


def test_a_documents_changed_text_checks_again_the_quotes_taken_from_it(
    reviewer_client, write, broadcaster
):
    # A published claim quotes it, so the public sees it: changing it is a reviewer's.
    document = DocumentFactory(url="", full_text="An earlier draft of the article.")
    claim = ClaimFactory(quote="do not strike residential areas or villages")
    AttributionFactory(claim=claim, position=1, document=document)
    assert check_quote(claim=claim) == QuoteCheck.NOT_FOUND
    answer = write(
        reviewer_client, "patch", f"/api/v1/documents/{document.pk}/", {"full_text": TEXT}
    )
    assert answer.status_code == 200, answer.json()
    claim.refresh_from_db()
    assert claim.quote_check == QuoteCheck.FOUND
    assert claim.quote_anchor["exact"] == "do not strike residential areas or villages"


# --- claims ---------------------------------------------------------------------------------------


def test_a_claim_posted_with_its_quote_in_the_document_is_anchored_and_one_without_flagged(
    reviewer_client, write, defence_ministry, broadcaster
):
    article = DocumentFactory(url="", full_text=TEXT, publisher=broadcaster)
    chain = [{"actor": "rt", "verb": "quoted", "document": article.pk}]
    found = write(
        reviewer_client,
        "post",
        "/api/v1/claims/",
        claim_body("russian-defence-ministry", quote="\u201cdo not strike residential areas")
        | {"attribution_chain": chain},
    )
    missing = write(
        reviewer_client,
        "post",
        "/api/v1/claims/",
        claim_body("russian-defence-ministry", quote="do not strike towns")
        | {"attribution_chain": chain},
    )
    assert (found.status_code, missing.status_code) == (201, 201), (found.json(), missing.json())
    claim = Claim.objects.get(pk=found.json()["id"])
    assert claim.quote_check == QuoteCheck.FOUND
    assert claim.quote_anchor["text_from"] == "full_text"
    assert claim.quote_anchor["prefix"].endswith("The Ministry said Russian planes")
    assert Claim.objects.get(pk=missing.json()["id"]).quote_check == QuoteCheck.NOT_FOUND


def test_a_claims_changed_quote_is_checked_again(reviewer_client, write, defence_ministry):
    claim = ClaimFactory(speaker=defence_ministry, quote="words nobody said")
    AttributionFactory(claim=claim, document=DocumentFactory(url="", full_text=TEXT))
    check_quote(claim=claim)
    answer = write(
        reviewer_client,
        "patch",
        f"/api/v1/claims/{claim.pk}/",
        {"quote": "its strikes hit bases"},
    )
    assert answer.status_code == 200, answer.json()
    claim.refresh_from_db()
    assert claim.quote_check == QuoteCheck.FOUND
    assert claim.quote_anchor["exact"] == "its strikes hit bases"


def test_a_claim_posted_published_is_announced_to_subscribers_and_a_draft_is_not(
    reviewer_client, editor_client, write, web, defence_ministry
):
    subscribe(web.url("/hook"), [EventType.CLAIM_PUBLISHED, EventType.FIGURES_CHANGED])
    draft = write(editor_client, "post", "/api/v1/claims/", claim_body(defence_ministry.slug))
    assert draft.status_code == 201, draft.json()
    assert not OutboxEvent.objects.exists()
    figures = [
        {"category": "civilians", "outcome": "killed", "low": 0, "high": 0, "qualifier": "exactly"}
    ]
    answer = write(
        reviewer_client,
        "post",
        "/api/v1/claims/",
        claim_body(defence_ministry.slug, status="published", figures=figures),
    )
    assert answer.status_code == 201, answer.json()
    claim = Claim.objects.get(pk=answer.json()["id"])
    # A new claim's figures come with it: "figures changed" is for a published claim's figures.
    event = OutboxEvent.objects.get()
    assert event.event_type == EventType.CLAIM_PUBLISHED
    assert (event.payload["claim"]["uid"], event.payload["claim"]["status"]) == (
        str(claim.uid),
        "published",
    )
    assert event.deliveries.get().status == WebhookDelivery.Status.DELIVERED
    (request,) = web.recorder.requests
    assert request["headers"]["X-Claimtracker-Event-Id"] == str(event.uid)
    assert json.loads(request["body"])["data"]["claim"]["id"] == claim.pk


def test_publishing_a_draft_through_the_api_announces_it_and_the_answers_it_made(
    reviewer_client, editor_client, write, web, white_helmets, defence_ministry
):
    subscribe(web.url("/hook"), [EventType.CLAIM_PUBLISHED, EventType.RESPONSE_PUBLISHED])
    allegation = ClaimFactory(speaker=white_helmets)
    denial = ClaimFactory(speaker=defence_ministry, status=Claim.Status.DRAFT)
    linked = write(
        editor_client,
        "post",
        "/api/v1/responses/",
        {"claim": denial.pk, "answers": allegation.pk, "kind": "denies"},
    )
    assert linked.status_code == 201, linked.json()
    assert not OutboxEvent.objects.exists()  # the answer is a draft: nothing is public yet
    published = write(
        reviewer_client, "patch", f"/api/v1/claims/{denial.pk}/", {"status": "published"}
    )
    assert published.status_code == 200, published.json()
    assert delivered_types(web) == ["claim.published", "response.published"]
    event = OutboxEvent.objects.get(event_type=EventType.RESPONSE_PUBLISHED)
    assert event.payload["response"]["id"] == linked.json()["id"]
    assert event.payload["answering"]["uid"] == str(denial.uid)
    assert event.payload["answered"]["uid"] == str(allegation.uid)
    # A later correction of the published claim announces nothing again.
    corrected = write(
        reviewer_client, "patch", f"/api/v1/claims/{denial.pk}/", {"summary": "Corrected."}
    )
    assert corrected.status_code == 200, corrected.json()
    assert OutboxEvent.objects.count() == 2


def test_linking_a_published_answer_announces_the_response(
    reviewer_client, write, web, white_helmets, defence_ministry
):
    subscribe(web.url("/hook"), [EventType.RESPONSE_PUBLISHED])
    allegation = ClaimFactory(speaker=white_helmets)
    denial = ClaimFactory(speaker=defence_ministry)
    answer = write(
        reviewer_client,
        "post",
        "/api/v1/responses/",
        {"claim": denial.pk, "answers": allegation.pk, "kind": "denies", "note": "by phone"},
    )
    assert answer.status_code == 201, answer.json()
    event = OutboxEvent.objects.get()
    assert event.event_type == EventType.RESPONSE_PUBLISHED
    assert event.payload["response"] == {
        "id": answer.json()["id"],
        "kind": "denies",
        "note": "by phone",
    }
    assert event.payload["answering"]["speaker"] == defence_ministry.slug
    assert event.payload["answered"]["speaker"] == white_helmets.slug
    assert delivered_types(web) == ["response.published"]


# --- evidence -------------------------------------------------------------------------------------


def test_evidence_posted_or_given_a_new_url_is_archived(reviewer_client, write, web):
    claim = ClaimFactory()
    answer = write(
        reviewer_client,
        "post",
        "/api/v1/evidence/",
        {
            "claim": claim.pk,
            "relation": "cited",
            "kind": "video",
            "description": "Footage the speaker refers to.",
            "source_url": web.url("/page.html"),
            "availability": "published",
        },
    )
    assert answer.status_code == 201, answer.json()
    evidence = Evidence.objects.get(pk=answer.json()["id"])
    assert evidence.archive_status == Status.ARCHIVED
    assert evidence.archive_sha256 == sha256_of(web.PAGE_HTML)
    described = write(
        reviewer_client, "patch", f"/api/v1/evidence/{evidence.pk}/", {"description": "Again."}
    )
    assert described.status_code == 200, described.json()
    assert len(web.recorder.requests) == 1  # no new URL, no new fetch
    moved = write(
        reviewer_client,
        "patch",
        f"/api/v1/evidence/{evidence.pk}/",
        {"source_url": web.url("/text")},
    )
    assert moved.status_code == 200, moved.json()
    evidence.refresh_from_db()
    assert (evidence.description, evidence.archive_sha256) == ("Again.", sha256_of("plain words"))


# --- nothing queued for what is not written -------------------------------------------------------


def test_a_bad_claim_answers_400_and_queues_nothing(
    reviewer_client, django_capture_on_commit_callbacks, web, defence_ministry, broadcaster
):
    subscribe(web.url("/hook"), list(EventType.values))
    article = DocumentFactory(url="", full_text=TEXT, publisher=broadcaster)
    body = claim_body(
        defence_ministry.slug,
        status="published",
        quote="do not strike residential areas",
        attribution_chain=[{"actor": "rt", "document": article.pk}],
        figures=[{"category": "civilians", "outcome": "killed", "low": 10, "high": 2}],
    )
    with django_capture_on_commit_callbacks(execute=True) as queued:
        answer = reviewer_client.post("/api/v1/claims/", body, format="json")
    assert answer.status_code == 400
    assert "figures" in fields(answer)
    assert queued == []
    assert not Claim.objects.exists()
    assert not OutboxEvent.objects.exists()
    assert web.recorder.requests == []


def test_bad_evidence_and_documents_answer_400_and_fetch_nothing(
    editor_client, django_capture_on_commit_callbacks, web, broadcaster
):
    claim = ClaimFactory()
    with django_capture_on_commit_callbacks(execute=True) as queued:
        evidence = editor_client.post(
            "/api/v1/evidence/",
            {
                "claim": claim.pk,
                "relation": "cited",
                "kind": "video",
                "description": "Footage.",
                "source_url": web.url("/page.html"),
                "availability": "not_produced",  # a URL means it was produced: refused
            },
            format="json",
        )
        document = editor_client.post(
            "/api/v1/documents/",
            {"title": "RT", "source_url": web.url("/text"), "publisher": "rt", "language": "?"},
            format="json",
        )
    assert (evidence.status_code, document.status_code) == (400, 400)
    assert "language" in fields(document)
    assert queued == []
    assert not Evidence.objects.exists()
    assert not Document.objects.exists()
    assert web.recorder.requests == []


def test_a_response_that_breaks_a_rule_announces_nothing(reviewer_client, write, web):
    subscribe(web.url("/hook"), [EventType.RESPONSE_PUBLISHED])
    claim = ClaimFactory()
    answer = write(
        reviewer_client,
        "post",
        "/api/v1/responses/",
        {"claim": claim.pk, "answers": claim.pk, "kind": "denies"},
    )
    assert answer.status_code == 400
    assert not OutboxEvent.objects.exists()
    assert web.recorder.requests == []


def test_work_asked_for_in_a_transaction_that_rolls_back_is_never_done(
    django_capture_on_commit_callbacks, web, defence_ministry, broadcaster
):
    """The services queue after commit: a failure later in the same transaction undoes the
    rows, the outbox events and the queued archives and checks alike."""
    subscribe(web.url("/hook"), list(EventType.values))
    events_before_failing: list[int] = []

    @transaction.atomic
    def write_then_fail() -> None:
        document = save_document(
            by=OPERATOR,
            values={
                "title": "RT",
                "url": web.url("/page.html"),
                "publisher": broadcaster,
                "language": "en",
                "full_text": TEXT,
            },
        )
        create_claim(
            by=OPERATOR,
            fields={
                "speaker": defence_ministry,
                "kind": "targeting",
                "summary": "The Ministry says so.",
                "quote": "do not strike",
                "made_on": dt.date(2017, 9, 26),
                "status": "published",
            },
            chain=[{"actor": broadcaster, "verb": "quoted", "document": document}],
        )
        events_before_failing.append(OutboxEvent.objects.count())
        raise RuntimeError("a later step of the same write failed")

    with django_capture_on_commit_callbacks(execute=True) as queued, pytest.raises(RuntimeError):
        write_then_fail()
    assert events_before_failing == [1]
    assert queued == []
    assert not Document.objects.exists()
    assert not OutboxEvent.objects.exists()
    assert not WebhookDelivery.objects.exists()
    assert web.recorder.requests == []


def test_editing_evidence_without_a_url_leaves_its_archive_state_alone(reviewer_client, write, web):
    evidence = EvidenceFactory(claim=ClaimFactory(speaker=ActorFactory()), url="")
    answer = write(reviewer_client, "patch", f"/api/v1/evidence/{evidence.pk}/", {"kind": "photo"})
    assert answer.status_code == 200, answer.json()
    evidence.refresh_from_db()
    assert (evidence.kind, evidence.archive_status) == ("photo", Status.NONE)
    assert web.recorder.requests == []


def test_linking_answers_between_existing_rows_keeps_one_event_per_link(
    reviewer_client, write, web, white_helmets, defence_ministry
):
    subscribe(web.url("/hook"), [EventType.RESPONSE_PUBLISHED])
    allegation = ClaimFactory(speaker=white_helmets)
    denial = ClaimFactory(speaker=defence_ministry)
    ResponseFactory(claim=denial, answers=allegation, kind="denies")  # linked before: no event
    answer = write(
        reviewer_client,
        "post",
        "/api/v1/responses/",
        {"claim": denial.pk, "answers": allegation.pk, "kind": "disputes"},
    )
    assert answer.status_code == 201, answer.json()
    assert OutboxEvent.objects.get().payload["response"]["kind"] == "disputes"
