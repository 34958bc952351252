"""Analyst pages about actors and documents."""

from __future__ import annotations

import statistics

from django.db.models import Count, Exists, OuterRef, Prefetch, Q
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, render

from claims import charts
from claims.models import Claim, ClaimTarget, Response, listed_statuses
from claims.views import User, listed_claims, paginate, show_answers
from claimtracker.dates import period
from sources.models import Actor, Affiliation, Document


def response_habits(actor: Actor, user: User) -> dict[str, object]:
    """How ``actor`` answers others: counts by kind, and the median days from allegation to answer.

    Loose dates count from the start of their period, so the delay is approximate when either
    side is dated only to a week or a month; the page says so.
    """
    allowed = listed_statuses(user)
    answers = Response.objects.filter(
        claim__speaker=actor, claim__status__in=allowed, answers__status__in=allowed
    )
    counts = [
        (Response.Kind(row["kind"]).label, row["n"])
        for row in answers.values("kind").annotate(n=Count("pk")).order_by("-n", "kind")
    ]
    pairs = answers.values_list(
        "claim__made_on", "claim__made_precision", "answers__made_on", "answers__made_precision"
    )
    delays = [
        (period(said, said_p)[0] - period(alleged, alleged_p)[0]).days
        for said, said_p, alleged, alleged_p in pairs
    ]
    return {
        "counts": counts,
        "median_delay": statistics.median(delays) if delays else None,
        "answered": len(delays),
    }


def speech_over_time(actor: Actor, user: User) -> charts.Band | None:
    """When ``actor`` spoke: its own claims in one row, its answers to other claims in another."""
    answering = Exists(Response.objects.filter(claim=OuterRef("pk")))
    rows = (
        Claim.objects.filter(Q(speaker=actor) | Q(spokesperson=actor))
        .filter(status__in=listed_statuses(user))
        .annotate(answering=answering)
        .order_by()
        .values("answering", "made_on", "made_precision")
        .annotate(n=Count("pk"))
    )
    lanes = {False: ("Claims of its own", "own"), True: ("Answers to other claims", "answers")}
    return charts.timeline_band(
        charts.SpeechRow(*lanes[bool(r["answering"])], r["made_on"], r["made_precision"], r["n"])
        for r in rows
    )


def get_actor_for_user(user: User, slug: str, params: dict[str, str]) -> dict[str, object]:
    actor = get_object_or_404(
        Actor.objects.prefetch_related(
            "aliases",
            # The organisation of each role this person held, instead of a query per role.
            Prefetch("affiliations", queryset=Affiliation.objects.select_related("organisation")),
            # The people who held roles in this organisation, likewise.
            Prefetch("members", queryset=Affiliation.objects.select_related("person")),
        ),
        slug=slug,
    )
    # A spokesperson's page lists what they said for others as well as any claims of their own.
    voiced = Q(speaker=actor) | Q(spokesperson=actor)
    made = paginate(
        listed_claims(user).filter(voiced).order_by("made_on", "id"), params.get("made")
    )
    accused = ClaimTarget.objects.filter(actor=actor, role=ClaimTarget.Role.ACCUSED)
    about = paginate(
        listed_claims(user).filter(pk__in=accused.values("claim")).order_by("made_on", "id"),
        params.get("about"),
    )
    show_answers([*made.object_list, *about.object_list], user)
    documents = paginate(actor.documents.order_by("-published_on", "title"), params.get("docs"))
    return {
        "actor": actor,
        "made": made,
        "about": about,
        "documents": documents,
        "habits": response_habits(actor, user),
        "band": speech_over_time(actor, user),
    }


def actor_detail(request: HttpRequest, slug: str) -> HttpResponse:
    context = get_actor_for_user(request.user, slug, request.GET)
    return render(request, "sources/actor_detail.html", context)


def get_document_for_user(user: User, pk: int, page_number: str | None) -> dict[str, object]:
    document = get_object_or_404(Document.objects.select_related("publisher"), pk=pk)
    quoted = (
        listed_claims(user)
        .filter(pk__in=document.attributions.values("claim"))
        .order_by("made_on", "id")
    )
    page = paginate(quoted, page_number)
    show_answers(page.object_list, user)
    return {"document": document, "page": page}


def document_detail(request: HttpRequest, pk: int) -> HttpResponse:
    context = get_document_for_user(request.user, pk, request.GET.get("page"))
    return render(request, "sources/document_detail.html", context)
