"""The index pages: every incident, actor and document the reader may see, filtered, counted and
keyset-paged.

The incidents' index also takes the timeline's claim filters that make sense for incidents
(speaker, accused, kind, standing, when the claims were made): it then lists the incidents that
matching claims are about, counts those claims, and maps every incident it finds
(claims.pages.maps), the page's rows in a table beside the map.

Each row's count (claims about an incident, claims an actor made and claims accusing it, claims
citing a document) is a correlated sub-query over the claims the reader's lists show, through
the index that serves it; PostgreSQL runs such costly output columns after the sort and the
LIMIT, so only the page's rows are counted. Pages continue after a row's id
(claims.reading.paging.register_page), so no page needs COUNT(*) or an OFFSET; each page is
kept per state of the record.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any
from urllib.parse import urlencode

import django_filters
from django.db.models import Count, Exists, IntegerField, OuterRef, Q, QuerySet, Subquery, Value
from django.db.models.functions import Coalesce, Lower
from django.forms import DateInput, TextInput
from django.http import HttpRequest, HttpResponse, QueryDict
from django.shortcuts import redirect, render

from claims.models import Attribution, Claim, ClaimTarget, Incident, listed_statuses
from claims.pages.claims import User, revalidated_list
from claims.pages.filters import PAGING_PARAMS, PageClaimFilter
from claims.pages.maps import index_map
from claims.reading import bands
from claims.reading.paging import register_page
from claims.reading.visibility import actors_visible_to, documents_visible_to, incidents_visible_to
from sources.models import Actor, ActorQuerySet, Document


def _count(rows: QuerySet, group: str) -> Coalesce:
    """The number of ``rows`` (already correlated on the outer row) as a column, 0 for none."""
    counted = rows.order_by().values(group).annotate(n=Count("*")).values("n")
    return Coalesce(Subquery(counted, output_field=IntegerField()), Value(0))


def _text(label: str, hint: str) -> django_filters.CharFilter:
    return django_filters.CharFilter(
        label=label, method="filter_q", widget=TextInput(attrs={"placeholder": hint})
    )


def _date(label: str, field: str, lookup: str) -> django_filters.DateFilter:
    return django_filters.DateFilter(
        label=label,
        field_name=field,
        lookup_expr=lookup,
        widget=DateInput(attrs={"type": "date"}),
    )


def _country() -> django_filters.CharFilter:
    return django_filters.CharFilter(
        label="Country",
        field_name="country",
        lookup_expr="iexact",
        widget=TextInput(attrs={"placeholder": "two letters, e.g. SY", "maxlength": "2"}),
    )


class IncidentIndexFilter(django_filters.FilterSet):
    q = _text("Title or place contains", "e.g. Idlib")
    country = _country()
    since = _date("Starting on or after", "start_on", "gte")
    until = _date("Starting on or before", "start_on", "lte")

    class Meta:
        model = Incident
        fields: list[str] = []

    def filter_q(self, queryset: QuerySet, name: str, value: str) -> QuerySet:
        return queryset.filter(
            Q(title__icontains=value) | Q(place__icontains=value) | Q(region__icontains=value)
        )


class IncidentClaimFilter(PageClaimFilter):
    """The timeline's filters for the claims an incident is about, less those that name the
    incident itself or only sort claims (status, language); the dates are the claims' own,
    named apart from the incident's start dates."""

    actor = incident = status = language = since = until = None  # type: ignore[assignment]
    made_since = django_filters.DateFilter(
        label="Claims made on or after",
        method="filter_since",
        widget=DateInput(attrs={"type": "date"}),
    )
    made_until = django_filters.DateFilter(
        label="Claims made on or before",
        method="filter_until",
        widget=DateInput(attrs={"type": "date"}),
    )

    NAMED = ("speaker", "accused")  # type: ignore[assignment]  # fewer names than the base's

    def is_narrowing(self) -> bool:
        """True when a valid claim filter is set: only incidents such claims are about match."""
        cleaned = self.form.cleaned_data if self.is_valid() else {}
        return any(cleaned.get(name) not in (None, "") for name in self.filters)


class ActorIndexFilter(django_filters.FilterSet):
    q = _text("Name or alias contains", "e.g. Helmets")
    kind = django_filters.ChoiceFilter(
        label="Kind of actor", choices=Actor.Kind.choices, empty_label="any kind"
    )
    country = _country()

    class Meta:
        model = Actor
        fields: list[str] = []

    def filter_q(self, queryset: ActorQuerySet, name: str, value: str) -> QuerySet:
        return queryset.matching(value)


class DocumentIndexFilter(django_filters.FilterSet):
    q = _text("Title contains", "e.g. Idlib")
    publisher = django_filters.CharFilter(
        label="Publisher (name, alias or short name)",
        method="filter_publisher",
        widget=TextInput(attrs={"placeholder": "e.g. Reuters"}),
    )
    kind = django_filters.ChoiceFilter(
        label="Kind of document", choices=Document.Kind.choices, empty_label="any kind"
    )
    since = _date("Published on or after", "published_on", "gte")
    until = _date("Published on or before", "published_on", "lte")

    class Meta:
        model = Document
        fields: list[str] = []

    def filter_q(self, queryset: QuerySet, name: str, value: str) -> QuerySet:
        return queryset.filter(title__icontains=value)

    def filter_publisher(self, queryset: QuerySet, name: str, value: str) -> QuerySet:
        publishers = Actor.objects.matching(value) | Actor.objects.filter(slug=value.strip())
        return queryset.filter(publisher__in=publishers.values("pk"))


