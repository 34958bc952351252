"""Admin for the periodic archive checks: each run's counts, and where every archive stands now."""

from __future__ import annotations

from django.contrib import admin
from django.db.models import Count
from django.http import HttpRequest, HttpResponse

from claims.jobs.archiving import archivable_models
from sources.models import ArchiveCheck, Document


def archive_counts() -> dict[str, int]:
    """How many documents and evidence items are in each archive status."""
    totals: dict[str, int] = dict.fromkeys(Document.ArchiveStatus.values, 0)
    for model in archivable_models():
        for row in model.objects.values("archive_status").annotate(n=Count("pk")):
            totals[row["archive_status"]] += row["n"]
    return totals


@admin.register(ArchiveCheck)
class ArchiveCheckAdmin(admin.ModelAdmin):
    list_display = ["job", "started_at", "finished_at", "checked", "intact", "mismatched"]
    list_display += ["missing", "queued"]
    list_filter = ["job"]
    readonly_fields = [f.name for f in ArchiveCheck._meta.fields]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False

    def changelist_view(
        self, request: HttpRequest, extra_context: dict | None = None
    ) -> HttpResponse:
        labels = dict(Document.ArchiveStatus.choices)
        counts = ", ".join(f"{labels[k]}: {n}" for k, n in archive_counts().items() if n)
        subtitle = f"Archives now — {counts or 'none yet'}"
        return super().changelist_view(request, {**(extra_context or {}), "subtitle": subtitle})
