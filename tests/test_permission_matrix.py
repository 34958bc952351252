"""Every role against every API endpoint and page, reading and writing.

Roles: anonymous, a signed-in user with no role, analyst, editor, reviewer, administrator. API
clients send a token, as tools do; pages use the session. A draft must never be seen by those
who may not read drafts — not in lists, details, search, exports, figures, threads or counts —
and swapping its id into a URL must not reach it.
"""

from __future__ import annotations

import pytest
from django.test import Client
from rest_framework.test import APIClient

from claims.models import Claim
from tests.conftest import token_client
from tests.factories import (
    AssessmentFactory,
    ClaimFactory,
    ClaimTargetFactory,
    DocumentFactory,
    EvidenceFactory,
    FigureFactory,
    IncidentFactory,
    ResponseFactory,
    UserFactory,
)

pytestmark = pytest.mark.django_db

ROLES = ["anonymous", "no role", "analysts", "editors", "reviewers", "administrators"]
READS_DRAFTS = {"analysts", "editors", "reviewers", "administrators"}
WRITES_DRAFTS = {"editors", "reviewers", "administrators"}
PUBLISHES = {"reviewers", "administrators"}
# A word only the draft's quote contains, searched for; and one only its summary and evidence
# contain, looked for (a search page repeats the query, so it cannot be the word searched).
SECRET = "quinquereme"
MARK = "zephyrine"


@pytest.fixture
def record(white_helmets, defence_ministry, broadcaster) -> dict:
    incident = IncidentFactory(slug="matrix-incident", title="Matrix incident")
    published = ClaimFactory(
        speaker=white_helmets, incident=incident, summary="Published allegation about shelling"
    )
    draft = ClaimFactory(
        speaker=defence_ministry,
        incident=incident,
        summary=f"Draft denial mentioning a {MARK}",
        quote=f"no {SECRET} was hit",
        status=Claim.Status.DRAFT,
    )
    # The allegation accuses the Ministry, so its page is public and must hide its draft (an
    # actor only drafts use has no public page at all: tests/test_visibility.py).
    ClaimTargetFactory(claim=published, actor=defence_ministry)
    FigureFactory(claim=published, low=10, high=10)
    FigureFactory(claim=draft, low=777, high=777)
    EvidenceFactory(claim=draft, description=f"Draft evidence about the {MARK}")
    ResponseFactory(claim=draft, answers=published, kind="denies")
    DocumentFactory(publisher=broadcaster)
    return {"published": published, "draft": draft, "incident": incident}


def _user(role: str):
    if role == "anonymous":
        return None
    groups = [] if role == "no role" else [role]
    return UserFactory(username=f"user-{role.replace(' ', '-')}", is_staff=True, groups=groups)


def _api(role: str) -> APIClient:
    user = _user(role)
    return APIClient() if user is None else token_client(user, f"{role} tool")


def _browser(role: str) -> Client:
    client = Client()
    user = _user(role)
    if user is not None:
        client.force_login(user)
    return client


# --- reading ------------------------------------------------------------------------------------

API_LISTINGS = [
    "/api/v1/claims/",
    "/api/v1/timeline/",
    f"/api/v1/search/?q={SECRET}",
    "/api/v1/claims/export/jsonl/",
    "/api/v1/claims/export/csv/",
    "/api/v1/responses/",
    "/api/v1/evidence/",
]
# Published records only, whoever asks: the figure spread and ClaimReview are what the record
# stands behind, so even editors see a draft's figures only on the draft itself.
API_PUBLIC_ONLY = [
    "/api/v1/incidents/matrix-incident/figures/",
    "/api/v1/incidents/matrix-incident/claimreview/",
]
PAGES = [
    "/",
    "/timeline/",
    "/incidents/matrix-incident/",
    "/actors/russian-defence-ministry/",
    f"/search/?q={SECRET}",
]


def _shows_draft(body: str, record: dict) -> bool:
    return MARK in body or f"/claims/{record['draft'].pk}/" in body


def _body(response) -> str:
    if hasattr(response, "streaming_content"):
        return b"".join(response.streaming_content).decode()
    return response.content.decode()


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("url", API_LISTINGS)
def test_api_listings_show_drafts_only_to_roles_that_read_them(role, url, record) -> None:
    response = _api(role).get(url)
    assert response.status_code == 200, (role, url, response.status_code)
    assert _shows_draft(_body(response), record) is (role in READS_DRAFTS), (role, url)


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("url", API_PUBLIC_ONLY)
def test_figure_spread_and_claimreview_never_show_drafts(role, url, record) -> None:
    response = _api(role).get(url)
    assert response.status_code == 200
    body = _body(response).replace(" ", "")
    assert not _shows_draft(body, record)
    assert '"low":777' not in body


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("url", PAGES)
def test_pages_show_drafts_only_to_roles_that_read_them(role, url, record) -> None:
    response = _browser(role).get(url)
    assert response.status_code == 200, (role, url)
    assert _shows_draft(_body(response), record) is (role in READS_DRAFTS), (role, url)


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize(
    "url",
    [
        "/api/v1/claims/{draft}/",
        "/api/v1/responses/{response}/",
        "/api/v1/evidence/{evidence}/",
    ],
)
def test_swapping_a_draft_id_into_an_api_url_reaches_it_only_with_the_role(
    role, url, record
) -> None:
    draft = record["draft"]
    url = url.format(
        draft=draft.pk,
        response=draft.responses_made.get().pk,
        evidence=draft.evidence.get().pk,
    )
    expected = 200 if role in READS_DRAFTS else 404
    assert _api(role).get(url).status_code == expected, (role, url)


