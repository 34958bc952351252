"""The claim list's plain-dict rows say exactly what ClaimSerializer says, claim for claim."""

from __future__ import annotations

import json

import pytest
from rest_framework.test import APIRequestFactory

from claims.api.rows import claim_rows
from claims.api.serializers import ClaimSerializer
from claims.api.views import with_accused
from claims.demo import load_demo
from claims.models import Claim
from tests.factories import ActorFactory, ClaimFactory, ClaimTargetFactory

pytestmark = pytest.mark.django_db


def test_rows_equal_the_serializer_over_the_demo_record_and_odd_claims(settings) -> None:
    settings.ALLOWED_HOSTS = ["claims.example.org"]
    load_demo()
    odd = ClaimFactory(status="draft", incident=None, spokesperson=ActorFactory())
    ClaimTargetFactory(claim=odd, actor=ActorFactory(name="Accused <b>&"), role="accused")
    ClaimTargetFactory(claim=odd, actor=ActorFactory(), role="subject")
    request = APIRequestFactory().get("/api/v1/claims/", HTTP_HOST="claims.example.org")
    claims = list(with_accused(Claim.objects.all()).order_by("id"))
    assert len(claims) > 10

    fast = claim_rows(claims, request)
    slow = ClaimSerializer(claims, many=True, context={"request": request}).data

    assert json.dumps(fast) == json.dumps(slow)
    assert fast[-1]["html_url"] == f"http://claims.example.org/claims/{odd.pk}/"
    assert [a["name"] for a in fast[-1]["accused"]] == ["Accused <b>&"]


def test_the_list_endpoint_answers_with_those_rows(api_client) -> None:
    load_demo()
    answer = api_client.get("/api/v1/claims/?page_size=3")
    claims = with_accused(Claim.objects.published()).order_by("-made_on", "-id")[:3]

    assert answer.json()["results"] == json.loads(
        json.dumps(claim_rows(claims, answer.wsgi_request))
    )
