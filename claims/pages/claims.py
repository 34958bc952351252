"""Analyst pages about claims: home, timeline, incident, claim and search.

Each page has one ``get_<thing>_for_user()`` helper that fetches, eager-loads and applies what the
user may see; views only pass its result to a template. Templates never trigger queries.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import replace
from pathlib import Path
from typing import Any, cast
from urllib.parse import urlencode

from django.conf import settings
from django.contrib.auth.models import AnonymousUser
from django.contrib.auth.models import User as AuthUser
from django.core.paginator import Page, Paginator
from django.db.models import Count, Exists, OuterRef, Prefetch, Q, QuerySet, Subquery
from django.http import HttpRequest, HttpResponse, QueryDict
from django.shortcuts import get_object_or_404, redirect, render
from django.template.loader import render_to_string
from django.views.decorators.http import condition

from claims.ledger.history import history_of
from claims.ledger.timestamps import with_stamps
from claims.models import (
    Claim,
    ClaimQuerySet,
    ClaimTarget,
    Incident,
    Response,
    Standing,
    listed_statuses,
    made_by,
    reads_drafts,
)
from claims.pages import charts, claimreview
from claims.pages.clocks import Clocks, ClocksForm, clocks_from, kept_params
from claims.pages.facets import facet_links, order_from
from claims.pages.figures import incident_figures_section
from claims.pages.filters import PAGING_PARAMS, PageClaimFilter
from claims.pages.kept import kept_page, page_state
from claims.pages.maps import incident_map
from claims.pages.threads import build_threads, thread_ids
from claims.reading import bands
from claims.reading.asof import was_made_by
from claims.reading.facets import FACET_SCAN, facets_of
from claims.reading.originators import independent_originators
from claims.reading.paging import PAGE_SIZE, keyset_page
from claims.reading.search import search
from claims.reading.visibility import assessments_shown_to, incidents_visible_to
from claimtracker.dates import Precision
from claimtracker.versions import code_version

User = AuthUser | AnonymousUser


def paginate(
    items: Sequence[Any] | QuerySet[Any], number: str | None, per_page: int = PAGE_SIZE
) -> Page[Any]:
    """The requested page (the last for a number too high), its rows fetched once as a list."""
    page = Paginator(items, per_page).get_page(number)
    page.object_list = list(page.object_list)
    return page


def listed_claims(user: User, day: dt.date | None = None) -> ClaimQuerySet:
    """Claims as lists show them (people, incident, answers both ways, standing) to this user;
    with ``day``, as the record stood in the world then (claims and answers made by that day)."""
    claims = Claim.objects.listed_for(user)
    claims = claims if day is None else claims.made_by(day)
    return claims.with_exchanges(listed_statuses(user), as_of=day).with_standing(as_of=day)


def hide_unseen_answers(claims: list[Claim], user: User, day: dt.date | None = None) -> list[Claim]:
    """Attach ``answers_shown`` / ``answered_by_shown``: the prefetched responses whose other side
    the user may see, so a draft reply never shows its speaker to the public (and, with ``day``,
    was made by that day)."""
    allowed = listed_statuses(user)
    for claim in claims:
        claim.answers_shown = [
            r
            for r in claim.responses_made.all()
            if r.answers.status in allowed and was_made_by(r.answers, day)
        ]
        claim.answered_by_shown = [
            r
            for r in claim.responses_received.all()
            if r.claim.status in allowed and was_made_by(r.claim, day)
        ]
    return claims


# --- Conditional GET ------------------------------------------------------------------------
#
# Every write to anything a page shows (claims, their parts, actors, documents, incidents) adds a
# change record, by trigger, and writers extend that chain one at a time until they commit: the
# newest record's id only grows, in commit order. With the reader and the templates, it is a
# validator that changes whenever the page could: a client revalidating its copy gets a 304
# after one indexed look-up, without the page being built.

_TEMPLATES = Path(settings.TEMPLATES_DIR)
# Templates and this module change with a deployment: copies from an older one are not reused.
RENDER_VERSION = code_version([Path(__file__), *_TEMPLATES.rglob("*")])


def page_version(request: HttpRequest, head: int | str | None) -> str:
    return f"record-{head or 0}-user-{request.user.pk or 0}-{RENDER_VERSION}"


def current_version(request: HttpRequest, *args: object, **kwargs: object) -> str:
    """The validator of a page whose own queries do not carry the head: read before the page's
    data (one query), it is compared with a client's copy and sent with a full render. The state
    stays on the request (``record_head``) for what the page keeps per state of the record."""
    head, state = page_state()
    request.record_head = (head, state)  # type: ignore[attr-defined]  # an attribute of our own
    return page_version(request, f"{head}.{state.partition('.')[2]}")


# Lists (home, timeline, actor and document pages): 304 to a current copy, without rendering.
revalidated_list = condition(etag_func=current_version)


def graded(user: User) -> Prefetch:
    """The assessments a page shows beside each claim (``assessments_shown``): one query for
    the page's claims, with who graded each, instead of one per claim."""
    return Prefetch("assessments", queryset=assessments_shown_to(user), to_attr="assessments_shown")


