"""A claim's JSON-LD: the anchored quote as a W3C Web Annotation on our archived copy, and the
attribution chain as PROV-O; it parses offline into RDF (rdflib) with the meaning intended."""

from __future__ import annotations

import json

import pytest
from django.core.files.base import ContentFile
from rdflib import Graph, Literal, Namespace, URIRef

from claims.jobs.quotes import check_quote
from claims.models import Claim
from sources.models import Actor, Document
from tests.factories import (
    ActorFactory,
    AffiliationFactory,
    AttributionFactory,
    ClaimFactory,
    DocumentFactory,
)

pytestmark = pytest.mark.django_db
OA = Namespace("http://www.w3.org/ns/oa#")
PROV = Namespace("http://www.w3.org/ns/prov#")
PAGE = b"""<html><head><title>RT</title></head><body><p>The group said its members
recovered 152 bodies of civilians in Idlib province last week, a spokesman told Reuters.</p>
</body></html>"""


@pytest.fixture
def relayed(white_helmets, reuters, broadcaster, archive_storage):
    spokesman = ActorFactory(name="Unnamed spokesman", slug="spokesman", kind=Actor.Kind.PERSON)
    AffiliationFactory(person=spokesman, organisation=white_helmets, role="spokesman")
    claim = ClaimFactory(
        speaker=white_helmets, spokesperson=spokesman, quote="recovered 152 bodies of civilians"
    )
    article = DocumentFactory(title="RT report", publisher=broadcaster, url="https://rt.example/a")
    article.archive_file.save("rt.html", ContentFile(PAGE), save=False)
    Document.objects.filter(pk=article.pk).update(
        archive_file=article.archive_file.name,
        archive_status=Document.ArchiveStatus.ARCHIVED,
        archive_content_type="text/html; charset=utf-8",
    )
    AttributionFactory(claim=claim, position=1, actor=white_helmets, verb="said")
    AttributionFactory(claim=claim, position=2, actor=reuters, verb="cited")
    AttributionFactory(
        claim=claim, position=3, actor=broadcaster, document=article, verb="reported"
    )
    check_quote(claim=Claim.objects.prefetch_related("attributions__document").get(pk=claim.pk))
    return claim


def document_of(api_client, claim) -> dict:
    response = api_client.get(f"/api/v1/claims/{claim.pk}/jsonld/")
    assert response.status_code == 200, response.content
    assert response["Content-Type"].startswith("application/ld+json")
    return response.json()


def test_the_anchored_quote_is_a_web_annotation_on_the_archived_copy(api_client, relayed):
    graph = document_of(api_client, relayed)["@graph"]
    (note,) = [node for node in graph if node.get("type") == "Annotation"]
    assert note["motivation"] == "quoting"
    assert note["target"]["source"].startswith("http://testserver/media/archive/documents/rt")
    quote, position = note["target"]["selector"]
    assert quote["type"] == "TextQuoteSelector"
    assert quote["exact"] == "recovered 152 bodies of civilians"
    assert quote["prefix"].endswith("its members")
    assert quote["suffix"].startswith("in Idlib")
    assert position["type"] == "TextPositionSelector"
    anchor = Claim.objects.get(pk=relayed.pk).quote_anchor
    assert (position["start"], position["end"]) == (anchor["start"], anchor["end"])


def test_a_claim_whose_quote_was_not_found_has_no_annotation(api_client, white_helmets):
    claim = ClaimFactory(speaker=white_helmets, quote="never said")
    graph = document_of(api_client, claim)["@graph"]
    assert not [node for node in graph if node.get("type") == "Annotation"]


def test_the_chain_is_prov_o_and_parses_offline_into_the_intended_triples(api_client, relayed):
    document = document_of(api_client, relayed)
    rdf = Graph().parse(data=json.dumps(document), format="json-ld")
    page = URIRef(f"http://testserver/claims/{relayed.pk}/")
    speaker = URIRef("http://testserver/actors/white-helmets/")
    spokesman = URIRef("http://testserver/actors/spokesman/")
    hop = [URIRef(f"{page}#hop-{n}") for n in (1, 2, 3)]
    assert (page, PROV.wasAttributedTo, speaker) in rdf
    assert (page, PROV.wasAttributedTo, spokesman) in rdf
    assert (spokesman, PROV.actedOnBehalfOf, speaker) in rdf
    assert (hop[0], PROV.wasQuotedFrom, page) in rdf
    assert (hop[1], PROV.wasQuotedFrom, hop[0]) in rdf
    assert (hop[2], PROV.wasQuotedFrom, hop[1]) in rdf
    assert (hop[1], PROV.wasAttributedTo, URIRef("http://testserver/actors/reuters/")) in rdf
    notes = list(rdf.subjects(OA.motivatedBy, OA.quoting))
    assert len(notes) == 1
    assert (notes[0], OA.hasBody, page) in rdf
    target = rdf.value(notes[0], OA.hasTarget)
    selectors = list(rdf.objects(target, OA.hasSelector))
    exact = {rdf.value(s, OA.exact) for s in selectors} - {None}
    assert exact == {Literal("recovered 152 bodies of civilians")}
