"""The editors' admin site: django.contrib.admin whose pickers (autocomplete fields) label each
result by its model admin's ``picker_label`` (claims.admin.pickers).

Outside the layers, like apps.py: INSTALLED_APPS names its AdminConfig, which Django imports
before any model, so nothing here imports the record.
"""

from __future__ import annotations

from typing import Any, cast

from django.contrib import admin
from django.contrib.admin.apps import AdminConfig
from django.contrib.admin.views.autocomplete import AutocompleteJsonView
from django.db.models import Model, QuerySet
from django.http import HttpRequest, HttpResponse


class PickerView(AutocompleteJsonView):
    """Autocomplete results labelled by the model admin's ``picker_label(obj)`` where it has
    one, with the rows it names loaded by ``picker_select_related`` (one query per page)."""

    def get_queryset(self) -> QuerySet:
        queryset = super().get_queryset()
        related = getattr(self.model_admin, "picker_select_related", ())
        return queryset.select_related(*related) if related else queryset

    def serialize_result(self, obj: Model, to_field_name: str) -> dict[str, Any]:
        result = super().serialize_result(obj, to_field_name)
        label = getattr(self.model_admin, "picker_label", None)
        if label is not None:
            result["text"] = label(obj)
        return result


class EditorsSite(admin.AdminSite):
    """The admin site, whose autocomplete answers with ``PickerView``; its titles are set in
    claimtracker/urls.py."""

    def autocomplete_view(self, request: HttpRequest) -> HttpResponse:
        # The view answers JSON, an HttpResponse; as_view() is typed for any response.
        return cast(HttpResponse, PickerView.as_view(admin_site=self)(request))


class EditorsAdminConfig(AdminConfig):
    """django.contrib.admin with the editors' site as ``admin.site`` (INSTALLED_APPS)."""

    default_site = "claims.admin_site.EditorsSite"