@pytest.mark.parametrize("role", ROLES)
def test_a_draft_has_no_claimreview_whatever_the_role(role, record) -> None:
    """A ClaimReview is what the record publishes: never of a draft, even for its editors."""
    AssessmentFactory(claim=record["draft"])
    url = f"/api/v1/claims/{record['draft'].pk}/claimreview/"
    assert _api(role).get(url).status_code == 404, role


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("url", ["/claims/{draft}/", "/claims/{draft}/history/"])
def test_swapping_a_draft_id_into_a_page_url_reaches_it_only_with_the_role(
    role, url, record
) -> None:
    response = _browser(role).get(url.format(draft=record["draft"].pk))
    assert response.status_code == (200 if role in READS_DRAFTS else 404), role


# --- writing ------------------------------------------------------------------------------------


def _expected_refusal(role: str) -> set[int]:
    # Anonymous tools are asked to authenticate; known users without the right are forbidden.
    return {401, 403} if role == "anonymous" else {403}


@pytest.mark.parametrize("role", ROLES)
def test_creating_a_claim_needs_the_editor_role(role, record, defence_ministry) -> None:
    before = Claim.objects.count()
    response = _api(role).post(
        "/api/v1/claims/",
        {
            "speaker": defence_ministry.slug,
            "kind": "targeting",
            "summary": "The Ministry says its aircraft hit depots only.",
            "made_on": "2017-09-26",
        },
        format="json",
    )
    if role in WRITES_DRAFTS:
        assert response.status_code == 201, response.json()
        assert Claim.objects.get(pk=response.json()["id"]).status == Claim.Status.DRAFT
    else:
        assert response.status_code in _expected_refusal(role)
        assert Claim.objects.count() == before


@pytest.mark.parametrize("role", ROLES)
def test_changing_a_draft_needs_the_editor_role(role, record) -> None:
    draft = record["draft"]
    response = _api(role).patch(
        f"/api/v1/claims/{draft.pk}/", {"summary": "Edited draft."}, format="json"
    )
    draft.refresh_from_db()
    if role in WRITES_DRAFTS:
        assert response.status_code == 200, response.json()
        assert draft.summary == "Edited draft."
    else:
        # Those who cannot read drafts are not told the draft exists.
        assert response.status_code in (_expected_refusal(role) | {404})
        assert draft.summary.startswith("Draft denial")


@pytest.mark.parametrize("role", ROLES)
def test_changing_a_published_claim_needs_the_reviewer_role(role, record) -> None:
    published = record["published"]
    response = _api(role).patch(
        f"/api/v1/claims/{published.pk}/", {"summary": "Quietly edited."}, format="json"
    )
    published.refresh_from_db()
    if role in PUBLISHES:
        assert response.status_code == 200, response.json()
        assert published.summary == "Quietly edited."
    else:
        assert response.status_code in _expected_refusal(role)
        assert published.summary == "Published allegation about shelling"


@pytest.mark.parametrize("role", ROLES)
def test_publishing_through_the_api_needs_the_reviewer_role(role, record) -> None:
    draft = record["draft"]
    response = _api(role).patch(
        f"/api/v1/claims/{draft.pk}/", {"status": "published"}, format="json"
    )
    draft.refresh_from_db()
    if role in PUBLISHES:
        assert response.status_code == 200, response.json()
        assert draft.status == Claim.Status.PUBLISHED
    else:
        assert response.status_code in (_expected_refusal(role) | {404})
        assert draft.status == Claim.Status.DRAFT


@pytest.mark.parametrize("role", ROLES)
def test_assessments_are_written_by_analysts(role, record) -> None:
    client = _browser(role)
    response = client.post(
        "/admin/claims/assessment/add/",
        {
            "claim": record["published"].pk,
            "rating": "unproven",
            "rationale": "No list of names has been published.",
            "confidence": 3,
            "status": "draft",  # a grading starts private (issue 15)
        },
    )
    may = role in {"analysts", "administrators"}
    if role == "anonymous":
        assert response.status_code == 302  # to the sign-in page
    else:
        assert response.status_code == (302 if may else 403), role
    assert record["published"].assessments.exists() is may


@pytest.mark.parametrize("role", ROLES)
def test_admin_change_page_of_a_draft_needs_a_reading_role(role, record) -> None:
    response = _browser(role).get(f"/admin/claims/claim/{record['draft'].pk}/change/")
    if role == "anonymous":
        assert response.status_code == 302
    else:
        assert response.status_code == (200 if role in READS_DRAFTS else 403), role
