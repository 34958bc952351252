"""What the schema says of each operation besides its shapes: a one-line summary and an example.

Keyed by operation id and applied by claims.api.schema.AutoSchema, so views carry no schema
prose and a new endpoint is documented here in two lines. Writes get a request body example
(written from the running example: the White Helmets' count and the Ministry's denial); reads
get a response example, taken from the demo data's real answers (``examples.json``, made with
``load_demo`` and the API itself, then trimmed to one row per list). tests/test_api_schema_docs.py
walks the whole schema and names every operation that lacks either.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from claimtracker.problems import KINDS

SUMMARIES: dict[str, str] = {
    "actors_list": "List actors",
    "actors_create": "Add an actor",
    "actors_retrieve": "Read an actor, with its aliases and affiliations",
    "actors_update": "Replace an actor",
    "actors_partial_update": "Change some of an actor's fields",
    "actors_figures_list": "List the casualty figures an actor gave",
    "actors_responses_retrieve": "How an actor answers the allegations against it",
    "affiliations_list": "List affiliations (a person's role in an organisation)",
    "affiliations_create": "Add an affiliation",
    "affiliations_retrieve": "Read an affiliation",
    "affiliations_update": "Replace an affiliation",
    "affiliations_partial_update": "Change some of an affiliation's fields",
    "affiliations_destroy": "Remove an affiliation",
    "aliases_list": "List aliases (other names of actors)",
    "aliases_create": "Add an alias",
    "aliases_retrieve": "Read an alias",
    "aliases_update": "Replace an alias",
    "aliases_partial_update": "Change some of an alias's fields",
    "aliases_destroy": "Remove an alias",
    "claims_list": "List claims, filtered and cursor-paged",
    "claims_create": "Record a claim",
    "claims_retrieve": "Read a claim with its whole thread",
    "claims_update": "Replace a claim (guarded by If-Match)",
    "claims_partial_update": "Change some of a claim's fields (guarded by If-Match)",
    "claims_claimreview_retrieve": "A claim as schema.org ClaimReview",
    "claims_export_csv_retrieve": "Export the matching claims as CSV",
    "claims_export_jsonl_retrieve": "Export the matching claims as JSON Lines",
    "documents_list": "List documents (where statements appear)",
    "documents_create": "Add a document",
    "documents_retrieve": "Read a document",
    "documents_update": "Replace a document",
    "documents_partial_update": "Change some of a document's fields",
    "evidence_list": "List evidence",
    "evidence_create": "Attach evidence to a claim",
    "evidence_retrieve": "Read one piece of evidence",
    "evidence_update": "Replace a piece of evidence",
    "evidence_partial_update": "Change some of a piece of evidence's fields",
    "evidence_destroy": "Remove a piece of evidence",
    "figures_list": "List casualty figures across the record",
    "imports_list": "List dataset imports",
    "imports_create": "Upload a dataset to import",
    "imports_retrieve": "Read an import's progress and bad rows",
    "incidents_list": "List incidents",
    "incidents_create": "Add an incident",
    "incidents_retrieve": "Read an incident",
    "incidents_update": "Replace an incident",
    "incidents_partial_update": "Change some of an incident's fields",
    "incidents_claimreview_retrieve": "An incident's published claims as schema.org ClaimReview",
    "incidents_figures_list": "Every casualty figure claimed for an incident, by whom",
    "ledger_custody_documents_retrieve": "Custody bundle of a document (zip)",
    "ledger_custody_evidence_retrieve": "Custody bundle of a piece of evidence (zip)",
    "ledger_head_retrieve": "The latest signed tree head of the history",
    "ledger_proof_consistency_retrieve": "Consistency proof between two tree sizes",
    "ledger_proof_inclusion_retrieve": "Inclusion proof of a change record",
    "proposals_create": "Propose claims for an article (writes nothing)",
    "proposals_accept_create": "Write accepted proposals as drafts",
    "responses_list": "List responses (allegation ↔ answer links)",
    "responses_create": "Record that one claim answers another",
    "responses_retrieve": "Read a response link",
    "responses_update": "Replace a response link",
    "responses_partial_update": "Change some of a response link's fields",
    "responses_destroy": "Remove a response link",
    "search_retrieve": "Search claims, actors and incidents",
    "timeline_list": "The timeline: claims in the order they were made",
    "webhooks_list": "List webhook subscriptions",
    "webhooks_create": "Subscribe a tool to events",
    "webhooks_retrieve": "Read a webhook subscription",
    "webhooks_update": "Replace a webhook subscription",
    "webhooks_partial_update": "Change some of a webhook subscription's fields",
    "webhooks_destroy": "Unsubscribe",
    "webhooks_deliveries_list": "A subscription's delivery log",
    "problems_list": "The kinds of problem the API answers",
    "problems_retrieve": "What one kind of problem means",
}

_ACTOR = {
    "slug": "white-helmets",
    "name": "White Helmets",
    "kind": "organisation",
    "country": "SY",
    "description": "Volunteer rescue organisation working in opposition-held Syria.",
    "wikidata_id": "Q22812232",
    "aliases": [{"name": "Syrian Civil Defence", "language": "en"}],
}
_CLAIM = {
    "speaker": "white-helmets",
    "kind": "casualty_count",
    "summary": "The White Helmets say their members recovered 152 bodies of civilians.",
    "quote": "152 bodies of civilians were recovered over the past week.",
    "quote_language": "en",
    "made_on": "2017-09-25",
    "made_precision": "week",
    "made_as_stated": "last week",
    "incident": "idlib-airstrikes-september-2017",
    "accused": ["russian-defence-ministry"],
    "figures": [
        {"category": "civilians", "outcome": "killed", "low": 152, "high": 152,
         "qualifier": "exactly", "as_stated": "152", "basis": "bodies recovered"},
    ],
    "attribution_chain": [{"actor": "reuters", "verb": "reported"}],
}  # fmt: skip
_INCIDENT = {
    "slug": "idlib-airstrikes-september-2017",
    "title": "Airstrikes in Idlib province, September 2017",
    "place": "Idlib province",
    "country": "SY",
    "start_on": "2017-09-18",
    "start_precision": "week",
    "start_as_stated": "last week",
}
_DOCUMENT = {
    "title": "Russian Defence Ministry denies striking residential areas in Idlib",
    "source_url": "https://news.example.org/2017/09/27/idlib",
    "publisher": "rt",
    "kind": "article",
    "language": "en",
    "published_on": "2017-09-27",
    "published_precision": "day",
}
_EVIDENCE = {
    "claim": 3,
    "relation": "cited",
    "kind": "intelligence",
    "description": "Drone surveillance of the targets, as the Ministry describes it.",
    "availability": "asserted",
}
_RESPONSE = {"claim": 2, "answers": 1, "kind": "denies", "note": "The Ministry's denial."}
_ALIAS = {"actor": "white-helmets", "name": "Syrian Civil Defence", "language": "en"}
_AFFILIATION = {
    "person": "igor-konashenkov",
    "organisation": "russian-defence-ministry",
    "role": "spokesman",
    "start_on": "2017-01-01",
}
_WEBHOOK = {
    "name": "Newsroom tool",
    "url": "https://tools.example.org/hooks/claimtracker",
    "events": ["claim.published", "response.published"],
}
_PROPOSE = {
    "text": "A spokesman of the White Helmets said its members recovered 152 bodies of "
    "civilians killed in Idlib province last week.",
    "published_on": "2017-09-27",
    "publisher": "rt",
}

# Request bodies by operation; an update takes the create's body, a partial update a part of it.
REQUESTS: dict[str, Any] = {
    "actors_create": _ACTOR,
    "affiliations_create": _AFFILIATION,
    "aliases_create": _ALIAS,
    "claims_create": _CLAIM,
    "documents_create": _DOCUMENT,
    "evidence_create": _EVIDENCE,
    "incidents_create": _INCIDENT,
    "responses_create": _RESPONSE,
    "webhooks_create": _WEBHOOK,
    "imports_create": {"file": "idlib-2017.jsonl"},
    "proposals_create": _PROPOSE,
    "proposals_accept_create": {"document": 1, "claims": []},
}
PARTIAL: dict[str, Any] = {
    "actors": {"description": "Volunteer rescue organisation (Syrian Civil Defence)."},
    "affiliations": {"end_on": "2023-12-31"},
    "aliases": {"language": "ar"},
    "claims": {"status": "published"},
    "documents": {"published_precision": "day"},
    "evidence": {"availability": "published"},
    "incidents": {"region": "Idlib"},
    "responses": {"note": "The Ministry denies the count as a whole."},
    "webhooks": {"is_active": False},
}
for _resource, _part in PARTIAL.items():
    REQUESTS[f"{_resource}_update"] = REQUESTS[f"{_resource}_create"]
    REQUESTS[f"{_resource}_partial_update"] = _part

# Answers of reads that are not JSON: a line of each, as a client receives it.
_TEXT_RESPONSES: dict[str, tuple[str, str]] = {
    "claims_export_csv_retrieve": (
        "text/csv",
        "id,uid,kind,status,speaker,summary,made_on\r\n"
        "1,bf67d31f-8ffd-4be5-b078-f12a7582fb42,casualty_count,published,white-helmets,"
        '"The White Helmets say their members recovered 152 bodies of civilians.",2017-09-25\r\n',
    ),
    "claims_export_jsonl_retrieve": (
        "application/x-ndjson",
        '{"id": 1, "kind": "casualty_count", "speaker": "white-helmets", "made_on": '
        '"2017-09-25"}\n',
    ),
    "incidents_export_ucdp_ged_retrieve": (
        "text/csv",
        "id,relid,year,date_start,date_end,date_prec,where_prec,where_coordinates,adm_1,country,"
        "latitude,longitude,best,low,high,deaths_civilians,number_of_sources\r\n"
        "7,idlib-airstrikes-september-2017,2017,2017-09-18,2017-09-24,3,4,Idlib province,Idlib,"
        "SY,35.93000,36.63000,152,152,152,152,1\r\n",
    ),
    "incidents_export_acled_retrieve": (
        "text/csv",
        "event_id_cnty,event_date,year,time_precision,country,admin1,location,latitude,"
        "longitude,geo_precision,fatalities,notes\r\n"
        ",2017-09-18,2017,2,SY,Idlib,Idlib province,35.93000,36.63000,3,152,"
        '"White Helmets says 152 people were killed (week of 25 Sep 2017)"\r\n',
    ),
    "ledger_custody_documents_retrieve": ("application/zip", "(a zip archive)"),
    "ledger_custody_evidence_retrieve": ("application/zip", "(a zip archive)"),
}

RESPONSES: dict[str, Any] = json.loads((Path(__file__).parent / "examples.json").read_text())
RESPONSES["imports_retrieve"] = {
    "id": 3,
    "original_name": "idlib-2017.jsonl",
    "status": "done",
    "message": "",
    "percent": 100,
    "total_rows": 2,
    "processed_rows": 2,
    "errors": [],
    "created": 2,
    "attempts": 1,
    "created_at": "2026-12-02T09:15:02Z",
    "queued_at": "2026-12-02T09:15:02Z",
    "started_at": "2026-12-02T09:15:03Z",
    "finished_at": "2026-12-02T09:15:04Z",
}
RESPONSES["imports_list"]["results"] = [RESPONSES["imports_retrieve"]]
# The claim as linked data (claims.reading.linkeddata), cut to its claim and its quote. (Examples
# given in a view's extend_schema do not reach a non-JSON or ld+json answer: they live here.)
RESPONSES["claims_jsonld_retrieve"] = {
    "@context": {"schema": "https://schema.org/", "prov": "http://www.w3.org/ns/prov#"},
    "@graph": [
        {
            "id": "https://claims.example.org/claims/1/",
            "type": ["schema:Claim", "prov:Entity"],
            "prov:wasAttributedTo": ["https://claims.example.org/actors/white-helmets/"],
        },
        {
            "type": "Annotation",
            "motivation": "quoting",
            "body": "https://claims.example.org/claims/1/",
            "target": {
                "type": "SpecificResource",
                "source": "https://claims.example.org/media/archive/documents/1/copy.html",
                "selector": [
                    {"type": "TextQuoteSelector", "exact": "152 bodies", "prefix": "recovered "},
                    {"type": "TextPositionSelector", "start": 412, "end": 422},
                ],
            },
        },
    ],
}


def apply(operation: dict[str, Any]) -> None:
    """Add the summary and the example of ``operation`` (an OpenAPI operation object) where
    the view gave none."""
    key = operation["operationId"]
    if key in SUMMARIES and not operation.get("summary"):
        operation["summary"] = SUMMARIES[key]
    body = operation.get("requestBody", {}).get("content", {})
    if key in REQUESTS:
        for media in body.values():
            media.setdefault("examples", {"RunningExample": {"value": REQUESTS[key]}})
    for code, answer in operation.get("responses", {}).items():
        if not code.startswith("2"):
            continue
        for media_type, media in answer.get("content", {}).items():
            example = response_example(key, media_type)
            if example is not None:
                media.setdefault("examples", {"RunningExample": {"value": example}})


def response_example(key: str, media_type: str) -> Any:
    if key in _TEXT_RESPONSES:
        text_type, text = _TEXT_RESPONSES[key]
        return text if media_type == text_type else None
    if key in RESPONSES and "json" in media_type:
        return RESPONSES[key]
    return None


# The problem types' own answers (claims.api.problems), from the catalogue itself.
RESPONSES["problems_list"] = [
    {"type": k.type, "title": k.title, "status": k.status, "meaning": k.meaning}
    for k in KINDS.values()
]
RESPONSES["problems_retrieve"] = RESPONSES["problems_list"][0]
