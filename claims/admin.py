"""Admin for editors: one claim page holds the whole statement, with its answers and evidence."""

from __future__ import annotations

from django.contrib import admin
from django.db import models
from django.db.models import QuerySet
from django.http import HttpRequest

from claims import webhooks
from claims.models import (
    Assessment,
    Attribution,
    CasualtyFigure,
    Claim,
    ClaimTarget,
    Evidence,
    Incident,
    Response,
    Standing,
)
from claims.quotes import request_quote_check
from claims.services import independent_originator_count
from sources import archiving


@admin.register(Incident)
class IncidentAdmin(admin.ModelAdmin):
    list_display = ["title", "place", "region", "country", "start_on", "start_precision"]
    list_filter = ["country", "start_precision"]
    search_fields = ["title", "place", "region", "description"]
    prepopulated_fields = {"slug": ["title"]}
    date_hierarchy = "start_on"
    fieldsets = [
        (None, {"fields": ["title", "slug", "description"]}),
        ("Place", {"fields": ["place", "region", "country", ("latitude", "longitude")]}),
        (
            "Dates",
            {
                "fields": [
                    ("start_on", "start_precision", "start_as_stated"),
                    ("end_on", "end_precision", "end_as_stated"),
                ],
                "description": "A week or month precision date is stored as the period's first "
                "day; put the words of the source in 'as stated'.",
            },
        ),
    ]


class ClaimTargetInline(admin.TabularInline):
    model = ClaimTarget
    extra = 1
    autocomplete_fields = ["actor"]
    verbose_name = "actor accused or spoken about"
    verbose_name_plural = "actors accused or spoken about"


class CasualtyFigureInline(admin.TabularInline):
    model = CasualtyFigure
    extra = 1
    autocomplete_fields = ["reported_by"]
    fields = [
        "category",
        "outcome",
        "qualifier",
        "low",
        "high",
        "as_stated",
        "basis",
        "reported_by",
    ]


class AttributionInline(admin.TabularInline):
    model = Attribution
    extra = 1
    autocomplete_fields = ["actor", "document"]
    ordering = ["position"]
    verbose_name = "hop of the attribution chain"
    verbose_name_plural = "attribution chain (1 = nearest the speaker; last = the document read)"


class ResponseMadeInline(admin.TabularInline):
    model = Response
    fk_name = "claim"
    extra = 1
    autocomplete_fields = ["answers"]
    verbose_name = "claim this statement answers"
    verbose_name_plural = "claims this statement answers"


class ResponseReceivedInline(admin.TabularInline):
    """Read-only: answers are entered on the answering claim's own page."""

    model = Response
    fk_name = "answers"
    extra = 0
    fields = ["claim", "kind"]
    readonly_fields = ["claim", "kind"]
    can_delete = False
    show_change_link = True
    verbose_name = "answer to this claim"
    verbose_name_plural = "answers to this claim"

    def has_add_permission(self, request: HttpRequest, obj: Claim | None = None) -> bool:
        return False


# A URL typed without a scheme is taken as https (Django 6's default, chosen now).
HTTPS_URLS = {models.URLField: {"assume_scheme": "https"}}


class EvidenceInline(admin.StackedInline):
    model = Evidence
    extra = 0
    formfield_overrides = HTTPS_URLS
    fields = [
        ("relation", "kind", "availability"),
        "description",
        "url",
        ("archive_status", "archive_sha256", "archived_at"),
    ]
    readonly_fields = ["archive_status", "archive_sha256", "archived_at"]


class StandingFilter(admin.SimpleListFilter):
    title = "standing"
    parameter_name = "standing"

    def lookups(self, request: HttpRequest, model_admin: admin.ModelAdmin) -> list:
        return list(Standing.choices)

    def queryset(self, request: HttpRequest, queryset: QuerySet[Claim]) -> QuerySet[Claim]:
        if self.value():
            return queryset.filter(annotated_standing=self.value())
        return queryset