# --- Home -----------------------------------------------------------------------------------


def get_home_for_user(user: User) -> dict[str, Any]:
    # What is new is what was published last, whenever the claim was made (claim_published_idx).
    published = listed_claims(user).filter(
        status=Claim.Status.PUBLISHED, published_at__isnull=False
    )
    latest = list(published.order_by("-published_at", "-id")[:10])
    # Draft readers also see the newest drafts, apart: they have no publication to sort by.
    # One status's rows through claim_status_date_idx, so the sort covers drafts only.
    drafts = (
        list(
            listed_claims(user).filter(status=Claim.Status.DRAFT).order_by("-created_at", "-id")[:5]
        )
        if reads_drafts(user)
        else []
    )
    unanswered = list(
        Claim.objects.published()
        .with_standing()
        .filter(
            annotated_standing=Standing.UNANSWERED, claim_targets__role=ClaimTarget.Role.ACCUSED
        )
        .select_related("speaker", "incident")
        .distinct()
        .order_by("-made_on", "-id")[:10]
    )
    shown = Q(claims__status__in=listed_statuses(user))
    busiest = list(
        Incident.objects.annotate(activity=Count("claims", filter=shown))
        .filter(activity__gt=0)
        .order_by("-activity", "-start_on", "title")[:6]
    )
    return {"latest": latest, "drafts": drafts, "unanswered": unanswered, "busiest": busiest}


@revalidated_list
def home(request: HttpRequest) -> HttpResponse:
    return render(request, "claims/claim_home.html", get_home_for_user(request.user))


# --- Timeline -------------------------------------------------------------------------------


def get_timeline_for_user(request: HttpRequest) -> dict[str, Any]:
    user, params = request.user, request.GET
    # The request, so that a filter naming an actor or incident takes only those the user
    # may see.
    filters = PageClaimFilter(
        params, queryset=Claim.objects.filter(status__in=listed_statuses(user)), request=request
    )
    # A filter that names nothing (or several things) shows no claims, not all of them.
    refused = bool(filters.errors)
    matching = cast(ClaimQuerySet, filters.qs.none() if refused else filters.qs)
    clocks = clocks_from(params)
    day = clocks.day
    matching = matching if day is None else matching.made_by(day)
    order, newest_first = order_from(params)
    # The band and the facets depend on the filters and on which statuses the reader's lists
    # show, not on the order or the page position.
    shown = sorted(listed_statuses(user))
    band_key = urlencode(
        sorted((k, v) for k, v in params.items() if k not in (*PAGING_PARAMS, "order"))
    )

    def draw() -> tuple[int, str]:
        """The count of matching claims and the band drawn over them, as HTML."""
        spoken = bands.speech(matching)
        if not spoken:
            return 0, ""
        counted = spoken.bucket != Precision.DAY
        band = charts.timeline_band(
            spoken.rows, max_lanes=bands.TOP_SPEAKERS, thickness_counts=counted
        )
        if band is None:
            return spoken.total, ""
        band = replace(band, omitted=spoken.speakers - len(band.lanes))
        drawing = render_to_string(
            "claims/_timeline_band.html",
            {
                "band": band,
                "speech": spoken,
                "title": "When each party spoke",
                "row_noun": "party",
                "link_lanes": True,
            },
        )
        return spoken.total, drawing

    def list_page() -> tuple[str, str]:
        """Where the page starts (for its title; none on the first page) and the band and one
        page of the claims, with its links, as HTML."""
        page = keyset_page(
            matching.with_exchanges(shown, as_of=day).with_standing(as_of=day),
            params,
            newest_first=newest_first,
        )
        starts = page.object_list[0].made_display if page.object_list and not page.is_first else ""
        context = {"page": page, "band_html": band_html, "newest_first": newest_first}
        html = render_to_string("claims/_timeline_results.html", context, request=request)
        return starts, html

    # What depends on the record is built once per state of the record, for each set of
    # filters, page position and statuses shown: the band (both passes over the matching
    # claims, and drawing them), then the page of claims. Nothing in either is the user's own.
    state = request.record_head[1]  # type: ignore[attr-defined]  # kept by current_version
    total, band_html = bands.kept(f"drawn|{shown}|{band_key}", draw, state)
    # One GROUP BY per facet over the most recent FACET_SCAN matching claims (every one when
    # there are no more): kept per state like the band.
    facets = (
        bands.kept(
            f"facets|{shown}|{band_key}",
            lambda: facets_of(matching, as_of=day, scan=FACET_SCAN, total=total),
            state,
        )
        if total
        else {}
    )
    page_key = urlencode(sorted(params.items()))
    starts, results_html = bands.kept(f"listed|{shown}|{page_key}", list_page, state)
    api_query = filters.api_params()  # the API pages with a cursor of its own
    # The exports take neither the order nor a clock, and the timeline API takes no
    # recorded_by (the claim list does): each link carries what its endpoint reads, never a 400,
    # and the downloads say when they hold the record as it is now instead.
    api_path = "/api/v1/claims/" if "recorded_by" in api_query else "/api/v1/timeline/"
    export_query = api_query.copy()
    for name in ("order", "as_of", "recorded_by"):
        export_query.pop(name, None)
    return {
        "api_href": api_path + (f"?{api_query.urlencode()}" if api_query else ""),
        "export_query": export_query.urlencode(),
        "exports_now": "as_of" in api_query or "recorded_by" in api_query,
        "filters": filters,
        "order": order,
        "facets": facet_links(facets, params),
        "refused": refused,
        "suggestions": filters.suggestions(request.path) if refused else [],
        "total": total,
        "results_html": results_html,
        "starts": starts,
        "is_filtered": filters.form.has_changed() or clocks.asked,
        "newest_first": newest_first,
        "clocks": clocks,
        "keep": kept_params(params, PAGING_PARAMS),
    }


