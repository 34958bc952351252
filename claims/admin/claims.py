"""Admin for editors: one claim page holds the whole statement, with its answers and evidence.

Every save goes through the write path: the claim page through ``save_statement`` with all its
parts at once, the other pages through their own service (claims.admin.record).
"""

from __future__ import annotations

from typing import Any, cast

from django import forms
from django.contrib import admin, messages
from django.contrib.admin import helpers
from django.contrib.admin.widgets import RelatedFieldWidgetWrapper
from django.db import models
from django.db.models import QuerySet
from django.http import HttpRequest
from django.template.response import TemplateResponse

from claims.admin.pickers import claim_label
from claims.admin.record import (
    Parts,
    RecordAdmin,
    RecordForm,
    RecordInline,
    SharedRowAdmin,
    _InlineBase,
    changed_values,
)
from claims.models import (
    Assessment,
    Attribution,
    CasualtyFigure,
    Claim,
    ClaimQuerySet,
    ClaimTarget,
    Evidence,
    Incident,
    Response,
    Standing,
)
from claims.reading.originators import independent_originator_count
from claims.record.assessments import save_assessment
from claims.record.claims import publish_claim, save_statement
from claims.record.errors import RecordInvalid, Refused, StaleVersion
from claims.record.evidence import save_evidence
from claims.record.incidents import save_incident
from claims.record.publishing import preview_publication
from claims.record.responses import save_response
from claims.record.workflow import PUBLISH, may, may_move

# A URL typed without a scheme is taken as https (Django 6's default, chosen now).
HTTPS_URLS: dict[type[models.Field], dict[str, Any]] = {models.URLField: {"assume_scheme": "https"}}


class ClaimAdminForm(RecordForm):
    """Carries the version the editor read, so a save over someone else's change is refused."""

    read_version = forms.IntegerField(widget=forms.HiddenInput, required=False)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if self.instance.pk:
            self.fields["read_version"].initial = self.instance.version
            self.fields["read_version"].required = True


