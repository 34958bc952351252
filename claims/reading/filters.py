"""The one set of claim filters, shared by the timeline page and the API lists.

Filters take slugs (``?speaker=white-helmets``) so a filtered view can be shared as a URL, or
ids (``?speaker=12``), as API reads show both and API writes take both (claims.api.references). A
filter that names a row takes only the rows the reader may see (claims.reading.visibility), so
naming one only drafts use answers exactly as naming one that does not exist. The date range
counts a loose date by its whole period: a claim made "in the week of 18 September" overlaps
``?since=2017-09-20`` although its stored date is the Monday before.
"""

from __future__ import annotations

import datetime as dt

import django_filters
from django.core.exceptions import ValidationError
from django.core.validators import slug_unicode_re
from django.db.models import Exists, Model, OuterRef, Q, QuerySet
from django.forms import DateField, DateInput, ModelChoiceField
from django.http import HttpRequest

from claims.models import Claim, ClaimQuerySet, ClaimTarget, Incident, Standing
from claims.reading.visibility import actors_visible_to, incidents_visible_to, reader_of
from claimtracker.dates import Precision, period, read_date
from claimtracker.numbers import plain_id
from sources.models import Actor


# django-filter takes a callable of the request for a choice's queryset; the stubs know only a
# queryset, so the filters below that pass one say so.
def visible_actors(request: HttpRequest | None) -> QuerySet[Actor]:
    return actors_visible_to(reader_of(request)).order_by("name")


def visible_incidents(request: HttpRequest | None) -> QuerySet[Incident]:
    return incidents_visible_to(reader_of(request)).order_by("title")


def _accusing(actor: Actor) -> Exists:
    """True for claims that name ``actor`` as accused (Exists, so no duplicate rows)."""
    return Exists(
        ClaimTarget.objects.filter(claim=OuterRef("pk"), actor=actor, role=ClaimTarget.Role.ACCUSED)
    )


def _period_overlaps(*, since: dt.date | None = None, until: dt.date | None = None) -> Q:
    """Claims whose loose date's period overlaps [since, until].

    A claim stored at ``made_on`` with precision *p* stands for ``period(made_on, p)``; that
    period ends on or after ``since`` exactly when ``made_on`` is on or after the start of the
    *p*-period holding ``since``, and starts on or before ``until`` exactly when ``made_on`` is
    on or before the end of the *p*-period holding ``until``. One OR per precision keeps it a
    plain indexed range on ``made_on``.
    """
    condition = Q()
    for precision in Precision.values:
        bounds = Q(made_precision=precision)
        if since is not None:
            bounds &= Q(made_on__gte=period(since, precision)[0])
        if until is not None:
            bounds &= Q(made_on__lte=period(until, precision)[1])
        condition |= bounds
    return condition


class IdOrSlugField(ModelChoiceField):
    """A row by its slug or, for digits that are no row's slug, by its id (the choices a form
    shows keep their slugs: ``to_field_name``)."""

    def to_python(self, value: object) -> Model | None:
        if value in self.empty_values:
            return None
        text = str(value)
        rows = self.queryset
        assert rows is not None  # django-filter sets it from the filter's callable
        # The slug first: a slug may be all digits ("1983"), and a page's links give slugs. A
        # value no slug could be (a NUL, spaces) is not looked up: PostgreSQL refuses a NUL.
        row = None
        if slug_unicode_re.fullmatch(text):
            pk = plain_id(text)
            row = rows.filter(slug=text).first() or (
                rows.filter(pk=pk).first() if pk is not None else None
            )
        if row is None:
            # Not echoing the value: a row the reader may not see answers as a missing one.
            raise ValidationError(
                f"No {rows.model._meta.verbose_name} that you can read has this slug or id.",
                code="invalid_choice",
            )
        return row


class IdOrSlugFilter(django_filters.ModelChoiceFilter):
    # The stubs type field_class as exactly ModelChoiceField; a subclass is what it takes.
    field_class = IdOrSlugField  # type: ignore[assignment]


class RecordDateField(DateField):
    """A date by the record's one rule (claimtracker.dates.read_date), so that an impossible
    date says why ("2015-02-30: February 2015 has 28 days") here as at every door."""

    def to_python(self, value: object) -> dt.date | None:
        if value in self.empty_values:
            return None
        return read_date(value)


class RecordDateFilter(django_filters.DateFilter):
    field_class = RecordDateField


class ClaimFilter(django_filters.FilterSet):
    """Filters for claim lists: who spoke, who is accused, about what, how it stands, when."""

    speaker = IdOrSlugFilter(
        label="Speaker",
        field_name="speaker",
        to_field_name="slug",
        queryset=visible_actors,  # type: ignore[arg-type]  # a callable: see visible_actors
        empty_label="any speaker",
    )
    accused = IdOrSlugFilter(
        label="Accused",
        to_field_name="slug",
        queryset=visible_actors,  # type: ignore[arg-type]  # a callable: see visible_actors
        method="filter_accused",
        empty_label="anyone accused",
    )
    actor = IdOrSlugFilter(
        label="Actor (as speaker or accused)",
        to_field_name="slug",
        queryset=visible_actors,  # type: ignore[arg-type]  # a callable: see visible_actors
        method="filter_actor",
        empty_label="any actor",
    )
    incident = IdOrSlugFilter(
        label="Incident",
        field_name="incident",
        to_field_name="slug",
        queryset=visible_incidents,  # type: ignore[arg-type]  # a callable: see visible_actors
        empty_label="any incident",
    )
    kind = django_filters.ChoiceFilter(
        label="Kind of claim", choices=Claim.Kind.choices, empty_label="any kind"
    )
    standing = django_filters.ChoiceFilter(
        label="Standing",
        choices=Standing.choices,
        method="filter_standing",
        empty_label="any standing",
    )
    status = django_filters.ChoiceFilter(
        label="Editorial status", choices=Claim.Status.choices, empty_label="any status"
    )
    language = django_filters.CharFilter(
        label="Quote language", field_name="quote_language", lookup_expr="iexact"
    )
    since = RecordDateFilter(
        label="Made on or after", method="filter_since", widget=DateInput(attrs={"type": "date"})
    )
    until = RecordDateFilter(
        label="Made on or before", method="filter_until", widget=DateInput(attrs={"type": "date"})
    )

    class Meta:
        model = Claim
        fields: list[str] = []

    def filter_accused(self, queryset: QuerySet[Claim], name: str, value: Actor) -> QuerySet:
        return queryset.filter(_accusing(value))

    def filter_actor(self, queryset: QuerySet[Claim], name: str, value: Actor) -> QuerySet:
        return queryset.filter(Q(speaker=value) | _accusing(value))

    def filter_standing(self, queryset: ClaimQuerySet, name: str, value: str) -> QuerySet:
        if "annotated_standing" not in queryset.query.annotations:
            queryset = queryset.with_standing()
        return queryset.filter(annotated_standing=value)

    def filter_since(self, queryset: QuerySet[Claim], name: str, value: dt.date) -> QuerySet:
        return queryset.filter(_period_overlaps(since=value))

    def filter_until(self, queryset: QuerySet[Claim], name: str, value: dt.date) -> QuerySet:
        return queryset.filter(_period_overlaps(until=value))
