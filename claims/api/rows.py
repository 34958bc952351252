"""Claims in lists as plain dicts: the hot read path, without a serializer object per field.

``ClaimSerializer`` stays the definition of the shape (the schema documents it, writes answer
with it); ``claim_rows`` builds the same dicts directly from the page's rows, which is several
times cheaper for 50–200 nested rows. tests/test_api_rows.py holds the two to the same output.
"""

from __future__ import annotations

from collections.abc import Iterable

from django.urls import reverse
from rest_framework.request import Request

from claims.models import Claim, ClaimTarget, listed_statuses
from claimtracker.dates import describe
from sources.models import Actor

_KEY = "8675309"  # stands in for a key while a route is reversed once into a template


class Links:
    """Absolute links for one request: each route is reversed once, not once per row."""

    def __init__(self, request: Request | None) -> None:
        self.origin = request.build_absolute_uri("/")[:-1] if request is not None else ""
        self.claim_api = self._template("api:claim-detail", pk=_KEY)
        self.claim_html = self._template("claim-detail", pk=_KEY)
        self.incident_api = self._template("api:incident-detail", slug=_KEY)

    def _template(self, name: str, **kwargs: str) -> str:
        return self.origin + reverse(name, kwargs=kwargs).replace(_KEY, "{}")


def actor_ref(actor: Actor | None) -> dict | None:
    if actor is None:
        return None
    return {"id": actor.pk, "slug": actor.slug, "name": actor.name, "kind": actor.kind}


def claim_row(claim: Claim, links: Links) -> dict:
    """What ClaimSerializer gives for ``claim`` (loaded as ``with_accused`` loads it)."""
    incident = claim.incident
    return {
        "id": claim.pk,
        "kind": claim.kind,
        "status": claim.status,
        "speaker": actor_ref(claim.speaker),
        "spokesperson": actor_ref(claim.spokesperson),
        "summary": claim.summary,
        "made_on": claim.made_on.isoformat(),
        "made_precision": claim.made_precision,
        "made_as_stated": claim.made_as_stated,
        "made_display": describe(claim.made_on, claim.made_precision),
        "incident": None
        if incident is None
        else {
            "id": incident.pk,
            "slug": incident.slug,
            "title": incident.title,
            "url": links.incident_api.format(incident.slug),
        },
        "accused": [
            actor_ref(target.actor)
            for target in claim.claim_targets.all()
            if target.role == ClaimTarget.Role.ACCUSED
        ],
        "standing": claim.standing,
        "url": links.claim_api.format(claim.pk),
        "html_url": links.claim_html.format(claim.pk),
    }


def claim_rows(claims: Iterable[Claim], request: Request | None) -> list[dict]:
    links = Links(request)
    return [claim_row(claim, links) for claim in claims]


def claim_ref(claim: Claim, links: Links) -> dict:
    """What ClaimRefSerializer gives: another claim as a response mentions it."""
    return {
        "id": claim.pk,
        "kind": claim.kind,
        "speaker": actor_ref(claim.speaker),
        "made_on": claim.made_on.isoformat(),
        "made_display": describe(claim.made_on, claim.made_precision),
        "summary": claim.summary,
        "url": links.claim_api.format(claim.pk),
        "html_url": links.claim_html.format(claim.pk),
    }


def timeline_rows(claims: Iterable[Claim], request: Request) -> list[dict]:
    """What TimelineEntrySerializer gives: each claim with the claims it answers that the
    reader may see (loaded as the timeline view loads them)."""
    links = Links(request)
    shown = listed_statuses(request.user)
    rows = []
    for claim in claims:
        row = claim_row(claim, links)
        row["responds_to"] = [
            {
                "id": response.pk,
                "kind": response.kind,
                "note": response.note,
                "to": claim_ref(response.answers, links),
            }
            for response in claim.responses_made.all()
            if response.answers.status in shown
        ]
        rows.append(row)
    return rows
