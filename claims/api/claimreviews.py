"""ClaimReview JSON-LD in the API: one claim's, an incident's claims', each naming the history's
tree head it was made at (header and ``isBasedOn``); documents come from claims.reading."""

from __future__ import annotations

from collections.abc import Iterable

from rest_framework.exceptions import NotFound
from rest_framework.request import Request
from rest_framework.response import Response

from claims.api.source_views import ID
from claims.ledger import tree
from claims.models import Claim, ClaimQuerySet, Incident
from claims.reading import claimreview
from claims.reading.asof import as_of_from

HEAD_HEADER = "X-Claimtracker-Ledger-Head"


def _reviews(request: Request, claims: Iterable[Claim]) -> tuple[list[dict], str]:
    head = tree.head_label()
    reviews = []
    for claim in claims:
        grading = claimreview.latest_grading(claim)
        if grading is not None:
            document = claimreview.claim_review(
                claim, grading, absolute=request.build_absolute_uri, head=head
            )
            reviews.append(document)
    return reviews, head


def configured() -> None:
    if not claimreview.is_configured():
        raise NotFound(claimreview.NoPublisher.message)


def claim_review(request: Request, claims: ClaimQuerySet, pk: str) -> Response:
    """The ClaimReview of claim ``pk`` among ``claims``: 404 when it is not published or no
    published assessment grades it."""
    configured()
    day = as_of_from(request.query_params)
    found = claimreview.reviewed_claims(claims, as_of=day).filter(pk=pk) if ID.fullmatch(pk) else []
    reviews, head = _reviews(request, found)
    if not reviews:
        raise NotFound("No published assessment of this published claim is on record.")
    return Response(reviews[0], headers={HEAD_HEADER: head})


def incident_reviews(request: Request, claims: ClaimQuerySet, incident: Incident) -> Response:
    """The ClaimReviews of the incident's published, graded claims, in date order."""
    configured()
    about = claimreview.reviewed_claims(claims.filter(incident=incident))
    reviews, head = _reviews(request, about.order_by("made_on", "id"))
    return Response(reviews, headers={HEAD_HEADER: head})