@revalidated_list
def timeline(request: HttpRequest) -> HttpResponse:
    # The filter form submits every field; drop the empty ones so shared URLs stay readable.
    if any(not value for value in request.GET.values()):
        kept = urlencode([(k, v) for k, v in request.GET.items() if v])
        return redirect(f"{request.path}?{kept}" if kept else request.path)
    context = get_timeline_for_user(request)
    return render(request, "claims/claim_timeline.html", context)


# --- Incident -------------------------------------------------------------------------------


def get_incident_for_user(
    user: User,
    slug: str,
    params: QueryDict,
    day: dt.date | None = None,
    newest_first: bool = False,
) -> dict[str, Any]:
    """An incident the user may not see is not found, as an unknown one. With ``day``, its
    claims, answers, counts and figure spread as the record stood in the world on that day;
    with ``newest_first``, the threads newest first (the answers in each stay in date order)."""
    allowed = listed_statuses(user)
    in_time = Q() if day is None else made_by(day)
    about = Claim.objects.filter(in_time, incident=OuterRef("pk"), status__in=allowed)
    incident = get_object_or_404(
        incidents_visible_to(user).annotate(
            # One incident's claims, counted through the index on (incident, made_on).
            claim_count=Subquery(
                about.order_by().values("incident").annotate(n=Count("pk")).values("n")
            ),
            # Where the incident's claims start: a lower bound on the date for the queries
            # below, so that an index by date starts there instead of at the oldest claim.
            first_claim_on=Subquery(about.order_by("made_on").values("made_on")[:1]),
        ),
        slug=slug,
    )
    # A page of threads: claims that answer no other claim of this incident shown to this user.
    answers_one_here = Response.objects.filter(
        claim=OuterRef("pk"), answers__incident=incident, answers__status__in=allowed
    )  # an answer made by the day answers a claim made by then (the write path holds it)
    # PostgreSQL takes an incident's claims to be spread over every date; they are not, and
    # the lower bound keeps it from walking the whole table's index by date to reach them.
    # Annotated above; the plugin does not see a Subquery's annotation.
    first_claim_on = incident.first_claim_on  # type: ignore[attr-defined]
    here = {"made_on__gte": first_claim_on} if first_claim_on else {}
    roots = Claim.objects.filter(in_time, incident=incident, status__in=allowed, **here).exclude(
        Exists(answers_one_here)
    )
    page = keyset_page(roots.only("id", "made_on"), params, newest_first=newest_first)
    ids = thread_ids([claim.pk for claim in page.object_list], incident, allowed)
    claims = hide_unseen_answers(
        list(
            Claim.objects.listed_for(user)
            .with_thread()
            .with_standing(as_of=day)
            .prefetch_related(graded(user))
            .filter(in_time, pk__in=ids)
            .order_by("made_on", "id")
        ),
        user,
        day,
    )
    threads = build_threads(claims)  # in date order, as the claims were read
    page.object_list = threads[::-1] if newest_first else threads
    # Evidence and documents of the claims on this page, from what with_thread() prefetched.
    documents = {hop.document for c in claims for hop in c.chain if hop.document_id}
    return {
        "incident": incident,
        "threads": page,
        **incident_figures_section(incident, day),
        "evidence": with_stamps([(c, item) for c in claims for item in c.evidence.all()]),
        "assessments": [(c, item) for c in claims for item in c.assessments_shown],
        "documents": sorted(documents, key=lambda d: (d.published_on is None, d.published_on)),
    }