@admin.register(Incident)
class IncidentAdmin(SharedRowAdmin[Incident]):
    list_display = ["title", "place", "region", "country", "start_on", "start_precision"]
    list_filter = ["country", "start_precision"]
    search_fields = ["title", "place", "region", "description"]
    prepopulated_fields = {"slug": ["title"]}
    date_hierarchy = "start_on"
    fieldsets = [
        (None, {"fields": ["title", "slug", "description"]}),
        (
            "Place",
            {
                "fields": [
                    "place",
                    "region",
                    "country",
                    ("latitude", "longitude", "location_precision"),
                ]
            },
        ),
        (
            "The same event elsewhere",
            {
                "fields": [("acled_id", "ucdp_id", "wikidata_id")],
                "description": "Its id in ACLED, UCDP GED and Wikidata, where they hold it.",
            },
        ),
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

    def write(
        self, request: HttpRequest, obj: Incident, form: forms.ModelForm, parts: Parts, change: bool
    ) -> Incident:
        return save_incident(by=request.user, values=changed_values(form), incident=obj)


class ClaimTargetInline(RecordInline, admin.TabularInline):
    model = ClaimTarget
    part = "targets"
    extra = 1
    autocomplete_fields = ["actor"]
    verbose_name = "actor accused or spoken about"
    verbose_name_plural = "actors accused or spoken about"


class CasualtyFigureInline(RecordInline, admin.StackedInline):
    """Stacked, a figure to a few lines: as a table its eight fields ran 1,840 px wide, and a
    message at the narrow low or high cell wrapped one word a line."""

    model = CasualtyFigure
    part = "figures"
    extra = 1
    autocomplete_fields = ["reported_by"]
    fields = [
        ("category", "outcome"),
        ("qualifier", "low", "high"),
        ("as_stated", "basis"),
        "reported_by",
    ]


class CompactRowsMixin(_InlineBase):
    """A table row's pickers keep their add button only: the change and view buttons of each
    took the width that pushed the row's Delete box off a laptop's screen."""

    def formfield_for_dbfield(
        self, db_field: models.Field, request: HttpRequest, **kwargs: Any
    ) -> forms.Field | None:
        field = super().formfield_for_dbfield(db_field, request, **kwargs)
        widget = getattr(field, "widget", None)
        if isinstance(widget, RelatedFieldWidgetWrapper):
            widget.can_change_related = widget.can_view_related = False
        return field


class AttributionInline(CompactRowsMixin, RecordInline, admin.TabularInline):
    model = Attribution
    part = "attribution_chain"
    extra = 1
    autocomplete_fields = ["actor", "document"]
    ordering = ["position"]
    verbose_name = "hop of the attribution chain"
    verbose_name_plural = "attribution chain (1 = nearest the speaker; last = the document read)"
    formfield_overrides = {models.TextField: {"widget": forms.Textarea(attrs={"rows": 2})}}


class ResponseMadeInline(CompactRowsMixin, RecordInline, admin.TabularInline):
    model = Response
    part = "answers"
    fk_name = "claim"
    extra = 1
    autocomplete_fields = ["answers"]
    verbose_name = "claim this statement answers"
    formfield_overrides = {models.TextField: {"widget": forms.Textarea(attrs={"rows": 2})}}
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


class EvidenceRowForm(forms.ModelForm):
    """A row not saved yet has no current address: its URL box is a plain one (the admin's own
    says "Currently: <url>" of whatever was typed, when a refused page is shown again)."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if self.instance.pk is None and "url" in self.fields:
            self.fields["url"].widget = forms.URLInput(attrs={"class": "vURLField"})


class EvidenceInline(RecordInline, admin.StackedInline):
    model = Evidence
    form = EvidenceRowForm
    part = "evidence"
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
            # The page's queryset carries the annotation (ClaimAdmin.get_queryset); the plugin
            # cannot know it.
            return queryset.filter(annotated_standing=self.value())  # type: ignore[misc]
        return queryset


@admin.register(Claim)
class ClaimAdmin(RecordAdmin[Claim]):
    form = ClaimAdminForm
    actions = ["publish_selected"]
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
        ("Editorial", {"fields": ["status", "withdrawal_reason", "read_version"]}),
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

    picker_select_related = ["speaker", "incident"]

    def picker_label(self, claim: Claim) -> str:
        return claim_label(claim)

    def get_inlines(self, request: HttpRequest, obj: Claim | None) -> list:
        # A claim being added has no answers yet: no empty section for them.
        if obj is None:
            return [i for i in self.inlines if i is not ResponseReceivedInline]
        return list(self.inlines)

    def get_queryset(self, request: HttpRequest) -> QuerySet[Claim]:
        # The admin's queryset comes from Claim.objects, a ClaimQuerySet.
        return cast(ClaimQuerySet, super().get_queryset(request)).with_standing()

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

    # --- what the workflow lets this user do (claims.record.workflow decides; the page asks) ---

    def has_publish_permission(self, request: HttpRequest) -> bool:
        return may(request.user, PUBLISH)

    def has_change_permission(self, request: HttpRequest, obj: Claim | None = None) -> bool:
        if not super().has_change_permission(request, obj):
            return False
        return obj is None or may_move(request.user, obj.status, obj.status)

    def get_readonly_fields(self, request: HttpRequest, obj: Claim | None = None) -> list[str]:
        fields = list(super().get_readonly_fields(request, obj))
        if not self.has_publish_permission(request):
            fields += ["status", "withdrawal_reason"]
        return fields

    @admin.action(description="Publish the selected drafts", permissions=["publish"])
    def publish_selected(
        self, request: HttpRequest, queryset: QuerySet[Claim]
    ) -> TemplateResponse | None:
        """First a page saying what would go public (claims.record.publishing); publishing
        only once the reviewer confirms it there."""
        drafts = list(queryset.filter(status=Claim.Status.DRAFT).select_related("speaker"))
        if request.POST.get("confirmed") != "yes":
            preview = preview_publication(by=request.user, claims=drafts)
            context = {
                **self.admin_site.each_context(request),
                "title": "Publish these drafts?",
                "opts": self.model._meta,
                "preview": preview,
                "selected": [claim.pk for claim in drafts],
                "action_checkbox_name": helpers.ACTION_CHECKBOX_NAME,
                "skipped": queryset.exclude(status=Claim.Status.DRAFT).count(),
            }
            return TemplateResponse(
                request, "admin/claims/claim/publish_confirmation.html", context
            )
        published, refused = 0, []
        for claim in drafts:
            try:
                publish_claim(by=request.user, claim=claim)
                published += 1
            except (RecordInvalid, Refused, StaleVersion) as error:
                refused.append(f"{claim}: {error}")
        self.message_user(request, f"Published {published} draft(s).", messages.SUCCESS)
        for line in refused:
            self.message_user(request, f"Not published: {line}", messages.ERROR)
        return None

    def write(
        self, request: HttpRequest, obj: Claim, form: forms.ModelForm, parts: Parts, change: bool
    ) -> Claim:
        return save_statement(
            by=request.user,
            claim=obj,
            read_version=form.cleaned_data.get("read_version") if change else None,
            targets=parts.get("targets"),
            figures=parts.get("figures"),
            chain=parts.get("attribution_chain"),
            evidence=parts.get("evidence"),
            answers=parts.get("answers"),
        )


@admin.register(Response)
class ResponseAdmin(RecordAdmin[Response]):
    list_display = ["__str__", "kind"]
    list_filter = ["kind"]
    list_select_related = ["claim__speaker", "answers__speaker"]
    search_fields = ["claim__summary", "answers__summary", "claim__speaker__name"]
    autocomplete_fields = ["claim", "answers"]

    def write(
        self, request: HttpRequest, obj: Response, form: forms.ModelForm, parts: Parts, change: bool
    ) -> Response:
        return save_response(by=request.user, values=changed_values(form), response=obj)


@admin.register(Evidence)
class EvidenceAdmin(RecordAdmin[Evidence]):
    list_display = ["__str__", "relation", "availability", "archive_status"]
    list_filter = ["kind", "relation", "availability", "archive_status"]
    search_fields = ["description", "url", "claim__summary"]
    autocomplete_fields = ["claim"]
    formfield_overrides = HTTPS_URLS
    readonly_fields = ["archive_status", "archive_sha256", "archived_at"]

    def write(
        self, request: HttpRequest, obj: Evidence, form: forms.ModelForm, parts: Parts, change: bool
    ) -> Evidence:
        return save_evidence(by=request.user, values=changed_values(form), evidence=obj)


@admin.register(Assessment)
class AssessmentAdmin(RecordAdmin[Assessment]):
    list_display = ["claim", "rating", "confidence", "analyst", "created_at"]
    list_filter = ["rating"]
    list_select_related = ["claim__speaker", "analyst"]
    search_fields = ["claim__summary", "rationale"]
    autocomplete_fields = ["claim"]
    readonly_fields = ["analyst", "created_at"]

    def write(
        self,
        request: HttpRequest,
        obj: Assessment,
        form: forms.ModelForm,
        parts: Parts,
        change: bool,
    ) -> Assessment:
        return save_assessment(by=request.user, values=changed_values(form), assessment=obj)
