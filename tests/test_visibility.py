"""Drafts never leave the building: an actor, incident or document that only drafts use is, to
the public, exactly as if it did not exist — on pages, in the API, in search and in filters —
until a public claim uses it. Readers of drafts see everything."""

from __future__ import annotations

import re
from types import SimpleNamespace

import pytest
from django.test import Client
from rest_framework.test import APIClient

from claims.models import Claim, Evidence, Incident, Response
from sources.models import Actor, Document
from tests.conftest import token_client
from tests.factories import (
    ActorFactory,
    AffiliationFactory,
    AssessmentFactory,
    AttributionFactory,
    ClaimFactory,
    ClaimTargetFactory,
    DocumentFactory,
    EvidenceFactory,
    FigureFactory,
    IncidentFactory,
    ResponseFactory,
)

pytestmark = pytest.mark.django_db

# Every name and title of the draft's rows holds this word, and nothing public does.
WORD = "Zarzour"
# How each actor of the draft is used by it, by slug.
DRAFT_ACTORS = {
    "speaker": "zarzour-ministry",
    "spokesperson": "zarzour-spokesman",
    "accused": "zarzour-brigade",
    "subject": "zarzour-council",
    "relay": "zarzour-agency",
    "reporter": "zarzour-monitor",
    "publisher": "zarzour-outlet",
}
UNKNOWN_SLUG = "nobody-by-this-name"
UNKNOWN_ID = 987654321


@pytest.fixture
def scene(white_helmets: Actor) -> SimpleNamespace:
    """A published claim by the White Helmets, and a draft that uses actors, an incident and a
    document no public claim uses: the rows an editor makes for a statement never published."""
    published = ClaimFactory(speaker=white_helmets, summary="The White Helmets report shelling.")
    actors = {
        role: ActorFactory(
            name=f"{WORD} {role.capitalize()}",
            slug=slug,
            kind=Actor.Kind.PERSON if role == "spokesperson" else Actor.Kind.ORGANISATION,
        )
        for role, slug in DRAFT_ACTORS.items()
    }
    incident = IncidentFactory(title=f"Shelling of {WORD}", slug="shelling-of-zarzour")
    document = DocumentFactory(title=f"Report from {WORD}", publisher=actors["publisher"])
    draft = ClaimFactory(
        status=Claim.Status.DRAFT,
        speaker=actors["speaker"],
        spokesperson=actors["spokesperson"],
        incident=incident,
        summary="A ministry says the shelling did not happen.",
    )
    ClaimTargetFactory(claim=draft, actor=actors["accused"])
    ClaimTargetFactory(claim=draft, actor=actors["subject"], role="subject")
    AttributionFactory(claim=draft, position=1, actor=actors["relay"], document=document)
    FigureFactory(claim=draft, reported_by=actors["reporter"])
    evidence = EvidenceFactory(claim=draft, description="Footage of the draft.")
    response = ResponseFactory(claim=draft, answers=published)
    return SimpleNamespace(
        published=published,
        draft=draft,
        actors=actors,
        incident=incident,
        document=document,
        evidence=evidence,
        response=response,
    )


@pytest.fixture
def analyst_client(analyst) -> Client:
    """An analyst signed in to the pages: a reader of drafts (``client`` stays anonymous)."""
    signed_in = Client()
    signed_in.force_login(analyst)
    return signed_in


@pytest.fixture
def analyst_api(analyst) -> APIClient:
    return token_client(analyst, "analyst tool")


def _answer(response) -> object:
    """What an answer says, without the request id every answer carries (it differs each time)."""
    if response.get("Content-Type", "").startswith(("application/json", "application/problem")):
        body = response.json()
        if isinstance(body, dict):
            body.pop("request_id", None)
            body.pop("instance", None)  # the path asked for, which the client knows
        return body
    return re.sub(rb"[0-9a-f]{32}", b"REQUEST-ID", response.content)


def publish(claim: Claim) -> None:
    """Publish without the write path (being rewritten): only the status matters here."""
    Claim.objects.filter(pk=claim.pk).update(status=Claim.Status.PUBLISHED)


