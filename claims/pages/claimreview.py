"""ClaimReview for fact-check consumers: embedded in the claim page as JSON-LD under the page's
CSP nonce, and the feed at /claimreview/ of every published claim a published assessment grades.

Both name the history's tree head they were made at (``isBasedOn.version`` in each document,
and the ``X-Claimtracker-Ledger-Head`` header of the feed).
"""

from __future__ import annotations

import json
from typing import Any

from django.core.paginator import EmptyPage, PageNotAnInteger, Paginator
from django.http import Http404, HttpRequest, JsonResponse
from django.utils.safestring import SafeString, mark_safe

from claims.ledger import tree
from claims.models import Assessment, Claim
from claims.reading import claimreview

FEED_PAGE_SIZE = 50
# What json_script escapes, so "</script>" or "<!--" inside a quote cannot end the script
# element: the JSON stays the same data, the HTML parser never sees a tag in it.
SCRIPT_SAFE = str.maketrans({"<": "\\u003C", ">": "\\u003E", "&": "\\u0026"})


def script_json(document: dict[str, Any]) -> SafeString:
    return mark_safe(json.dumps(document, ensure_ascii=False).translate(SCRIPT_SAFE))


def embedded(request: HttpRequest, claim: Claim, shown: list[Assessment]) -> SafeString | None:
    """The claim page's ClaimReview: only of a published claim with a published assessment
    (``shown`` are the assessments the page shows, drafts among them for analysts), and only
    when the installation names its publisher."""
    published = [a for a in shown if a.status == Assessment.Status.PUBLISHED]
    if claim.status != Claim.Status.PUBLISHED or not published or not claimreview.is_configured():
        return None
    grading = max(published, key=lambda a: (a.published_at or a.created_at, a.pk))
    document = claimreview.claim_review(
        claim, grading, absolute=request.build_absolute_uri, head=tree.head_label()
    )
    return script_json(document)


def feed(request: HttpRequest) -> JsonResponse:
    """Every ClaimReview the record publishes, oldest claim first, FEED_PAGE_SIZE a page
    (``?page=``); ``Link`` headers name the next and previous pages."""
    if not claimreview.is_configured():
        raise Http404(claimreview.NoPublisher.message)
    claims = claimreview.reviewed_claims(Claim.objects.all()).order_by("id")
    paginator = Paginator(claims, FEED_PAGE_SIZE)
    try:
        page = paginator.page(request.GET.get("page", 1))
    except (EmptyPage, PageNotAnInteger):
        raise Http404("No such page of the ClaimReview feed.") from None
    head = tree.head_label()
    absolute = request.build_absolute_uri
    reviews = []
    for claim in page.object_list:
        grading = claimreview.latest_grading(claim)
        if grading is not None:
            reviews.append(claimreview.claim_review(claim, grading, absolute=absolute, head=head))
    body = {
        "@context": "https://schema.org",
        "@type": "DataFeed",
        "name": "ClaimReview documents of published assessments",
        "publisher": claimreview.publisher(),
        "url": absolute(request.path),
        "isBasedOn": claimreview.ledger_basis(head, absolute),
        "dataFeedElement": reviews,
    }
    response = JsonResponse(
        body, content_type="application/ld+json", json_dumps_params={"ensure_ascii": False}
    )
    links = []
    if page.has_next():
        links.append(f'<{absolute(f"{request.path}?page={page.next_page_number()}")}>; rel="next"')
    if page.has_previous():
        links.append(
            f'<{absolute(f"{request.path}?page={page.previous_page_number()}")}>; rel="prev"'
        )
    if links:
        response["Link"] = ", ".join(links)
    response["X-Claimtracker-Ledger-Head"] = head
    return response
