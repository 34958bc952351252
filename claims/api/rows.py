"""Claims in lists as plain dicts: the hot read path, without a serializer object per field.

``ClaimSerializer`` stays the definition of the shape (the schema documents it, writes answer
with it); ``value_rows`` builds the same dicts from the page's columns, read with ``values()``
(no model instances), and ``timeline_rows`` from the timeline's claims, which is several times
cheaper for 50–200 nested rows. tests/test_api_rows.py holds the two to the same output.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Iterable
from typing import Any

from django.db.models import QuerySet
from django.urls import reverse
from rest_framework.request import Request

from claims.models import Claim, ClaimQuerySet, ClaimTarget, listed_statuses
from claims.reading.asof import was_made_by
from claimtracker.dates import describe
from sources.models import Actor

_KEY = "8675309"  # stands in for a key while a route is reversed once into a template
# An actor as lists mention it: the keys, and the columns they come from (after "speaker" …).
_KEYS = ("id", "slug", "name", "kind")
_ACTOR = ("_id", "__slug", "__name", "__kind")
# What each kind of search hit is addressed by, in the API and on its page.
_SEARCH_KEYS = {"claim": "pk", "actor": "slug", "document": "pk", "incident": "slug"}


class Links:
    """Absolute links for one request: each route is reversed once, not once per row."""

    def __init__(self, request: Request | None) -> None:
        self.origin = request.build_absolute_uri("/")[:-1] if request is not None else ""
        self.claim_api = self._template("api:claim-detail", pk=_KEY)
        self.claim_html = self._template("claim-detail", pk=_KEY)
        self.incident_api = self._template("api:incident-detail", slug=_KEY)
        self._search: dict[str, tuple[str, str, str]] | None = None

    def search_hit(self, kind: str, obj: object) -> tuple[str, str]:
        """The API and page links of a search hit (ClaimSerializer's ``url`` and ``html_url``)."""
        if self._search is None:
            self._search = {
                kind: (
                    self._template(f"api:{kind}-detail", **{key: _KEY}),
                    self._template(f"{kind}-detail", **{key: _KEY}),
                    key,
                )
                for kind, key in _SEARCH_KEYS.items()
            }
        api, page, key = self._search[kind]
        value = getattr(obj, key)
        return api.format(value), page.format(value)

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
        "uid": str(claim.uid),
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


# What a row of the claim list reads, as values(): one tuple per claim, no model instances.
LIST_COLUMNS = (
    "id",
    "uid",
    "kind",
    "status",
    "summary",
    "made_on",
    "made_precision",
    "made_as_stated",
    "annotated_standing",
    *(f"{person}{column}" for person in ("speaker", "spokesperson") for column in _ACTOR),
    "incident_id",
    "incident__slug",
    "incident__title",
    # Not shown, but a cursor reads the position of the ordering it pages by.
    "created_at",
    "updated_at",
)


def list_values(
    claims: ClaimQuerySet, as_of: dt.date | None = None
) -> QuerySet[Claim, dict[str, Any]]:
    """``claims`` as the list reads them: the columns of LIST_COLUMNS, standing included (from
    the answers made by ``as_of``, when given)."""
    return claims.with_standing(as_of=as_of).values(*LIST_COLUMNS)


def _person(row: dict, role: str) -> dict | None:
    if row[f"{role}_id"] is None:
        return None
    return {key: row[f"{role}{column}"] for key, column in zip(_KEYS, _ACTOR, strict=True)}


def value_rows(rows: list[dict], request: Request | None) -> list[dict]:
    """What ClaimSerializer gives, for rows of ``list_values()``; the accused of the whole
    page come in one more query."""
    links = Links(request)
    accused: dict[int, list[dict]] = defaultdict(list)
    if rows:
        targets = (
            ClaimTarget.objects.filter(
                claim_id__in=[row["id"] for row in rows], role=ClaimTarget.Role.ACCUSED
            )
            .order_by("id")
            .values_list("claim_id", *(f"actor{column}" for column in _ACTOR))
        )
        for claim_id, *actor in targets:
            accused[claim_id].append(dict(zip(_KEYS, actor, strict=True)))
    return [
        {
            "id": row["id"],
            "uid": str(row["uid"]),
            "kind": row["kind"],
            "status": row["status"],
            "speaker": _person(row, "speaker"),
            "spokesperson": _person(row, "spokesperson"),
            "summary": row["summary"],
            "made_on": row["made_on"].isoformat(),
            "made_precision": row["made_precision"],
            "made_as_stated": row["made_as_stated"],
            "made_display": describe(row["made_on"], row["made_precision"]),
            "incident": None
            if row["incident_id"] is None
            else {
                "id": row["incident_id"],
                "slug": row["incident__slug"],
                "title": row["incident__title"],
                "url": links.incident_api.format(row["incident__slug"]),
            },
            "accused": accused.get(row["id"], []),
            "standing": row["annotated_standing"],
            "url": links.claim_api.format(row["id"]),
            "html_url": links.claim_html.format(row["id"]),
        }
        for row in rows
    ]


def claim_ref(claim: Claim, links: Links) -> dict:
    """What ClaimRefSerializer gives: another claim as a response mentions it."""
    return {
        "id": claim.pk,
        "uid": str(claim.uid),
        "kind": claim.kind,
        "speaker": actor_ref(claim.speaker),
        "made_on": claim.made_on.isoformat(),
        "made_display": describe(claim.made_on, claim.made_precision),
        "summary": claim.summary,
        "url": links.claim_api.format(claim.pk),
        "html_url": links.claim_html.format(claim.pk),
    }


def timeline_rows(
    claims: Iterable[Claim], request: Request, as_of: dt.date | None = None
) -> list[dict]:
    """What TimelineEntrySerializer gives: each claim with the claims it answers that the
    reader may see (loaded as the timeline view loads them), made by ``as_of`` when given."""
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
            if response.answers.status in shown and was_made_by(response.answers, as_of)
        ]
        rows.append(row)
    return rows


def search_rows(query: str, results: dict[str, list], request: Request) -> dict:
    """What SearchResultsSerializer gives for claims.reading.search.search() results."""
    links = Links(request)
    answer: dict = {"query": query}
    for kind in _SEARCH_KEYS:
        rows = []
        for hit in results[kind]:
            url, page = links.search_hit(hit.kind, hit.obj)
            rows.append(
                {
                    "kind": hit.kind,
                    "id": hit.obj.pk,
                    "label": str(hit.obj),
                    "fragment": hit.fragment,
                    "rank": float(hit.rank),
                    "url": url,
                    "html_url": page,
                }
            )
        answer[kind] = rows
    return answer