def page_urls(scene: SimpleNamespace) -> dict[str, str]:
    return {
        **{role: f"/actors/{slug}/" for role, slug in DRAFT_ACTORS.items()},
        "incident": f"/incidents/{scene.incident.slug}/",
        "document": f"/documents/{scene.document.pk}/",
    }


UNKNOWN_PAGES = {
    **dict.fromkeys(DRAFT_ACTORS, f"/actors/{UNKNOWN_SLUG}/"),
    "incident": f"/incidents/{UNKNOWN_SLUG}/",
    "document": f"/documents/{UNKNOWN_ID}/",
}


def api_urls(scene: SimpleNamespace) -> dict[str, str]:
    return {
        **{role: f"/api/v1/actors/{slug}/" for role, slug in DRAFT_ACTORS.items()},
        "incident": f"/api/v1/incidents/{scene.incident.slug}/",
        "incident figures": f"/api/v1/incidents/{scene.incident.slug}/figures/",
        "incident claimreview": f"/api/v1/incidents/{scene.incident.slug}/claimreview/",
        "document": f"/api/v1/documents/{scene.document.pk}/",
    }


UNKNOWN_API = {
    **dict.fromkeys(DRAFT_ACTORS, f"/api/v1/actors/{UNKNOWN_SLUG}/"),
    "incident": f"/api/v1/incidents/{UNKNOWN_SLUG}/",
    "incident figures": f"/api/v1/incidents/{UNKNOWN_SLUG}/figures/",
    "incident claimreview": f"/api/v1/incidents/{UNKNOWN_SLUG}/claimreview/",
    "document": f"/api/v1/documents/{UNKNOWN_ID}/",
}


def listed(client: APIClient, url: str) -> set[str]:
    """The slugs (actors, incidents) or titles (documents) a list endpoint answers with."""
    response = client.get(url)
    assert response.status_code == 200, (url, response.content[:300])
    return {row.get("slug") or row["title"] for row in response.json()["results"]}


def same_page(html: str, *names: str) -> str:
    """A page's words with the names it repeats from its address put out of the way."""
    for name in names:
        html = html.replace(name, "NAME")
    return re.sub(r'nonce="[^"]*"', "", html)


# --- Pages --------------------------------------------------------------------------------------


@pytest.mark.parametrize("used_as", [*DRAFT_ACTORS, "incident", "document"])
def test_a_page_of_a_row_only_a_draft_uses_is_not_found_by_the_public_as_if_unknown(
    client: Client, scene: SimpleNamespace, used_as: str
) -> None:
    hidden = client.get(page_urls(scene)[used_as])
    unknown = client.get(UNKNOWN_PAGES[used_as])

    assert (hidden.status_code, _answer(hidden)) == (404, _answer(unknown))
    assert unknown.status_code == 404
    assert Actor.objects.filter(slug__in=DRAFT_ACTORS.values()).count() == len(DRAFT_ACTORS)
    assert Claim.objects.get(pk=scene.draft.pk).status == Claim.Status.DRAFT


@pytest.mark.parametrize("used_as", [*DRAFT_ACTORS, "incident", "document"])
def test_a_reader_of_drafts_opens_the_page_of_a_row_only_a_draft_uses(
    analyst_client: Client, scene: SimpleNamespace, used_as: str
) -> None:
    assert analyst_client.get(page_urls(scene)[used_as]).status_code == 200


@pytest.mark.parametrize("used_as", [*DRAFT_ACTORS, "incident", "document"])
def test_the_page_of_a_row_opens_to_the_public_once_its_claim_is_published(
    client: Client, scene: SimpleNamespace, used_as: str
) -> None:
    publish(scene.draft)

    assert client.get(page_urls(scene)[used_as]).status_code == 200


