"""Pages and API answers kept per state of the record show every write at once, and are never
shared between readers who see different things (claims/pages/kept.py, claims/api/kept.py)."""

from __future__ import annotations

import json

import pytest
from django.contrib.auth.models import AnonymousUser
from django.db import connection
from django.db.models import QuerySet
from django.test import Client
from django.test.utils import CaptureQueriesContext
from rest_framework.generics import GenericAPIView
from rest_framework.request import Request
from rest_framework.test import APIRequestFactory
from rest_framework.throttling import AnonRateThrottle, UserRateThrottle

from claims.api.permissions import ReadsFreelyModelPermissions
from claims.models import Claim, Response
from tests.factories import (
    ActorFactory,
    AliasFactory,
    ClaimFactory,
    IncidentFactory,
    ResponseFactory,
)

pytestmark = pytest.mark.django_db


def read(client, url: str, **headers: str) -> tuple[str, int]:
    """The answer's text and how many queries it took."""
    with CaptureQueriesContext(connection) as queries:
        answer = client.get(url, **headers)
    assert answer.status_code == 200, url
    return answer.content.decode(), len(queries)


@pytest.fixture
def allegation(db: None) -> Claim:
    incident = IncidentFactory(slug="idlib", title="Airstrikes in Idlib")
    speaker = ActorFactory(name="White Helmets", slug="white-helmets")
    return ClaimFactory(speaker=speaker, incident=incident, summary="Bodies were recovered.")


@pytest.mark.parametrize("page", ["/claims/{pk}/", "/incidents/idlib/"])
def test_a_kept_page_shows_a_new_denial_at_once(
    client: Client, allegation: Claim, page: str
) -> None:
    url = page.format(pk=allegation.pk)
    first, _ = read(client, url)
    again, queries = read(client, url)
    assert (again, queries) == (first, 1)  # kept: only the record's head is read
    ministry = ActorFactory(name="Ministry of Defence", slug="mod")
    denial = ClaimFactory(speaker=ministry, incident=allegation.incident, summary="No strikes.")
    ResponseFactory(claim=denial, answers=allegation, kind=Response.Kind.DENIES)

    html, queries = read(client, url)
    assert "Ministry of Defence" in html
    assert queries > 1


@pytest.mark.parametrize("page", ["/claims/{pk}/", "/incidents/idlib/"])
def test_a_kept_page_shows_an_edited_summary_at_once(
    client: Client, allegation: Claim, page: str
) -> None:
    url = page.format(pk=allegation.pk)
    assert "Bodies were recovered." in read(client, url)[0]
    Claim.objects.filter(pk=allegation.pk).update(summary="Bodies of civilians were recovered.")

    assert "Bodies of civilians were recovered." in read(client, url)[0]


def test_a_draft_shown_to_an_editor_is_never_served_to_the_public(
    client: Client, allegation: Claim, editor
) -> None:
    ClaimFactory(
        incident=allegation.incident, status=Claim.Status.DRAFT, summary="A draft not yet checked."
    )
    client.force_login(editor)
    assert "A draft not yet checked." in read(client, "/incidents/idlib/")[0]
    client.logout()

    public, _ = read(client, "/incidents/idlib/")
    assert "A draft not yet checked." not in public
    assert "Bodies were recovered." in public


def test_a_page_not_found_is_not_kept(client: Client, allegation: Claim) -> None:
    draft = ClaimFactory(status=Claim.Status.DRAFT)
    assert client.get(f"/claims/{draft.pk}/").status_code == 404
    Claim.objects.filter(pk=draft.pk).update(status=Claim.Status.PUBLISHED)
    assert client.get(f"/claims/{draft.pk}/").status_code == 200


def test_a_kept_page_still_answers_a_current_copy_with_304(
    client: Client, allegation: Claim
) -> None:
    url = f"/claims/{allegation.pk}/"
    etag = client.get(url)["ETag"]
    assert client.get(url, headers={"if-none-match": etag}).status_code == 304
    Claim.objects.filter(pk=allegation.pk).update(summary="Changed.")
    assert client.get(url, headers={"if-none-match": etag}).status_code == 200


def test_a_kept_claim_detail_shows_a_new_denial_and_a_new_etag_at_once(
    api_client, allegation: Claim
) -> None:
    url = f"/api/v1/claims/{allegation.pk}/"
    first = api_client.get(url)
    assert first.json()["responses_received"] == []
    denial = ClaimFactory(incident=allegation.incident)
    ResponseFactory(claim=denial, answers=allegation, kind=Response.Kind.DENIES)

    second = api_client.get(url)
    assert [r["kind"] for r in second.json()["responses_received"]] == ["denies"]
    assert second["ETag"] != first["ETag"]


