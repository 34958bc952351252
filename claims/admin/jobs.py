"""Admin for background work: webhook subscriptions with their delivery log, the event outbox,
and dataset imports with a page whose progress bar follows the import."""

from __future__ import annotations

from typing import Any, cast

from django import forms
from django.contrib import admin, messages
from django.contrib.auth.models import User
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404, redirect
from django.template.response import TemplateResponse
from django.urls import path, reverse

from claims.exchange import files
from claims.exchange.jobs import start_import
from claims.models import (
    EventType,
    ImportJob,
    OutboxEvent,
    WebhookDelivery,
    WebhookSubscription,
)


class SubscriptionForm(forms.ModelForm):
    url = forms.URLField(label="target URL", max_length=2000, assume_scheme="https")
    events = forms.MultipleChoiceField(
        choices=EventType.choices, widget=forms.CheckboxSelectMultiple
    )

    class Meta:
        model = WebhookSubscription
        fields = ["name", "url", "secret", "events", "is_active"]


DELIVERY_LOG = ("event", "status", "attempts", "last_status_code", "last_error", "delivered_at")


class DeliveryLogInline(admin.TabularInline):
    """The subscription's delivery log: newest first, read-only."""

    model = WebhookDelivery
    extra = 0
    can_delete = False
    max_num = 0
    ordering = ["-created_at"]
    fields = DELIVERY_LOG
    readonly_fields = DELIVERY_LOG
    show_change_link = True
    verbose_name_plural = "delivery log"

    def get_queryset(self, request: HttpRequest) -> QuerySet[WebhookDelivery]:
        # The log shows each delivery's event; one query for them all, not one per row.
        return super().get_queryset(request).select_related("event")


@admin.register(WebhookSubscription)
class WebhookSubscriptionAdmin(admin.ModelAdmin):
    form = SubscriptionForm
    list_display = ["name", "url", "events_display", "is_active", "created_at"]
    list_filter = ["is_active"]
    search_fields = ["name", "url"]
    inlines = [DeliveryLogInline]

    @admin.display(description="events")
    def events_display(self, subscription: WebhookSubscription) -> str:
        return ", ".join(subscription.events)

    def save_model(
        self, request: HttpRequest, obj: WebhookSubscription, form: forms.ModelForm, change: bool
    ) -> None:
        if not change:
            obj.created_by = cast(User, request.user)  # the admin lets only signed-in staff in
        super().save_model(request, obj, form, change)


@admin.register(WebhookDelivery)
class WebhookDeliveryAdmin(admin.ModelAdmin):
    list_display = ["event", "subscription", "status", "attempts", "last_status_code"]
    list_display += ["last_attempt_at", "delivered_at"]
    list_filter = ["status", "subscription"]
    list_select_related = ["event", "subscription"]
    readonly_fields = [f.name for f in WebhookDelivery._meta.fields]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False


@admin.register(OutboxEvent)
class OutboxEventAdmin(admin.ModelAdmin):
    list_display = ["uid", "event_type", "created_at"]
    list_filter = ["event_type"]
    readonly_fields = ["uid", "event_type", "payload", "created_at"]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False


class ImportUploadForm(forms.Form):
    file = forms.FileField(
        help_text="A dataset as JSON Lines (.jsonl) or CSV (.csv) in UTF-8, or a zipped data "
        "package (.zip)."
    )

    def clean_file(self) -> Any:
        """Too large, empty or not UTF-8 is said at the field, before any job is made."""
        upload = self.cleaned_data["file"]
        try:
            files.check_size(upload.size)
            files.check_readable(upload.read())
        except files.UnreadableFile as refusal:
            raise forms.ValidationError(refusal.message[:1].upper() + refusal.message[1:]) from None
        finally:
            upload.seek(0)
        return upload


@admin.register(ImportJob)
class ImportJobAdmin(admin.ModelAdmin):
    list_display = ["__str__", "status", "total_rows", "created_by", "created_at", "finished_at"]
    list_filter = ["status"]
    list_select_related = ["created_by"]
    readonly_fields = [f.name for f in ImportJob._meta.fields]

    def get_urls(self) -> list:
        own = [
            path(
                "upload/", self.admin_site.admin_view(self.upload_view), name="claims_import_upload"
            ),
            path(
                "<int:pk>/progress/",
                self.admin_site.admin_view(self.progress_view),
                name="claims_import_progress",
            ),
            path(
                "<int:pk>/status/",
                self.admin_site.admin_view(self.status_view),
                name="claims_import_status",
            ),
        ]
        return own + super().get_urls()

    def add_view(
        self, request: HttpRequest, form_url: str = "", extra_context: dict[str, Any] | None = None
    ) -> HttpResponse:
        return redirect("admin:claims_import_upload")

    def upload_view(self, request: HttpRequest) -> HttpResponse:
        if not self.has_add_permission(request):
            return HttpResponse(status=403)
        form = ImportUploadForm(request.POST or None, request.FILES or None)
        if request.method == "POST" and form.is_valid():
            job = start_import(upload=form.cleaned_data["file"], user=request.user)
            messages.info(
                request, "The file is being checked; nothing is written unless every row is valid."
            )
            return redirect("admin:claims_import_progress", pk=job.pk)
        context = {**self.admin_site.each_context(request), "form": form, "opts": self.model._meta}
        context["title"] = "Import a dataset"
        return TemplateResponse(request, "admin/claims/importjob/upload.html", context)

    def progress_view(self, request: HttpRequest, pk: int) -> HttpResponse:
        job = get_object_or_404(ImportJob, pk=pk)
        context = {**self.admin_site.each_context(request), "job": job, "opts": self.model._meta}
        context["title"] = str(job)
        context["status_url"] = reverse("admin:claims_import_status", args=[job.pk])
        return TemplateResponse(request, "admin/claims/importjob/progress.html", context)

    def status_view(self, request: HttpRequest, pk: int) -> JsonResponse:
        return JsonResponse(job_status(get_object_or_404(ImportJob, pk=pk)))


def job_status(job: ImportJob) -> dict:
    """What the progress page and the API show of an import."""
    return {
        "id": job.pk,
        "file": job.original_name,
        "status": job.status,
        "status_display": job.get_status_display(),
        "finished": job.is_finished,
        "percent": job.percent,
        "total_rows": job.total_rows,
        "processed_rows": job.processed_rows,
        "errors": job.errors,
        "message": job.message,
        "created": job.created,
    }