@pytest.mark.parametrize("used_as", [*DRAFT_ACTORS, "incident", "document"])
def test_a_withdrawn_claim_keeps_the_pages_of_its_rows_open_to_the_public(
    client: Client, scene: SimpleNamespace, used_as: str
) -> None:
    Claim.objects.filter(pk=scene.draft.pk).update(
        status=Claim.Status.WITHDRAWN, withdrawal_reason="Misattributed."
    )

    assert client.get(page_urls(scene)[used_as]).status_code == 200


def test_an_actor_no_claim_uses_has_no_page_for_the_public(client: Client) -> None:
    # What an admin pop-up leaves behind when the claim it was made for is abandoned.
    ActorFactory(slug="abandoned-in-a-pop-up")

    assert client.get("/actors/abandoned-in-a-pop-up/").status_code == 404
    assert Actor.objects.filter(slug="abandoned-in-a-pop-up").exists()


def test_an_actor_page_names_only_the_organisations_the_reader_may_see(
    client: Client, analyst_client: Client, scene: SimpleNamespace, white_helmets: Actor
) -> None:
    person = ActorFactory(name="Raed Saleh", slug="raed-saleh", kind=Actor.Kind.PERSON)
    ClaimFactory(speaker=person)
    AffiliationFactory(person=person, organisation=white_helmets, role="head")
    AffiliationFactory(person=person, organisation=scene.actors["speaker"], role="adviser")

    public = client.get("/actors/raed-saleh/").content.decode()
    drafts = analyst_client.get("/actors/raed-saleh/").content.decode()

    assert "White Helmets" in public
    assert WORD not in public
    assert f"{WORD} Speaker" in drafts
    assert person.affiliations.count() == 2


def test_an_actor_page_names_only_the_people_the_reader_may_see(
    client: Client, analyst_client: Client, scene: SimpleNamespace, white_helmets: Actor
) -> None:
    AffiliationFactory(person=scene.actors["spokesperson"], organisation=white_helmets)

    public = client.get("/actors/white-helmets/").content.decode()
    drafts = analyst_client.get("/actors/white-helmets/").content.decode()

    assert WORD not in public
    assert f"{WORD} Spokesperson" in drafts
    assert white_helmets.members.count() == 1


def test_an_actor_page_lists_only_the_documents_the_reader_may_see(
    client: Client, analyst_client: Client, scene: SimpleNamespace, white_helmets: Actor
) -> None:
    seen = DocumentFactory(title="Quoted report", publisher=white_helmets)
    AttributionFactory(claim=scene.published, document=seen)
    DocumentFactory(title=f"Unquoted {WORD} report", publisher=white_helmets)

    public = client.get("/actors/white-helmets/").content.decode()
    drafts = analyst_client.get("/actors/white-helmets/").content.decode()

    assert "Quoted report" in public
    assert WORD not in public
    assert f"Unquoted {WORD} report" in drafts
    assert white_helmets.documents.count() == 2


# --- API lists and details ----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("url", "hidden"),
    [
        ("/api/v1/actors/?limit=200", set(DRAFT_ACTORS.values())),
        ("/api/v1/incidents/", {"shelling-of-zarzour"}),
        ("/api/v1/documents/", {f"Report from {WORD}"}),
    ],
)
def test_the_api_lists_leave_out_rows_only_a_draft_uses(
    api_client: APIClient, scene: SimpleNamespace, url: str, hidden: set[str]
) -> None:
    assert listed(api_client, url) & hidden == set()
    assert "white-helmets" in listed(api_client, "/api/v1/actors/")


@pytest.mark.parametrize(
    ("url", "hidden"),
    [
        ("/api/v1/actors/?limit=200", set(DRAFT_ACTORS.values())),
        ("/api/v1/incidents/", {"shelling-of-zarzour"}),
        ("/api/v1/documents/", {f"Report from {WORD}"}),
    ],
)
def test_a_reader_of_drafts_finds_rows_only_a_draft_uses_in_the_api_lists(
    analyst_api: APIClient, scene: SimpleNamespace, url: str, hidden: set[str]
) -> None:
    assert listed(analyst_api, url) >= hidden


