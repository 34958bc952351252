"""A claim as linked data: its anchored quote as a W3C Web Annotation on the archived copy it
was found in, and its attribution chain as PROV-O.

The context is embedded (the terms of http://www.w3.org/ns/anno.jsonld this document uses, and
the PROV-O and schema.org namespaces), so a consumer parses it without fetching anything.

The chain reads as PROV-O: the claim is the statement its speaker made
(``prov:wasAttributedTo`` the speaker, and the spokesperson who voiced it, who
``prov:actedOnBehalfOf`` the speaker, with the role of their affiliation where the record
holds one); each hop of the chain is the statement as that hop's actor relayed it, which
``prov:wasQuotedFrom`` the hop before it, and is attributed to the relaying actor.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from claims.models import Claim
from sources.models import Actor, Affiliation, Document

Absolute = Callable[[str], str]

CONTEXT: dict[str, Any] = {
    "oa": "http://www.w3.org/ns/oa#",
    "prov": "http://www.w3.org/ns/prov#",
    "schema": "https://schema.org/",
    "dcterms": "http://purl.org/dc/terms/",
    "id": "@id",
    "type": "@type",
    # The Web Annotation terms, as http://www.w3.org/ns/anno.jsonld defines them.
    "Annotation": "oa:Annotation",
    "TextQuoteSelector": "oa:TextQuoteSelector",
    "TextPositionSelector": "oa:TextPositionSelector",
    "SpecificResource": "oa:SpecificResource",
    "motivation": {"@id": "oa:motivatedBy", "@type": "@vocab"},
    "quoting": "oa:quoting",
    "target": {"@id": "oa:hasTarget", "@type": "@id"},
    "source": {"@id": "oa:hasSource", "@type": "@id"},
    "selector": {"@id": "oa:hasSelector", "@type": "@id"},
    "exact": "oa:exact",
    "prefix": "oa:prefix",
    "suffix": "oa:suffix",
    "start": {"@id": "oa:start", "@type": "http://www.w3.org/2001/XMLSchema#nonNegativeInteger"},
    "end": {"@id": "oa:end", "@type": "http://www.w3.org/2001/XMLSchema#nonNegativeInteger"},
    "body": {"@id": "oa:hasBody", "@type": "@id"},
    "created": {"@id": "dcterms:created", "@type": "http://www.w3.org/2001/XMLSchema#dateTime"},
    # PROV-O: links between statements and agents are identifiers.
    "prov:wasAttributedTo": {"@type": "@id"},
    "prov:wasQuotedFrom": {"@type": "@id"},
    "prov:actedOnBehalfOf": {"@type": "@id"},
    "prov:agent": {"@type": "@id"},
    "prov:hadRole": {"@type": "@id"},
    "schema:url": {"@type": "@id"},
}


def agent(actor: Actor, absolute: Absolute) -> dict[str, Any]:
    found: dict[str, Any] = {
        "id": absolute(actor.get_absolute_url()),
        "type": "prov:Person" if actor.kind == Actor.Kind.PERSON else "prov:Organization",
        "schema:name": actor.name,
    }
    if actor.wikidata_id:
        found["schema:sameAs"] = f"http://www.wikidata.org/entity/{actor.wikidata_id}"
    return found


def archived_source(document: Document, text_from: str, absolute: Absolute) -> str:
    """What the anchor's offsets count in: the archived copy's text, or the typed full text
    (shown on the document's page)."""
    if text_from == "archive" and document.archive_file:
        return absolute(document.archive_file.url)
    return absolute(document.get_absolute_url())


def annotation(claim: Claim, page: str, absolute: Absolute) -> dict[str, Any] | None:
    """The anchored quote as a Web Annotation: where in the source document's text the quote
    was found by the quote check (claims/jobs/quotes.py); None when it was not found."""
    anchor = claim.quote_anchor or {}
    document = claim.source_document
    if "exact" not in anchor or document is None or anchor.get("document") != str(document.uid):
        return None
    return {
        "id": f"{page}#quote",
        "type": "Annotation",
        "motivation": "quoting",
        "body": page,  # the claim is what the quoted words say
        "created": anchor.get("checked_at"),
        "target": {
            "type": "SpecificResource",
            "source": archived_source(document, anchor.get("text_from", ""), absolute),
            "selector": [
                {
                    "type": "TextQuoteSelector",
                    "exact": anchor["exact"],
                    "prefix": anchor.get("prefix", ""),
                    "suffix": anchor.get("suffix", ""),
                },
                {"type": "TextPositionSelector", "start": anchor["start"], "end": anchor["end"]},
            ],
        },
    }


def provenance(claim: Claim, page: str, absolute: Absolute) -> tuple[list[str], list[dict]]:
    """Who the statement is attributed to, and the chain's relays, as PROV-O entities."""
    speaker = agent(claim.speaker, absolute)
    attributed = [speaker["id"]]
    agents = [speaker]
    if claim.spokesperson is not None:
        voice = agent(claim.spokesperson, absolute)
        voice["prov:actedOnBehalfOf"] = speaker["id"]
        roles = Affiliation.objects.filter(person=claim.spokesperson, organisation=claim.speaker)
        role = roles.values_list("role", flat=True).first()
        if role:
            voice["prov:qualifiedDelegation"] = {
                "type": "prov:Delegation",
                "prov:agent": speaker["id"],
                "schema:roleName": role,
            }
        attributed.append(voice["id"])
        agents.append(voice)
    relays: list[dict] = []
    previous = page
    for hop in claim.chain:
        relay: dict[str, Any] = {
            "id": f"{page}#hop-{hop.position}",
            "type": "prov:Entity",
            "prov:wasQuotedFrom": previous,
            "prov:wasAttributedTo": absolute(hop.actor.get_absolute_url()),
            "schema:description": f"{hop.actor.name} {hop.get_verb_display()} it",
        }
        if hop.document is not None:
            relay["schema:url"] = hop.document.url or absolute(hop.document.get_absolute_url())
        relays.append(relay)
        agents.append(agent(hop.actor, absolute))
        previous = relay["id"]
    unique = {a["id"]: a for a in agents}
    return attributed, [*relays, *unique.values()]


def claim_document(claim: Claim, absolute: Absolute) -> dict[str, Any]:
    """The claim's JSON-LD; ``claim`` comes with ``with_thread()``."""
    page = absolute(claim.get_absolute_url())
    attributed, graph = provenance(claim, page, absolute)
    statement: dict[str, Any] = {
        "id": page,
        "type": ["schema:Claim", "prov:Entity"],
        "schema:description": claim.summary,
        "schema:dateCreated": claim.made_on.isoformat(),
        "prov:wasAttributedTo": attributed,
    }
    if claim.quote:
        statement["schema:text"] = claim.quote
    found = annotation(claim, page, absolute)
    quotes = [found] if found is not None else []
    return {"@context": CONTEXT, "@graph": [statement, *quotes, *graph]}