def test_a_kept_claim_list_shows_a_new_claim_at_once(api_client, allegation: Claim) -> None:
    assert api_client.get("/api/v1/claims/").json()["results"][0]["id"] == allegation.pk
    newer = ClaimFactory(made_on=allegation.made_on.replace(year=2020))

    assert api_client.get("/api/v1/claims/").json()["results"][0]["id"] == newer.pk


def test_a_kept_api_answer_is_not_shared_between_the_public_and_a_draft_reader(
    api_client, allegation: Claim, editor
) -> None:
    draft = ClaimFactory(status=Claim.Status.DRAFT, made_on=allegation.made_on.replace(year=2020))
    api_client.force_authenticate(editor)
    assert draft.pk in [c["id"] for c in api_client.get("/api/v1/claims/").json()["results"]]
    api_client.force_authenticate(None)

    assert draft.pk not in [c["id"] for c in api_client.get("/api/v1/claims/").json()["results"]]


def test_a_kept_api_answer_makes_its_links_for_the_host_asked(
    api_client, allegation: Claim, settings
) -> None:
    settings.ALLOWED_HOSTS = ["testserver", "mirror.example"]
    url = f"/api/v1/claims/{allegation.pk}/"
    assert api_client.get(url).json()["url"].startswith("http://testserver/")

    assert (
        api_client.get(url, HTTP_HOST="mirror.example")
        .json()["url"]
        .startswith("http://mirror.example/")
    )


def test_a_kept_claim_list_is_the_record_heads_one_query(api_client, allegation: Claim) -> None:
    first, _ = read(api_client, "/api/v1/claims/")
    again, queries = read(api_client, "/api/v1/claims/")

    assert (again, queries) == (first, 1)


def test_a_kept_claim_list_drops_a_withdrawn_claim_at_once(api_client, allegation: Claim) -> None:
    assert [c["id"] for c in api_client.get("/api/v1/claims/").json()["results"]] == [allegation.pk]
    Claim.objects.filter(pk=allegation.pk).update(
        status=Claim.Status.WITHDRAWN, withdrawal_reason="The source retracted it."
    )

    assert api_client.get("/api/v1/claims/").json()["results"] == []


def test_a_kept_claim_list_shows_a_draft_once_it_is_published(
    api_client, allegation: Claim
) -> None:
    draft = ClaimFactory(status=Claim.Status.DRAFT, made_on=allegation.made_on.replace(year=2020))
    assert draft.pk not in [c["id"] for c in api_client.get("/api/v1/claims/").json()["results"]]
    Claim.objects.filter(pk=draft.pk).update(status=Claim.Status.PUBLISHED)

    assert api_client.get("/api/v1/claims/").json()["results"][0]["id"] == draft.pk


def test_a_kept_answer_is_rendered_for_the_media_type_asked(api_client, allegation: Claim) -> None:
    plain = api_client.get("/api/v1/claims/", HTTP_ACCEPT="application/json")
    indented = api_client.get("/api/v1/claims/", HTTP_ACCEPT="application/json; indent=4")
    plain_again = api_client.get("/api/v1/claims/", HTTP_ACCEPT="application/json")

    assert b"\n    " in indented.content
    assert b"\n" not in plain.content
    assert plain_again.content == plain.content
    assert plain_again["Content-Type"] == "application/json"
    assert indented.json() == plain.json()


def test_a_kept_answer_is_not_served_to_the_browsable_api_or_back(
    api_client, allegation: Claim
) -> None:
    browsable = api_client.get("/api/v1/claims/", HTTP_ACCEPT="text/html")
    json_answer = api_client.get("/api/v1/claims/", HTTP_ACCEPT="application/json")
    browsable_again = api_client.get("/api/v1/claims/", HTTP_ACCEPT="text/html")

    assert browsable["Content-Type"].startswith("text/html")
    assert json_answer["Content-Type"] == "application/json"
    assert json_answer.json()["results"][0]["id"] == allegation.pk
    assert browsable_again["Content-Type"].startswith("text/html")
    assert b"<html" in browsable_again.content
    assert b"Bodies were recovered." in browsable_again.content


def test_a_kept_claim_detail_keeps_its_etag_and_answers_a_current_copy_with_304(
    api_client, allegation: Claim
) -> None:
    url = f"/api/v1/claims/{allegation.pk}/"
    first = api_client.get(url)
    kept = api_client.get(url)
    assert (kept.content, kept["ETag"]) == (first.content, first["ETag"])
    assert api_client.get(url, HTTP_IF_NONE_MATCH=kept["ETag"]).status_code == 304
    Claim.objects.filter(pk=allegation.pk).update(summary="Changed.")

    assert api_client.get(url, HTTP_IF_NONE_MATCH=kept["ETag"]).status_code == 200


def test_a_kept_claim_list_follows_its_cursor_to_the_next_page(
    api_client, allegation: Claim
) -> None:
    older = ClaimFactory(made_on=allegation.made_on.replace(year=2001))
    first = api_client.get("/api/v1/claims/?page_size=1").json()
    kept = api_client.get("/api/v1/claims/?page_size=1").json()
    assert kept == first
    assert [c["id"] for c in first["results"]] == [allegation.pk]

    after = api_client.get(first["next"]).json()
    assert [c["id"] for c in after["results"]] == [older.pk]