@pytest.mark.parametrize(
    ("url", "hidden"),
    [
        ("/api/v1/actors/?limit=200", set(DRAFT_ACTORS.values())),
        ("/api/v1/incidents/", {"shelling-of-zarzour"}),
        ("/api/v1/documents/", {f"Report from {WORD}"}),
    ],
)
def test_the_api_lists_show_the_rows_once_their_claim_is_published(
    api_client: APIClient, scene: SimpleNamespace, url: str, hidden: set[str]
) -> None:
    publish(scene.draft)

    assert listed(api_client, url) >= hidden


def test_the_api_list_count_leaves_out_rows_only_a_draft_uses(
    api_client: APIClient, scene: SimpleNamespace
) -> None:
    # The White Helmets speak the published claim; the draft's seven actors are not counted.
    assert api_client.get("/api/v1/actors/").json()["count"] == 1
    assert Actor.objects.count() == 1 + len(DRAFT_ACTORS)


@pytest.mark.parametrize("used_as", [*DRAFT_ACTORS, "incident", "document", "incident figures"])
def test_an_api_detail_of_a_row_only_a_draft_uses_answers_the_404_of_an_unknown_key(
    api_client: APIClient, scene: SimpleNamespace, used_as: str
) -> None:
    hidden = api_client.get(api_urls(scene)[used_as])
    unknown = api_client.get(UNKNOWN_API[used_as])

    assert hidden.status_code == 404
    assert (hidden.status_code, _answer(hidden)) == (unknown.status_code, _answer(unknown))


def test_the_claimreview_of_an_incident_only_a_draft_uses_answers_the_404_of_an_unknown_one(
    api_client: APIClient, scene: SimpleNamespace
) -> None:
    hidden = api_client.get(api_urls(scene)["incident claimreview"])
    unknown = api_client.get(UNKNOWN_API["incident claimreview"])

    assert (hidden.status_code, _answer(hidden)) == (404, _answer(unknown))
    assert Incident.objects.filter(slug=scene.incident.slug).exists()


def test_revalidating_a_copy_of_a_hidden_actor_answers_404_not_304(
    api_client: APIClient, analyst_api: APIClient, scene: SimpleNamespace
) -> None:
    url = api_urls(scene)["speaker"]
    etag = analyst_api.get(url)["ETag"]

    assert api_client.get(url, HTTP_IF_NONE_MATCH=etag).status_code == 404


@pytest.mark.parametrize("used_as", [*DRAFT_ACTORS, "incident", "incident figures", "document"])
def test_a_reader_of_drafts_opens_the_api_detail_of_a_row_only_a_draft_uses(
    analyst_api: APIClient, scene: SimpleNamespace, used_as: str
) -> None:
    assert analyst_api.get(api_urls(scene)[used_as]).status_code == 200


@pytest.mark.parametrize("used_as", [*DRAFT_ACTORS, "incident", "document"])
def test_the_api_detail_of_a_row_opens_once_its_claim_is_published(
    api_client: APIClient, scene: SimpleNamespace, used_as: str
) -> None:
    publish(scene.draft)

    assert api_client.get(api_urls(scene)[used_as]).status_code == 200


def test_the_evidence_of_a_withdrawn_claim_opens_at_its_api_address_as_on_the_claim_page(
    api_client: APIClient, scene: SimpleNamespace
) -> None:
    Claim.objects.filter(pk=scene.draft.pk).update(
        status=Claim.Status.WITHDRAWN, withdrawal_reason="Misattributed."
    )

    answer = api_client.get(f"/api/v1/evidence/{scene.evidence.pk}/")

    assert answer.status_code == 200
    assert answer.json()["description"] == "Footage of the draft."


def test_the_evidence_list_still_shows_the_public_only_evidence_of_published_claims(
    api_client: APIClient, scene: SimpleNamespace
) -> None:
    Claim.objects.filter(pk=scene.draft.pk).update(
        status=Claim.Status.WITHDRAWN, withdrawal_reason="Misattributed."
    )
    EvidenceFactory(claim=scene.published, description="Footage of the published claim.")

    rows = api_client.get("/api/v1/evidence/").json()["results"]

    assert [row["description"] for row in rows] == ["Footage of the published claim."]
    assert Evidence.objects.count() == 2


