"""The lists' plain-dict rows say exactly what the serializers say, claim for claim."""

from __future__ import annotations

import json

import pytest
from django.contrib.auth.models import AnonymousUser
from django.db.models import Prefetch
from rest_framework.request import Request
from rest_framework.test import APIRequestFactory

from claims.api.rows import list_values, timeline_rows, value_rows
from claims.api.serializers import (
    ClaimSerializer,
    SearchResultsSerializer,
    TimelineEntrySerializer,
)
from claims.api.views import with_accused
from claims.devdata.demo import load_demo
from claims.models import Claim, Response
from claims.reading.search import search
from tests.factories import ActorFactory, ClaimFactory, ClaimTargetFactory, ResponseFactory

pytestmark = pytest.mark.django_db


def test_rows_equal_the_serializer_over_the_demo_record_and_odd_claims(settings) -> None:
    settings.ALLOWED_HOSTS = ["claims.example.org"]
    load_demo()
    odd = ClaimFactory(status="draft", incident=None, spokesperson=ActorFactory())
    ClaimTargetFactory(claim=odd, actor=ActorFactory(name="Accused <b>&"), role="accused")
    ClaimTargetFactory(claim=odd, actor=ActorFactory(), role="subject")
    ClaimTargetFactory(claim=odd, actor=ActorFactory(name="Accused second"), role="accused")
    request = APIRequestFactory().get("/api/v1/claims/", HTTP_HOST="claims.example.org")
    claims = list(with_accused(Claim.objects.all()).order_by("id"))
    assert len(claims) > 10

    fast = value_rows(list(list_values(Claim.objects.all()).order_by("id")), request)
    slow = ClaimSerializer(claims, many=True, context={"request": request}).data

    assert json.dumps(fast) == json.dumps(slow)
    assert fast[-1]["html_url"] == f"http://claims.example.org/claims/{odd.pk}/"
    assert [a["name"] for a in fast[-1]["accused"]] == ["Accused <b>&", "Accused second"]


def test_the_list_endpoint_answers_with_those_rows(api_client) -> None:
    load_demo()
    answer = api_client.get("/api/v1/claims/?page_size=3")
    claims = with_accused(Claim.objects.published()).order_by("-made_on", "-id")[:3]

    assert answer.json()["results"] == json.loads(
        json.dumps(
            ClaimSerializer(claims, many=True, context={"request": answer.wsgi_request}).data
        )
    )


@pytest.mark.parametrize("reads_drafts", [False, True])
def test_timeline_rows_equal_the_serializer_for_each_reader(reads_drafts, analyst) -> None:

    load_demo()
    hidden = ClaimFactory(status="draft", summary="A draft being answered.")
    ResponseFactory(claim=Claim.objects.published().first(), answers=hidden, kind="denies")
    request = Request(APIRequestFactory().get("/api/v1/timeline/"))
    request.user = analyst if reads_drafts else AnonymousUser()
    claims = list(
        with_accused(Claim.objects.all())
        .prefetch_related(
            Prefetch("responses_made", Response.objects.select_related("answers__speaker"))
        )
        .order_by("made_on", "id")
    )

    fast = timeline_rows(claims, request)
    slow = TimelineEntrySerializer(claims, many=True, context={"request": request}).data

    assert json.dumps(fast) == json.dumps(slow)
    mentions = json.dumps([r["responds_to"] for r in fast])
    assert ("A draft being answered." in mentions) is reads_drafts


@pytest.mark.parametrize("words", ["Idlib", "ministry", "White Helmets", "strikes civilians"])
def test_search_rows_equal_the_serializer(words: str, api_client) -> None:
    load_demo()
    answer = api_client.get("/api/v1/search/", {"q": words})
    results = search(words, user=AnonymousUser(), limit_per_kind=20)
    context = {"request": answer.wsgi_request}

    slow = SearchResultsSerializer({"query": words, **results}, context=context).data

    assert answer.status_code == 200
    assert answer.json() == json.loads(json.dumps(slow))
    assert any(answer.json()[kind] for kind in ("claim", "actor", "document", "incident"))
