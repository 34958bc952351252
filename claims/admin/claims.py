"""Admin for editors: one claim page holds the whole statement, with its answers and evidence."""

from __future__ import annotations

from django import forms
from django.contrib import admin, messages
from django.db import models
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect

from claims.admin.history import HistoryModelAdmin
from claims.jobs import archiving, webhooks
from claims.jobs.quotes import request_quote_check
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
from claims.reading.originators import independent_originator_count
from claims.record.claims import (
    ALLOWED_STATUS_MOVES,
    StaleVersion,
    changes_since,
    publish_claim,
    save_claim,
)


class ClaimAdminForm(forms.ModelForm):
    """Carries the version the editor read, so a save over someone else's change is refused."""

    read_version = forms.IntegerField(widget=forms.HiddenInput, required=False)

    def __init__(self, *args: object, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)
        if self.instance.pk:
            self.fields["read_version"].initial = self.instance.version
            self.fields["read_version"].required = True

    def clean(self) -> dict:
        cleaned = super().clean()
        if not self.instance.pk:
            return cleaned
        stored = Claim.objects.get(pk=self.instance.pk)
        read_version = cleaned.get("read_version")
        if read_version is not None and read_version != stored.version:
            raise forms.ValidationError(
                StaleVersion(stored, read_version, changes_since(stored, read_version)).message
            )
        status = cleaned.get("status", stored.status)
        if (stored.status, status) not in ALLOWED_STATUS_MOVES:
            self.add_error(
                "status", f"A {stored.get_status_display()} claim cannot go back to {status}."
            )
        return cleaned


@admin.register(Incident)
class IncidentAdmin(HistoryModelAdmin):
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
class ClaimAdmin(HistoryModelAdmin):
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

    # --- editorial workflow: editors write drafts, reviewers publish and withdraw ---

    def has_publish_permission(self, request: HttpRequest) -> bool:
        return request.user.has_perm("claims.publish_claim")

    def has_change_permission(self, request: HttpRequest, obj: Claim | None = None) -> bool:
        if not super().has_change_permission(request, obj):
            return False
        # Once published, a claim is changed only by those who answer for publishing it.
        if obj is None or obj.status == Claim.Status.DRAFT:
            return True
        return self.has_publish_permission(request)

    def get_readonly_fields(self, request: HttpRequest, obj: Claim | None = None) -> list[str]:
        fields = list(super().get_readonly_fields(request, obj))
        if not self.has_publish_permission(request):
            fields += ["status", "withdrawal_reason"]
        return fields

    @admin.action(description="Publish the selected drafts", permissions=["publish"])
    def publish_selected(self, request: HttpRequest, queryset: QuerySet[Claim]) -> None:
        drafts = list(queryset.filter(status=Claim.Status.DRAFT))
        for claim in drafts:
            publish_claim(claim=claim)
        self.message_user(request, f"Published {len(drafts)} draft(s).", messages.SUCCESS)

    def save_model(self, request: HttpRequest, obj: Claim, form: forms.Form, change: bool) -> None:
        # What the claim was before this save, for the webhook events save_related records.
        obj._before_save = webhooks.snapshot(obj if change else None)
        if not change:
            obj.created_by = request.user
            super().save_model(request, obj, form, change)
            return
        # The form checked the version already; this conditional write closes the race between
        # that check and now, raising StaleVersion if another save slipped in.
        read_version = form.cleaned_data.get("read_version") or obj.version
        save_claim(claim=obj, read_version=read_version)

    def changeform_view(
        self,
        request: HttpRequest,
        object_id: str | None = None,
        form_url: str = "",
        extra_context: dict | None = None,
    ) -> HttpResponse:
        try:
            return super().changeform_view(request, object_id, form_url, extra_context)
        except StaleVersion as stale:
            # Raised inside the admin's transaction, so nothing of this save was kept.
            self.message_user(request, stale.message, messages.ERROR)
            return HttpResponseRedirect(request.path)

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
class ResponseAdmin(HistoryModelAdmin):
    list_display = ["__str__", "kind"]
    list_filter = ["kind"]
    list_select_related = ["claim__speaker", "answers__speaker"]
    search_fields = ["claim__summary", "answers__summary", "claim__speaker__name"]
    autocomplete_fields = ["claim", "answers"]


@admin.register(Evidence)
class EvidenceAdmin(HistoryModelAdmin):
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
class AssessmentAdmin(HistoryModelAdmin):
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
