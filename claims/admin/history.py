"""The admin's History page for every recorded model: the hash-chained change records as diffs."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from django.contrib import admin
from django.contrib.admin.utils import unquote
from django.contrib.auth import get_user_model
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.template.response import TemplateResponse

from claims.ledger.history import history_of

if TYPE_CHECKING:
    # What the mixin is mixed into, for the checker only: at run time it stays a plain class.
    _ModelAdmin = admin.ModelAdmin[Any]
else:
    _ModelAdmin = object


class RecordHistoryMixin(_ModelAdmin):
    """Replace Django's LogEntry history, which misses bulk and API changes, with ours."""

    def history_view(
        self, request: HttpRequest, object_id: str, extra_context: dict | None = None
    ) -> HttpResponse:
        obj = self.get_object(request, unquote(object_id))
        if obj is None:
            # Django's own answer for a missing row (its history_view's); the stubs omit it.
            return self._get_obj_does_not_exist_redirect(request, self.opts, object_id)  # type: ignore[attr-defined]
        if not self.has_view_or_change_permission(request, obj):
            raise PermissionDenied
        records = list(history_of(obj))
        # One query for every user named in the history, not one per change.
        user_ids = {r.user_id for r in records if r.user_id}
        users = {str(u.pk): u for u in get_user_model().objects.filter(pk__in=user_ids)}
        rows = [
            {"record": r, "user": users.get(r.user_id), "changes": r.changes()} for r in records
        ]
        context = {
            **self.admin_site.each_context(request),
            "title": f"History: {obj}",
            "subtitle": None,
            "object": obj,
            "opts": self.opts,
            "rows": rows,
            **(extra_context or {}),
        }
        return TemplateResponse(request, "admin/record_history.html", context)


class HistoryModelAdmin(RecordHistoryMixin, admin.ModelAdmin):
    pass