def _index(
    request: HttpRequest,
    filter_class: type[django_filters.FilterSet],
    rows: QuerySet,
    order: tuple[str, ...],
    narrow: Callable[[QuerySet], QuerySet] = lambda rows: rows,
    undated: str | None = None,
) -> dict[str, Any]:
    """The filter form and the page of ``rows`` it and the address ask for. For the public,
    which rows are visible is a test over every row before the sort, so the page is kept per
    state of the record (as the timeline keeps its band), for these parameters and the
    statuses the reader's lists show. ``narrow`` is applied to the filtered rows when the page
    is built; ``undated`` names a first key of ``order`` that may be empty (register_page)."""
    filters = filter_class(request.GET, queryset=rows, request=request)
    shown = sorted(listed_statuses(request.user))
    key = f"index|{filter_class.__name__}|{shown}|{sorted(request.GET.items())}"
    state = request.record_head[1]  # type: ignore[attr-defined]  # kept by current_version
    page = bands.kept(
        key, lambda: register_page(narrow(filters.qs), request.GET, order, undated=undated), state
    )
    return {"filters": filters, "page": page}


def get_incidents_for_user(request: HttpRequest) -> dict[str, Any]:
    """The incidents' index: its own filters and the claim filters, a page of rows and the map
    of every incident they match, each kept per state of the record (the map for every page of
    the same filters)."""
    user: User = request.user
    shown = Claim.objects.filter(status__in=listed_statuses(user))
    about = IncidentClaimFilter(request.GET, queryset=shown, request=request)
    rows = incidents_visible_to(user)

    def matching(incidents: QuerySet[Incident]) -> QuerySet[Incident]:
        if not about.is_valid():
            # As on the timeline: a filter it cannot read lists nothing.
            return incidents.none().annotate(claim_count=Value(0))
        claims = about.qs.filter(incident=OuterRef("pk"))
        if about.is_narrowing():
            incidents = incidents.filter(Exists(claims))
        # Served by claim_incident_date_idx, from the index alone when no claim filter is set.
        return incidents.annotate(claim_count=_count(claims, "incident"))

    # Newest first; incidents without a start date after the oldest dated one, newest entered
    # first. Each page walks incident_start_idx (and the primary key for the undated), so the
    # visibility test runs for the rows of the page, not for every incident before a sort.
    order = ("-start_on", "-id")
    context = _index(request, IncidentIndexFilter, rows, order, matching, undated="start_on")
    filters, state = context["filters"], request.record_head[1]  # type: ignore[attr-defined]
    unpaged = sorted((k, v) for k, v in request.GET.items() if k not in PAGING_PARAMS)
    key = f"incident-map|{sorted(listed_statuses(user))}|{unpaged}"
    context["map"] = bands.kept(key, lambda: index_map(matching(filters.qs)), state)
    context["about"] = about
    context["is_filtered"] = _filtered(filters) or about.form.has_changed()
    return context


def get_actors_for_user(request: HttpRequest) -> dict[str, Any]:
    user: User = request.user
    shown = listed_statuses(user)
    made = Claim.objects.filter(speaker=OuterRef("pk"), status__in=shown)
    accusing = ClaimTarget.objects.filter(
        actor=OuterRef("pk"), role=ClaimTarget.Role.ACCUSED, claim__status__in=shown
    )
    rows = actors_visible_to(user).annotate(
        name_key=Lower("name"),  # in the order of actor_name_lower_idx
        made_count=_count(made, "speaker"),  # claim_speaker_date_idx
        accused_count=_count(accusing, "actor"),  # claim_target_actor_idx
    )
    return _index(request, ActorIndexFilter, rows, ("name_key", "id"))


def get_documents_for_user(request: HttpRequest) -> dict[str, Any]:
    user: User = request.user
    shown = listed_statuses(user)
    # A claim cites a document once whatever the number of its hops that name it.
    citing = Attribution.objects.filter(document=OuterRef("pk"), claim__status__in=shown)
    counted = citing.order_by().values("document").annotate(n=Count("claim", distinct=True))
    rows = (
        documents_visible_to(user)
        .select_related("publisher")
        .annotate(
            # attribution_document_idx
            citing_claims=Coalesce(
                Subquery(counted.values("n"), output_field=IntegerField()), Value(0)
            ),
        )
    )
    # Newest first, then by title, in the order of document_list_order_idx, which each page
    # walks; documents without a publication date come after the oldest dated one, by title.
    order = ("-published_on", "title", "id")
    return _index(request, DocumentIndexFilter, rows, order, undated="published_on")


def _without_empty_values(request: HttpRequest) -> HttpResponse | None:
    """The filter forms submit every field; the empty ones are dropped so addresses stay short."""
    params: QueryDict = request.GET
    if not any(not value for value in params.values()):
        return None
    kept = urlencode([(k, v) for k, v in params.items() if v])
    return redirect(f"{request.path}?{kept}" if kept else request.path)


def _filtered(filters: django_filters.FilterSet) -> bool:
    return filters.form.has_changed()


def _index_page(
    request: HttpRequest, build: Callable[[HttpRequest], dict[str, Any]], template: str
) -> HttpResponse:
    """One index page: empty filters dropped from the address, then the rows ``build`` finds."""
    if moved := _without_empty_values(request):
        return moved
    context = build(request)
    context.setdefault("is_filtered", _filtered(context["filters"]))
    return render(request, template, context)


@revalidated_list
def incident_list(request: HttpRequest) -> HttpResponse:
    return _index_page(request, get_incidents_for_user, "claims/incident_list.html")


@revalidated_list
def actor_list(request: HttpRequest) -> HttpResponse:
    return _index_page(request, get_actors_for_user, "sources/actor_list.html")


@revalidated_list
def document_list(request: HttpRequest) -> HttpResponse:
    return _index_page(request, get_documents_for_user, "sources/document_list.html")
