"""Claims out: streamed CSV and JSON Lines with the list's filters, and schema.org ClaimReview."""

from __future__ import annotations

import csv
import io
import json

import pytest
from django.http import StreamingHttpResponse

from claims.models import Claim
from tests.factories import (
    AssessmentFactory,
    AttributionFactory,
    ClaimFactory,
    DocumentFactory,
    FigureFactory,
    IncidentFactory,
)
from tests.problems import fields


@pytest.fixture
def claims(white_helmets, defence_ministry, broadcaster):
    incident = IncidentFactory(slug="idlib")
    allegation = ClaimFactory(
        speaker=white_helmets,
        incident=incident,
        kind=Claim.Kind.CASUALTY_COUNT,
        summary='White Helmets say 152 civilians died, "mostly" in Idlib',
    )
    FigureFactory(claim=allegation, low=152, high=152, as_stated="152")
    article = DocumentFactory(
        title="RT report", publisher=broadcaster, url="https://rt.example/idlib"
    )
    AttributionFactory(claim=allegation, position=1, actor=white_helmets, verb="said")
    AttributionFactory(claim=allegation, position=2, actor=broadcaster, document=article)
    denial = ClaimFactory(
        speaker=defence_ministry, incident=incident, kind=Claim.Kind.TARGETING, summary="No."
    )
    return allegation, denial


def _body(response) -> str:
    assert isinstance(response, StreamingHttpResponse)
    return b"".join(response.streaming_content).decode()


def test_csv_export_streams_every_claim_with_a_header(api_client, claims):
    response = api_client.get("/api/v1/claims/export/csv/")

    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/csv")
    rows = list(csv.DictReader(io.StringIO(_body(response))))
    assert {row["id"] for row in rows} == {str(c.pk) for c in claims}
    allegation = next(row for row in rows if row["speaker"] == "white-helmets")
    assert allegation["summary"] == claims[0].summary
    assert "152" in allegation["figures"]
    assert allegation["chain"].startswith("1 white-helmets said")


def test_csv_export_applies_the_list_filters(api_client, claims):
    body = _body(api_client.get("/api/v1/claims/export/csv/", {"speaker": "white-helmets"}))

    ids = [row["id"] for row in csv.DictReader(io.StringIO(body))]
    assert ids == [str(claims[0].pk)]


def test_jsonl_export_writes_one_claim_per_line_with_filters(api_client, claims):
    response = api_client.get("/api/v1/claims/export/jsonl/", {"kind": "targeting"})

    assert response["Content-Type"] == "application/x-ndjson"
    lines = _body(response).splitlines()
    assert [json.loads(line)["id"] for line in lines] == [claims[1].pk]


def test_an_export_with_a_bad_filter_answers_400(api_client, claims):
    response = api_client.get("/api/v1/claims/export/csv/", {"since": "yesterday"})

    assert response.status_code == 400
    assert "since" in fields(response)


def test_a_claimreview_names_the_claimant_and_where_the_claim_appeared(api_client, claims):
    allegation = claims[0]
    AssessmentFactory(claim=allegation)

    response = api_client.get(f"/api/v1/claims/{allegation.pk}/claimreview/")

    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/ld+json")
    review = response.json()
    assert review["@context"] == "https://schema.org"
    assert review["@type"] == "ClaimReview"
    assert review["claimReviewed"] == allegation.summary
    item = review["itemReviewed"]
    assert item["author"] == {"@type": "Organization", "name": "White Helmets"}
    assert item["datePublished"] == allegation.made_on.isoformat()
    assert item["firstAppearance"]["url"] == "https://rt.example/idlib"
    assert [a["headline"] for a in item["appearance"]] == ["RT report"]


def test_a_claimreview_carries_the_assessment_as_its_rating(api_client, claims):
    AssessmentFactory(claim=claims[0], rating="contradicted", rationale="Lists do not match.")

    review = api_client.get(f"/api/v1/claims/{claims[0].pk}/claimreview/").json()

    assert review["reviewRating"]["ratingValue"] == 1
    assert review["reviewRating"]["worstRating"] == 1
    assert review["reviewRating"]["bestRating"] == 5
    assert review["reviewRating"]["ratingExplanation"] == "Lists do not match."


def test_an_incident_lists_the_claimreviews_of_its_claims(api_client, claims):
    for claim in claims:
        AssessmentFactory(claim=claim)
    reviews = api_client.get("/api/v1/incidents/idlib/claimreview/").json()

    assert sorted(r["claimReviewed"] for r in reviews) == sorted(c.summary for c in claims)
    assert all(r["@type"] == "ClaimReview" for r in reviews)


@pytest.mark.parametrize("url", ["/api/v1/claims/export/csv/", "/api/v1/claims/export/jsonl/"])
def test_an_export_names_the_tree_head_it_was_made_at(api_client, claims, url):
    from claims.ledger import merkle, tree
    from claims.models import ChangeRecord
    from tests import rfc9162

    answer = api_client.get(url)

    size, root = answer["X-Claimtracker-Ledger-Head"].split(" ")
    # The whole history as the export began: its size, and the root of RFC 9162's hashes over
    # every change record, worked out here from the records themselves.
    records = list(ChangeRecord.objects.order_by("id"))
    assert int(size) == len(records) == tree.size() > 0
    assert root == tree.root(len(records)).hex()
    leaf_inputs = [merkle.leaf_input(r.id, r.hash) for r in records]
    assert root == rfc9162.mth(leaf_inputs).hex()