# --- Filters that name a row --------------------------------------------------------------------


@pytest.mark.parametrize(
    ("url", "param"),
    [
        ("/api/v1/responses/", "claim"),
        ("/api/v1/responses/", "answers"),
        ("/api/v1/evidence/", "claim"),
    ],
)
def test_filtering_by_a_draft_claim_answers_as_for_a_claim_that_does_not_exist(
    api_client: APIClient, scene: SimpleNamespace, url: str, param: str
) -> None:
    # The draft answers the published claim: filter by the draft on both sides.
    hidden = api_client.get(url, {param: scene.draft.pk})
    unknown = api_client.get(url, {param: UNKNOWN_ID})

    assert hidden.status_code == 400
    assert (hidden.status_code, _answer(hidden)) == (unknown.status_code, _answer(unknown))
    assert Response.objects.filter(claim=scene.draft).exists()


@pytest.mark.parametrize(
    ("url", "param"),
    [
        ("/api/v1/responses/", "claim"),
        ("/api/v1/evidence/", "claim"),
    ],
)
def test_a_reader_of_drafts_filters_by_a_draft_claim(
    analyst_api: APIClient, scene: SimpleNamespace, url: str, param: str
) -> None:
    answer = analyst_api.get(url, {param: scene.draft.pk})

    assert answer.status_code == 200
    assert len(answer.json()["results"]) == 1


FILTERS = [
    ("speaker", "zarzour-ministry"),
    ("accused", "zarzour-brigade"),
    ("actor", "zarzour-ministry"),
    ("actor", "zarzour-brigade"),
    ("incident", "shelling-of-zarzour"),
]


@pytest.mark.parametrize("url", ["/api/v1/claims/", "/api/v1/timeline/"])
@pytest.mark.parametrize(("param", "slug"), FILTERS)
def test_filtering_claims_by_a_row_only_drafts_use_answers_as_for_an_unknown_slug(
    api_client: APIClient, scene: SimpleNamespace, url: str, param: str, slug: str
) -> None:
    hidden = api_client.get(url, {param: slug})
    unknown = api_client.get(url, {param: UNKNOWN_SLUG})

    assert hidden.status_code == 400
    assert (hidden.status_code, _answer(hidden)) == (unknown.status_code, _answer(unknown))


@pytest.mark.parametrize(("param", "slug"), FILTERS)
def test_a_reader_of_drafts_filters_claims_by_a_row_only_drafts_use(
    analyst_api: APIClient, scene: SimpleNamespace, param: str, slug: str
) -> None:
    answer = analyst_api.get("/api/v1/claims/", {param: slug})

    assert answer.status_code == 200
    assert [row["id"] for row in answer.json()["results"]] == [scene.draft.pk]


@pytest.mark.parametrize(("param", "slug"), FILTERS)
def test_filtering_claims_by_a_row_works_for_the_public_once_its_claim_is_published(
    api_client: APIClient, scene: SimpleNamespace, param: str, slug: str
) -> None:
    publish(scene.draft)

    answer = api_client.get("/api/v1/claims/", {param: slug})

    assert answer.status_code == 200
    assert [row["id"] for row in answer.json()["results"]] == [scene.draft.pk]


@pytest.mark.parametrize(("param", "slug"), FILTERS)
def test_the_timeline_page_says_no_such_name_for_a_row_only_drafts_use(
    client: Client, scene: SimpleNamespace, param: str, slug: str
) -> None:
    hidden = client.get("/timeline/", {param: slug})
    unknown = client.get("/timeline/", {param: UNKNOWN_SLUG})
    said = "No incident is titled or placed at" if param == "incident" else "No actor is named"

    assert said in hidden.content.decode()
    assert hidden.status_code == unknown.status_code == 200
    assert same_page(hidden.content.decode(), slug) == same_page(
        unknown.content.decode(), UNKNOWN_SLUG
    )


