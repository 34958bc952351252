"""Analyst pages about actors and documents."""

from __future__ import annotations

import datetime as dt

from django.db.models import (
    Count,
    Exists,
    Max,
    Min,
    OuterRef,
    Prefetch,
    Q,
)
from django.http import HttpRequest, HttpResponse, QueryDict
from django.shortcuts import get_object_or_404, render

from claims.ledger.timestamps import with_stamps
from claims.models import Claim, ClaimTarget, Response, listed_statuses
from claims.pages import charts
from claims.pages.answers import answers_section
from claims.pages.claims import PAGING_PARAMS, User, listed_claims, paginate, revalidated_list
from claims.pages.clocks import clocks_from, kept_params
from claims.pages.figures import actor_figures_section
from claims.pages.kept import kept_page
from claims.reading import bands
from claims.reading.paging import KeysetPage, keyset_page
from claims.reading.visibility import (
    actors_visible_to,
    affiliations_visible_to,
    documents_visible_to,
)
from claimtracker.dates import Precision
from sources.models import Actor


def speech_over_time(
    actor: Actor, user: User, day: dt.date | None = None
) -> tuple[charts.Band | None, bands.Speech] | None:
    """When ``actor`` spoke: its own claims in one row, its answers to other claims in another,
    counted per period (chosen from the span of dates, as on the timeline), so the band stays
    the same size however much the actor said."""
    # A revision of one's own claim is not an answer to another claim.
    answering = Exists(
        Response.objects.filter(claim=OuterRef("pk")).exclude(answers__speaker=OuterRef("speaker"))
    )
    claims = (
        Claim.objects.filter(Q(speaker=actor) | Q(spokesperson=actor))
        .filter(status__in=listed_statuses(user))
        .annotate(answering=answering)
    )
    claims = claims if day is None else claims.made_by(day)
    span = claims.aggregate(first=Min("made_on"), last=Max("made_on"), total=Count("pk"))
    if not span["total"]:
        return None
    bucket = bands.bucket_for(span["first"], span["last"])
    lanes = {False: ("Claims of its own", "own"), True: ("Answers to other claims", "answers")}
    rows = [
        bands.SpeechRow(*lanes[bool(answers)], bands.as_date(day), precision, n)
        for answers, day, precision, n in bands.per_period(claims, bucket, "answering")
    ]
    band = charts.timeline_band(rows, thickness_counts=bucket != Precision.DAY)
    speech = bands.Speech(
        rows=rows, bucket=bucket, total=span["total"], speakers=2, drawn_claims=span["total"]
    )
    return band, speech


def _in_role(
    actor: Actor, role: str, user: User, day: dt.date | None, params: QueryDict, prefix: str
) -> KeysetPage:
    """A keyset page of the claims that list ``actor`` in ``role`` (accused, or subject)."""
    targets = ClaimTarget.objects.filter(actor=actor, role=role)
    claims = listed_claims(user, day).filter(pk__in=targets.values("claim"))
    return keyset_page(claims, params, prefix=prefix)


def get_actor_for_user(
    user: User, slug: str, params: QueryDict, state: str, day: dt.date | None = None
) -> dict[str, object]:
    """``state``: the hash of the change history's head, the key of what the page keeps;
    ``day``: the claims lists and the band as the record stood in the world on that day.

    An actor the user may not see is not found, as an unknown one; nor does the page name a
    role's other side or a document the user may not see."""
    roles = affiliations_visible_to(user)
    actor = get_object_or_404(
        actors_visible_to(user).prefetch_related(
            "aliases",
            # The organisation of each role this person held, instead of a query per role.
            Prefetch("affiliations", queryset=roles.select_related("organisation")),
            # The people who held roles in this organisation, likewise.
            Prefetch("members", queryset=roles.select_related("person")),
        ),
        slug=slug,
    )
    # A spokesperson's page lists what they said for others as well as any claims of their own.
    voiced = Q(speaker=actor) | Q(spokesperson=actor)
    # Keyset pages (no COUNT over what may be a hundred thousand claims of one actor), each
    # list with its own position in the address.
    made = keyset_page(listed_claims(user, day).filter(voiced), params, prefix="made_")
    # "about_" pages the claims accusing it (the older name, kept for shared addresses).
    about = _in_role(actor, ClaimTarget.Role.ACCUSED, user, day, params, prefix="about_")
    subjects = _in_role(actor, ClaimTarget.Role.SUBJECT, user, day, params, prefix="subject_")
    published = documents_visible_to(user).filter(publisher=actor)
    documents = paginate(published.order_by("-published_on", "title"), params.get("docs"))
    shown = sorted(listed_statuses(user))
    drawn = bands.kept(
        f"actor-band|{actor.pk}|{shown}|{day}", lambda: speech_over_time(actor, user, day), state
    )
    band, speech = drawn or (None, None)
    return {
        "actor": actor,
        "made": made,
        "about": about,
        "subjects": subjects,
        "documents": documents,
        "band": band,
        "speech": speech,
        # Reads every figure of the incidents the actor gave figures for: kept per state too.
        **bands.kept(f"figures|{actor.pk}|{day}", lambda: actor_figures_section(actor, day), state),
        # How it answers the allegations against it, kept per state of the record like the band.
        **answers_section(actor, user, params, state),
    }


@revalidated_list
@kept_page  # built once per state of the record (claims/pages/kept.py)
def actor_detail(request: HttpRequest, slug: str) -> HttpResponse:
    # The head was read by the page's validator (current_version).
    clocks = clocks_from(request.GET)
    head = request.record_head  # type: ignore[attr-defined]  # an attribute of our own
    context = get_actor_for_user(request.user, slug, request.GET, head[1], clocks.day)
    context.update(clocks=clocks, keep=kept_params(request.GET, PAGING_PARAMS))
    return render(request, "sources/actor_detail.html", context)


def get_document_for_user(user: User, pk: int, page_number: str | None) -> dict[str, object]:
    """A document the user may not see is not found, as an unknown one."""
    document = get_object_or_404(documents_visible_to(user).select_related("publisher"), pk=pk)
    quoted = (
        listed_claims(user)
        .filter(pk__in=document.attributions.values("claim"))
        .order_by("made_on", "id")
    )
    page = paginate(quoted, page_number)
    return {"document": with_stamps([document])[0], "page": page}


@revalidated_list
@kept_page
def document_detail(request: HttpRequest, pk: int) -> HttpResponse:
    context = get_document_for_user(request.user, pk, request.GET.get("page"))
    return render(request, "sources/document_detail.html", context)