# The head is read first (the validator and the key of the kept page), then the page is built
# once per state of the record (claims/pages/kept.py).
@condition(etag_func=current_version)
@kept_page
def incident_detail(request: HttpRequest, slug: str) -> HttpResponse:
    clocks = clocks_from(request.GET)
    order, newest_first = order_from(request.GET)
    context = get_incident_for_user(request.user, slug, request.GET, clocks.day, newest_first)
    context.update(
        clocks=clocks,
        keep=kept_params(request.GET, PAGING_PARAMS),
        order=order,
        newest=newest_first,
        map=incident_map(context["incident"], incidents_visible_to(request.user)),
    )
    return render(request, "claims/incident_detail.html", context)


# --- Claim ----------------------------------------------------------------------------------


def get_claim_for_user(user: User, pk: int, clocks: Clocks | None = None) -> dict[str, Any]:
    """The claim page; with ``clocks``, as the record stood on its day and at its point."""
    clocks = clocks or Clocks(form=ClocksForm())
    day, point = clocks.day, clocks.point
    claims = (
        Claim.objects.visible_to(user)
        .with_thread()
        .with_standing(as_of=day)
        .prefetch_related(graded(user))
    )
    claim = get_object_or_404(claims, pk=pk)
    hide_unseen_answers([claim], user, day)
    originators = independent_originators([claim.pk], as_of=day).get(claim.pk, set())
    changes = history_of(claim).only("id", "recorded_at", "operation")
    return {
        "claim": claim,
        "chain": claim.chain,
        "evidence": with_stamps([(claim, item) for item in claim.evidence.all()]),
        "assessments": [(claim, item) for item in claim.assessments_shown],
        "originator_count": len(originators),
        "last_change": (changes.filter(pk__lte=point.id) if point else changes).last(),
        "clocks": clocks,
        "made_after": not was_made_by(claim, day),
    }


@condition(etag_func=current_version)
@kept_page
def claim_detail(request: HttpRequest, pk: int) -> HttpResponse:
    clocks = clocks_from(request.GET)
    with clocks.reading():
        context = get_claim_for_user(request.user, pk, clocks)
    context["keep"] = kept_params(request.GET, PAGING_PARAMS)
    if clocks.day is None and clocks.point is None:  # the review is of the record as it is now
        context["claimreview"] = claimreview.embedded(
            request, context["claim"], context["claim"].assessments_shown
        )
    return render(request, "claims/claim_detail.html", context)


# --- Search ---------------------------------------------------------------------------------

KIND_HEADINGS = {
    "claim": "Claims",
    "actor": "Actors",
    "document": "Documents",
    "incident": "Incidents",
}


def get_search_for_user(user: User, query: str) -> dict[str, Any]:
    query = query.strip()  # spaces alone ask for nothing (and the API refuses a blank q)
    results = search(query, user=user) if query else {}
    groups = [(KIND_HEADINGS[kind], kind, hits) for kind, hits in results.items() if hits]
    return {"query": query, "groups": groups, "total": sum(len(g[2]) for g in groups)}


# Kept per state of the record like the incident and claim pages: what search reads is all in
# the change history.
@condition(etag_func=current_version)
@kept_page
def search_page(request: HttpRequest) -> HttpResponse:
    context = get_search_for_user(request.user, request.GET.get("q", ""))
    return render(request, "claims/claim_search.html", context)