@pytest.mark.parametrize(("param", "slug"), FILTERS)
def test_the_timeline_page_filters_a_reader_of_drafts_by_a_row_only_drafts_use(
    analyst_client: Client, scene: SimpleNamespace, param: str, slug: str
) -> None:
    html = analyst_client.get("/timeline/", {param: slug}).content.decode()

    assert "has this short name" not in html
    assert scene.draft.get_absolute_url() in html


def test_filtering_documents_by_a_hidden_publisher_answers_as_for_an_unknown_one(
    api_client: APIClient, scene: SimpleNamespace
) -> None:
    hidden = api_client.get("/api/v1/documents/", {"publisher": "zarzour-outlet"})
    unknown = api_client.get("/api/v1/documents/", {"publisher": UNKNOWN_SLUG})

    assert (hidden.status_code, _answer(hidden)) == (unknown.status_code, _answer(unknown))
    assert Document.objects.filter(publisher__slug="zarzour-outlet").exists()


def test_the_actor_list_does_not_match_a_hidden_actor_by_name(
    api_client: APIClient, scene: SimpleNamespace
) -> None:
    assert api_client.get("/api/v1/actors/", {"q": WORD}).json()["results"] == []


# --- Search -------------------------------------------------------------------------------------


def test_the_search_api_finds_no_actor_document_or_incident_only_a_draft_uses(
    api_client: APIClient, scene: SimpleNamespace
) -> None:
    found = api_client.get("/api/v1/search/", {"q": WORD}).json()

    assert {kind: found[kind] for kind in ("actor", "document", "incident")} == {
        "actor": [],
        "document": [],
        "incident": [],
    }


def test_the_search_page_finds_no_actor_document_or_incident_only_a_draft_uses(
    client: Client, scene: SimpleNamespace
) -> None:
    html = client.get("/search/", {"q": WORD}).content.decode()

    assert "/actors/zarzour-" not in html
    assert f"/documents/{scene.document.pk}/" not in html
    assert "/incidents/shelling-of-zarzour/" not in html


def test_search_finds_rows_only_a_draft_uses_for_a_reader_of_drafts(
    analyst_api: APIClient, scene: SimpleNamespace
) -> None:
    found = analyst_api.get("/api/v1/search/", {"q": WORD}).json()

    assert {hit["label"] for hit in found["actor"]} == {
        f"{WORD} {r.capitalize()}" for r in DRAFT_ACTORS
    }
    assert [hit["id"] for hit in found["document"]] == [scene.document.pk]
    assert [hit["id"] for hit in found["incident"]] == [scene.incident.pk]


def test_search_finds_the_rows_once_their_claim_is_published(
    api_client: APIClient, scene: SimpleNamespace
) -> None:
    publish(scene.draft)

    found = api_client.get("/api/v1/search/", {"q": WORD}).json()

    assert len(found["actor"]) == len(DRAFT_ACTORS)
    assert [hit["id"] for hit in found["document"]] == [scene.document.pk]
    assert [hit["id"] for hit in found["incident"]] == [scene.incident.pk]


# --- Exports ------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "url",
    [
        "/api/v1/claims/export/csv/",
        "/api/v1/claims/export/jsonl/",
        "/api/v1/claims/{pk}/claimreview/",
    ],
)
def test_exports_name_no_row_only_a_draft_uses(
    api_client: APIClient, scene: SimpleNamespace, url: str
) -> None:
    if "claimreview" in url:  # a ClaimReview is made of a published assessment only
        AssessmentFactory(claim=scene.published)
    answer = api_client.get(url.format(pk=scene.published.pk))
    body = (b"".join(answer.streaming_content) if answer.streaming else answer.content).decode()

    assert answer.status_code == 200
    assert "white-helmets" in body or "White Helmets" in body
    assert "zarzour" not in body.lower()
    assert f"documents/{scene.document.pk}/" not in body
