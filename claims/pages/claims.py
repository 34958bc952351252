"""Analyst pages about claims: home, timeline, incident, claim and search.

Each page has one ``get_<thing>_for_user()`` helper that fetches, eager-loads and applies what the
user may see; views only pass its result to a template. Templates never trigger queries.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from pathlib import Path
from urllib.parse import urlencode

from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.models import AbstractBaseUser, AnonymousUser
from django.core.paginator import Page, Paginator
from django.db import connection
from django.db.models import Count, Exists, OuterRef, Q, Subquery
from django.http import HttpRequest, HttpResponse, QueryDict
from django.shortcuts import get_object_or_404, redirect, render
from django.template.loader import render_to_string
from django.utils.http import quote_etag
from django.views.decorators.http import condition

from claims.ledger.history import history_of
from claims.models import (
    ChangeRecord,
    Claim,
    ClaimQuerySet,
    ClaimTarget,
    Incident,
    Response,
    Standing,
    listed_statuses,
    reads_drafts,
)
from claims.pages import charts
from claims.pages.filters import PageClaimFilter
from claims.reading import bands
from claims.reading.originators import independent_originators
from claims.reading.paging import PAGE_SIZE, keyset_page
from claims.reading.search import search
from claims.reading.visibility import incidents_visible_to
from claimtracker.dates import Precision
from claimtracker.versions import code_version

User = AbstractBaseUser | AnonymousUser


def paginate(items: object, number: str | None, per_page: int = PAGE_SIZE) -> Page:
    """The requested page (the last for a number too high), its rows fetched once as a list."""
    page = Paginator(items, per_page).get_page(number)
    page.object_list = list(page.object_list)
    return page


def listed_claims(user: User) -> ClaimQuerySet:
    """Claims as lists show them (people, incident, answers both ways, standing) to this user."""
    return Claim.objects.listed_for(user).with_exchanges(listed_statuses(user)).with_standing()


def hide_unseen_answers(claims: list[Claim], user: User) -> list[Claim]:
    """Attach ``answers_shown`` / ``answered_by_shown``: the prefetched responses whose other side
    the user may see, so a draft reply never shows its speaker to the public."""
    allowed = listed_statuses(user)
    for claim in claims:
        claim.answers_shown = [r for r in claim.responses_made.all() if r.answers.status in allowed]
        claim.answered_by_shown = [
            r for r in claim.responses_received.all() if r.claim.status in allowed
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


def page_version(request: HttpRequest, head: int | None) -> str:
    return f"record-{head or 0}-user-{request.user.pk or 0}-{RENDER_VERSION}"


def current_version(request: HttpRequest, *args: object, **kwargs: object) -> str:
    """The validator of a page whose own queries do not carry the head: read before the page's
    data (one query), it is compared with a client's copy and sent with a full render. The head
    stays on the request (``record_head``) for what the page keeps per state of the record."""
    request.record_head = ChangeRecord.objects.head()
    return page_version(request, request.record_head[0])


def revalidated_version(request: HttpRequest, *args: object, **kwargs: object) -> str | None:
    """The validator, looked up only for a client that holds a copy; a full render sends the
    one its own first query read (``head_column``), so it costs no extra query."""
    return current_version(request) if "HTTP_IF_NONE_MATCH" in request.META else None


# Lists (home, timeline, actor and document pages): 304 to a current copy, without rendering.
revalidated_list = condition(etag_func=current_version)


def with_validator(request: HttpRequest, response: HttpResponse, head: int | None) -> HttpResponse:
    # The head was read before the page's data, so a write in between gives an older validator,
    # never a newer one: the next revalidation then renders again.
    response["ETag"] = quote_etag(page_version(request, head))
    return response


# --- Home -----------------------------------------------------------------------------------


def get_home_for_user(user: User) -> dict[str, object]:
    latest = list(listed_claims(user).order_by("-made_on", "-id")[:10])
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
    return {"latest": latest, "unanswered": unanswered, "busiest": busiest}


@revalidated_list
def home(request: HttpRequest) -> HttpResponse:
    return render(request, "claims/claim_home.html", get_home_for_user(request.user))


# --- Timeline -------------------------------------------------------------------------------


# Where a list page starts; "page" comes from links shared before the keyset pages.
PAGING_PARAMS = ("after", "before", "page")


def get_timeline_for_user(request: HttpRequest) -> dict[str, object]:
    user, params = request.user, request.GET
    # The request, so that a filter naming an actor or incident takes only those the user
    # may see.
    filters = PageClaimFilter(
        params, queryset=Claim.objects.filter(status__in=listed_statuses(user)), request=request
    )
    matching = filters.qs
    # The band depends on the filters and on which statuses the reader's lists show.
    shown = sorted(listed_statuses(user))
    band_key = urlencode(sorted((k, v) for k, v in params.items() if k not in PAGING_PARAMS))

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
        page = keyset_page(matching.with_exchanges(shown).with_standing(), params)
        starts = page.object_list[0].made_display if page.object_list and not page.is_first else ""
        context = {"page": page, "band_html": band_html}
        html = render_to_string("claims/_timeline_results.html", context, request=request)
        return starts, html

    # What depends on the record is built once per state of the record, for each set of
    # filters, page position and statuses shown: the band (both passes over the matching
    # claims, and drawing them), then the page of claims. Nothing in either is the user's own.
    state = request.record_head[1]  # read by the page's validator (current_version)
    total, band_html = bands.kept(f"drawn|{shown}|{band_key}", draw, state)
    page_key = urlencode(sorted(params.items()))
    starts, results_html = bands.kept(f"listed|{shown}|{page_key}", list_page, state)
    api_query = params.copy()
    for name in PAGING_PARAMS:
        api_query.pop(name, None)  # the API pages with a cursor of its own
    return {
        "api_href": "/api/v1/timeline/" + (f"?{api_query.urlencode()}" if api_query else ""),
        "filters": filters,
        "total": total,
        "results_html": results_html,
        "starts": starts,
        "is_filtered": filters.form.has_changed(),
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


@dataclass
class ThreadNode:
    """A claim in an exchange, with the response that links it to its parent and its answers."""

    claim: Claim
    response: Response | None = None
    children: list[ThreadNode] = field(default_factory=list)


def build_threads(claims: list[Claim]) -> list[ThreadNode]:
    """Each claim no other claim here answers is a thread; answers nest under what they answer.

    Uses the ``answered_by_shown`` lists of hide_unseen_answers(), so it runs no queries; a reply
    from outside this set of claims is shown as a leaf.
    """
    by_id = {claim.pk: claim for claim in claims}
    replies = {r.claim_id for claim in claims for r in claim.answered_by_shown}

    def node(claim: Claim, response: Response | None, seen: frozenset[int]) -> ThreadNode:
        children = []
        if claim.pk in by_id and claim.pk not in seen:
            for reply in by_id[claim.pk].answered_by_shown:
                child = by_id.get(reply.claim_id, reply.claim)
                children.append(node(child, reply, seen | {claim.pk}))
        return ThreadNode(claim=claim, response=response, children=children)

    return [node(claim, None, frozenset()) for claim in claims if claim.pk not in replies]


# Figures drawn in the spread chart; the busiest incidents have thousands.
FIGURES_CAP = 60


def thread_ids(roots: list[int], incident: Incident, allowed: list[str]) -> list[int]:
    """The ids of ``roots`` and of every claim about ``incident`` that answers them, directly or
    down a chain of answers, in one recursive query (UNION drops repeats, so a loop ends)."""
    if not roots:
        return []
    claim, response = Claim._meta.db_table, Response._meta.db_table
    marks = ", ".join(["%s"] * len(allowed))
    sql = (
        f"WITH RECURSIVE thread(id) AS (SELECT id FROM {claim} WHERE id IN"
        f" ({', '.join(['%s'] * len(roots))})"
        f" UNION SELECT answer.id FROM thread"
        f" JOIN {response} AS link ON link.answers_id = thread.id"
        f" JOIN {claim} AS answer ON answer.id = link.claim_id"
        f" WHERE answer.incident_id = %s AND answer.status IN ({marks}))"
        " SELECT id FROM thread"
    )
    with connection.cursor() as cursor:
        cursor.execute(sql, [*roots, incident.pk, *allowed])
        return [row[0] for row in cursor.fetchall()]


def get_incident_for_user(user: User, slug: str, params: QueryDict) -> dict[str, object]:
    """An incident the user may not see is not found, as an unknown one."""
    allowed = listed_statuses(user)
    about = Claim.objects.filter(incident=OuterRef("pk"), status__in=allowed)
    incident = get_object_or_404(
        incidents_visible_to(user).annotate(
            record_head=ChangeRecord.objects.head_column(),
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
    )
    # PostgreSQL takes an incident's claims to be spread over every date; they are not, and
    # the lower bound keeps it from walking the whole table's index by date to reach them.
    here = {"made_on__gte": incident.first_claim_on} if incident.first_claim_on else {}
    roots = Claim.objects.filter(incident=incident, status__in=allowed, **here).exclude(
        Exists(answers_one_here)
    )
    page = keyset_page(roots.only("id", "made_on"), params)
    ids = thread_ids([claim.pk for claim in page.object_list], incident, allowed)
    claims = hide_unseen_answers(
        list(
            Claim.objects.listed_for(user)
            .with_thread()
            .with_standing()
            .filter(pk__in=ids)
            .order_by("made_on", "id")
        ),
        user,
    )
    page.object_list = build_threads(claims)
    since = {"claim__made_on__gte": incident.first_claim_on} if incident.first_claim_on else {}
    figures = list(incident.figure_spread().filter(**since)[: FIGURES_CAP + 1])
    # Evidence and documents of the claims on this page, from what with_thread() prefetched.
    documents = {hop.document for c in claims for hop in c.chain if hop.document_id}
    return {
        "incident": incident,
        "threads": page,
        "spread": charts.figure_spread(figures[:FIGURES_CAP]),
        "figures_capped": len(figures) > FIGURES_CAP,
        "figures_cap": FIGURES_CAP,
        "evidence": [(c, item) for c in claims for item in c.evidence.all()],
        "documents": sorted(documents, key=lambda d: (d.published_on is None, d.published_on)),
    }


@condition(etag_func=revalidated_version)
def incident_detail(request: HttpRequest, slug: str) -> HttpResponse:
    context = get_incident_for_user(request.user, slug, request.GET)
    response = render(request, "claims/incident_detail.html", context)
    return with_validator(request, response, context["incident"].record_head)


# --- Claim ----------------------------------------------------------------------------------


def get_claim_for_user(user: User, pk: int) -> dict[str, object]:
    claims = Claim.objects.visible_to(user).with_thread().with_standing()
    claim = get_object_or_404(
        claims.annotate(record_head=ChangeRecord.objects.head_column()), pk=pk
    )
    hide_unseen_answers([claim], user)
    originators = independent_originators([claim.pk]).get(claim.pk, set())
    return {
        "claim": claim,
        "chain": claim.chain,
        "evidence": [(claim, item) for item in claim.evidence.all()],
        "originator_count": len(originators),
        "last_change": history_of(claim).only("id", "recorded_at", "operation").last(),
    }


@condition(etag_func=revalidated_version)
def claim_detail(request: HttpRequest, pk: int) -> HttpResponse:
    context = get_claim_for_user(request.user, pk)
    response = render(request, "claims/claim_detail.html", context)
    return with_validator(request, response, context["claim"].record_head)


def get_claim_history_for_user(user: User, pk: int) -> dict[str, object]:
    """The claim row's hash-chained history. The public sees it from publication on, with the
    draft values that preceded publication left out; editors see every change and who made it."""
    claim = get_object_or_404(Claim.objects.visible_to(user).select_related("speaker"), pk=pk)
    editors_view = reads_drafts(user)
    changes = []
    for record in history_of(claim):
        draft_before = record.before.get("status") == Claim.Status.DRAFT
        if not editors_view and record.after.get("status", "draft") == Claim.Status.DRAFT:
            continue
        rows = [
            (column, None if draft_before and not editors_view else old, new)
            for column, old, new in record.changes()
            if column not in HIDDEN_HISTORY_COLUMNS
        ]
        changes.append({"record": record, "rows": rows})
    if editors_view:
        # One query for every user named, not one per entry.
        ids = {c["record"].user_id for c in changes if c["record"].user_id}
        users = {str(u.pk): u.get_username() for u in get_user_model().objects.filter(pk__in=ids)}
        for change in changes:
            user_id = change["record"].user_id
            change["who"] = users.get(user_id, "a former user") if user_id else "no signed-in user"
            if claimed := change["record"].claimed_user_id:
                change["who"] += f" (claimed for user {claimed} by SQL, not proven)"
    return {"claim": claim, "changes": changes, "editors_view": editors_view}


# Bookkeeping columns every save touches; the page lists what an editor changed.
HIDDEN_HISTORY_COLUMNS = {"updated_at", "version", "created_by_id"}


def claim_history(request: HttpRequest, pk: int) -> HttpResponse:
    context = get_claim_history_for_user(request.user, pk)
    return render(request, "claims/claim_history.html", context)


# --- Search ---------------------------------------------------------------------------------

KIND_HEADINGS = {
    "claim": "Claims",
    "actor": "Actors",
    "document": "Documents",
    "incident": "Incidents",
}


def get_search_for_user(user: User, query: str) -> dict[str, object]:
    results = search(query, user=user) if query.strip() else {}
    groups = [(KIND_HEADINGS[kind], kind, hits) for kind, hits in results.items() if hits]
    return {"query": query, "groups": groups, "total": sum(len(g[2]) for g in groups)}


def search_page(request: HttpRequest) -> HttpResponse:
    context = get_search_for_user(request.user, request.GET.get("q", ""))
    return render(request, "claims/claim_search.html", context)