@admin.register(Claim)
class ClaimAdmin(admin.ModelAdmin):
    list_display = ["summary_short", "speaker", "kind", "made_on", "status", "standing_display"]
    list_filter = [
        "kind",
        "status",
        StandingFilter,
        "quote_check",
        ("speaker", admin.RelatedOnlyFieldListFilter),
        ("incident", admin.RelatedOnlyFieldListFilter),
        "made_on",
    ]
    list_select_related = ["speaker", "incident"]
    search_fields = [
        "summary",
        "quote",
        "translation",
        "speaker__name",
        "speaker__aliases__name",
        "incident__title",
    ]
    date_hierarchy = "made_on"
    autocomplete_fields = ["speaker", "spokesperson", "incident"]
    readonly_fields = [
        "quote_check",
        "standing_display",
        "originators_display",
        "created_by",
        "created_at",
        "updated_at",
    ]
    fieldsets = [
        ("Who", {"fields": ["speaker", "spokesperson"]}),
        ("What", {"fields": ["kind", "summary", "incident"]}),
        ("Words", {"fields": ["quote", "quote_language", "translation", "quote_check"]}),
        (
            "When",
            {
                "fields": [("made_on", "made_precision", "made_as_stated")],
                "description": 'For "last week", give a day in that week, precision "week", '
                "and the words as stated.",
            },
        ),
        ("Editorial", {"fields": ["status", "withdrawal_reason"]}),
        (
            "Derived (not editable)",
            {
                "fields": [
                    "standing_display",
                    "originators_display",
                    "created_by",
                    "created_at",
                    "updated_at",
                ]
            },
        ),
    ]
    inlines = [
        ClaimTargetInline,
        CasualtyFigureInline,
        AttributionInline,
        ResponseMadeInline,
        ResponseReceivedInline,
        EvidenceInline,
    ]

    def get_queryset(self, request: HttpRequest) -> QuerySet[Claim]:
        return super().get_queryset(request).with_standing()

    @admin.display(description="summary", ordering="summary")
    def summary_short(self, claim: Claim) -> str:
        return claim.summary if len(claim.summary) <= 90 else claim.summary[:89] + "…"

    @admin.display(description="standing", ordering="annotated_standing")
    def standing_display(self, claim: Claim) -> str:
        if claim.pk is None:
            return "— (derived from the answers once saved)"
        return claim.standing_label

    @admin.display(description="independent originators")
    def originators_display(self, claim: Claim) -> str:
        if claim.pk is None:
            return "—"
        return str(independent_originator_count(claim))

    def save_model(self, request: HttpRequest, obj: Claim, form: object, change: bool) -> None:
        if not change:
            obj.created_by = request.user
        # What the claim was before this save, for the webhook events save_related records.
        obj._before_save = webhooks.snapshot(obj if change else None)
        super().save_model(request, obj, form, change)

    def save_formset(self, request: HttpRequest, form, formset, change: bool) -> None:
        super().save_formset(request, form, formset, change)
        if formset.model is Evidence:
            changed = [obj for obj, fields in formset.changed_objects if "url" in fields]
            for evidence in [*formset.new_objects, *changed]:
                archiving.request_archive(item=evidence)

    def save_related(self, request: HttpRequest, form, formsets, change: bool) -> None:
        super().save_related(request, form, formsets, change)
        claim = form.instance
        webhooks.record_claim_changes(claim=claim, **claim._before_save)
        request_quote_check(claim=claim)


@admin.register(Response)
class ResponseAdmin(admin.ModelAdmin):
    list_display = ["__str__", "kind"]
    list_filter = ["kind"]
    list_select_related = ["claim__speaker", "answers__speaker"]
    search_fields = ["claim__summary", "answers__summary", "claim__speaker__name"]
    autocomplete_fields = ["claim", "answers"]


@admin.register(Evidence)
class EvidenceAdmin(admin.ModelAdmin):
    list_display = ["__str__", "relation", "availability", "archive_status"]
    list_filter = ["kind", "relation", "availability", "archive_status"]
    search_fields = ["description", "url", "claim__summary"]
    autocomplete_fields = ["claim"]
    formfield_overrides = HTTPS_URLS
    readonly_fields = ["archive_status", "archive_sha256", "archived_at"]

    def save_model(self, request: HttpRequest, obj: Evidence, form, change: bool) -> None:
        super().save_model(request, obj, form, change)
        if not change or "url" in form.changed_data:
            archiving.request_archive(item=obj)


@admin.register(Assessment)
class AssessmentAdmin(admin.ModelAdmin):
    list_display = ["claim", "rating", "confidence", "analyst", "created_at"]
    list_filter = ["rating"]
    list_select_related = ["claim__speaker", "analyst"]
    search_fields = ["claim__summary", "rationale"]
    autocomplete_fields = ["claim"]
    readonly_fields = ["analyst", "created_at"]

    def save_model(self, request: HttpRequest, obj: Assessment, form: object, change: bool) -> None:
        if not change:
            obj.analyst = request.user
        super().save_model(request, obj, form, change)


from claims import admin_jobs  # noqa: E402,F401