def test_a_kept_claim_list_answers_its_filters(api_client, allegation: Claim) -> None:
    other = ClaimFactory(speaker=ActorFactory(name="Ministry", slug="ministry"))
    whole = {c["id"] for c in api_client.get("/api/v1/claims/").json()["results"]}
    narrowed = api_client.get("/api/v1/claims/?speaker=ministry").json()["results"]

    assert whole == {allegation.pk, other.pk}
    assert [c["id"] for c in narrowed] == [other.pk]


def test_a_kept_claim_list_is_still_throttled(
    api_client, allegation: Claim, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(AnonRateThrottle, "THROTTLE_RATES", {"anon": "3/minute"})
    answers = [api_client.get("/api/v1/claims/").status_code for _ in range(4)]

    assert answers == [200, 200, 200, 429]


def test_a_kept_claim_list_counts_a_signed_in_user_by_the_user_rate_only(
    editor_client, allegation: Claim, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(UserRateThrottle, "THROTTLE_RATES", {"user": "2/minute"})
    answers = [editor_client.get("/api/v1/claims/").status_code for _ in range(3)]

    assert answers == [200, 200, 429]


def test_an_anonymous_client_of_the_claims_is_counted_by_the_anonymous_rate_only(
    api_client, allegation: Claim, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(AnonRateThrottle, "THROTTLE_RATES", {"anon": "5/minute"})
    monkeypatch.setattr(UserRateThrottle, "THROTTLE_RATES", {"user": "2/minute"})
    answers = [api_client.get("/api/v1/claims/").status_code for _ in range(6)]

    assert answers == [200] * 5 + [429]


def test_a_read_of_the_claims_does_not_build_their_queryset_to_check_permission() -> None:
    """The check answers a read from the user alone; a write still needs the model's permission."""

    class Unbuildable(GenericAPIView):
        def get_queryset(self) -> QuerySet[Claim]:
            raise AssertionError("the permission check built the queryset")

    class Claims(GenericAPIView):
        queryset = Claim.objects.all()

    check = ReadsFreelyModelPermissions()
    factory = APIRequestFactory()
    for method in ("get", "head", "options"):
        read = Request(getattr(factory, method)("/"))
        read.user = AnonymousUser()
        assert check.has_permission(read, Unbuildable())
    write = Request(factory.post("/"))
    write.user = AnonymousUser()
    assert not check.has_permission(write, Claims())


def claim_ids(client: Client, url: str) -> list[int]:
    return [hit["id"] for hit in json.loads(read(client, url)[0])["claim"]]


def test_a_kept_search_answer_shows_a_new_claim_an_alias_and_a_withdrawal_at_once(
    client: Client, allegation: Claim
) -> None:
    url = "/api/v1/search/?q=Khan+Shaykhun"
    first, _ = read(client, url)
    assert json.loads(first)["claim"] == []
    again, queries = read(client, url)
    assert (again, queries) == (first, 1)  # kept: only the record's head is read

    found = ClaimFactory(speaker=allegation.speaker, summary="Shelling reported in Khan Shaykhun.")
    assert claim_ids(client, url) == [found.pk]

    AliasFactory(actor=allegation.speaker, name="Khan Shaykhun civil defence")
    actors = json.loads(read(client, "/api/v1/search/?q=civil+defence")[0])["actor"]
    assert [hit["label"] for hit in actors] == ["White Helmets"]

    # The alias names White Helmets by the words searched: its claims are hits now.
    assert claim_ids(client, url) == [found.pk, allegation.pk]
    Claim.objects.filter(pk=found.pk).update(status=Claim.Status.DRAFT)
    assert claim_ids(client, url) == [allegation.pk]


def test_a_search_shown_to_an_editor_is_never_served_to_the_public(
    client: Client, allegation: Claim, editor
) -> None:
    draft = ClaimFactory(status=Claim.Status.DRAFT, summary="A draft about Saraqib.")
    client.force_login(editor)
    assert claim_ids(client, "/api/v1/search/?q=Saraqib") == [draft.pk]
    client.logout()
    assert claim_ids(client, "/api/v1/search/?q=Saraqib") == []


def test_the_kept_search_page_shows_a_new_claim_at_once(client: Client, allegation: Claim) -> None:
    first, _ = read(client, "/search/?q=Saraqib")
    again, queries = read(client, "/search/?q=Saraqib")
    assert (again, queries) == (first, 1)
    assert "/claims/" not in first
    found = ClaimFactory(speaker=allegation.speaker, summary="Barrel bombs reported over Saraqib.")
    assert f'href="/claims/{found.pk}/"' in read(client, "/search/?q=Saraqib")[0]
