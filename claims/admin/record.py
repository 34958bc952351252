"""Admin pages whose saves go through the write path (claims.record).

Django's admin saves the page's row, then each inline formset, by itself. Here the row and the
inlines' rows are only collected, and ``write()`` hands them to the one service of the page. What
the service refuses comes back as messages at their fields: the page is rendered again from the
same POST, with the editor's input kept and the service's messages added to its forms.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, Generic, TypeVar, cast

from django import forms
from django.contrib import messages
from django.contrib.admin.options import InlineModelAdmin
from django.db import models
from django.db.models import QuerySet
from django.forms import BaseFormSet
from django.forms.models import BaseInlineFormSet
from django.http import HttpRequest, HttpResponse

from claims.admin.history import HistoryModelAdmin
from claims.record.errors import RecordInvalid, Refused, StaleVersion
from claims.record.removals import remove_row
from claims.record.shared import is_public
from claims.record.workflow import may_change_shared

Errors = dict[str, Any]
# The rows of each part of the page's row, by the part's name in the service (whose model the
# name says: "targets" are ClaimTargets, "aliases" Aliases, ...).
Parts = dict[str, list[Any]]
REFUSED = "Nothing was saved."
# The row a page writes.
_M = TypeVar("_M", bound=models.Model)

if TYPE_CHECKING:
    # What RecordInline is mixed into, for the checker only: at run time it stays a plain class.
    _InlineModelAdmin = InlineModelAdmin[Any, Any]
else:
    _InlineModelAdmin = object
# What inline mixins are typed against (claims.admin.claims).
_InlineBase = _InlineModelAdmin


def errors_of(error: RecordInvalid | Refused | StaleVersion) -> Errors:
    """The service's answer as field path -> messages."""
    if isinstance(error, RecordInvalid):
        return error.errors
    if isinstance(error, Refused):
        return {error.field or "non_field_errors": [error.message]}
    return {"non_field_errors": [error.message]}  # StaleVersion


def changed_values(form: forms.ModelForm) -> dict[str, Any]:
    """What the editor changed on the page's row: the form's changed fields that are the model's
    (the service writes only these, whatever else the row's copy holds)."""
    names = {f.name for f in form.instance._meta.fields}
    return {name: form.cleaned_data[name] for name in form.changed_data if name in names}


class RecordForm(forms.ModelForm):
    """Shows, on the second rendering, what the service refused, at the fields it names."""

    record_errors: Errors = {}

    def _post_clean(self) -> None:
        super()._post_clean()  # type: ignore[misc]  # Django's hook after cleaning; the stubs omit it
        for name, texts in self.record_errors.items():
            if isinstance(texts, dict):
                continue  # a part's errors: its inline shows them
            field = name if name in self.fields else None
            for text in texts:
                self.add_error(field, text)
        if self.record_errors and not self.errors:
            # Every message belongs to an inline; the page must still not save again.
            self.add_error(None, f"{REFUSED} See the messages below.")


class RecordInlineFormSet(BaseInlineFormSet):
    """An inline whose rows are one part of the record's row, shown with the service's errors."""

    part: str = ""  # set on the class by RecordInline.get_formset

    def __init__(self, *args: Any, record_errors: Errors | None = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.record_errors = record_errors or {}

    def kept_forms(self) -> list[forms.ModelForm]:
        """The forms whose rows the record keeps: stored rows not marked for deletion, and new
        rows someone filled in. The same POST gives the same list, so an error's index finds
        its form again on the second rendering."""
        kept = []
        for form in self.forms:
            # Django's own test of the delete box (what formset.save() uses); the stubs omit it.
            if self.can_delete and self._should_delete_form(form):  # type: ignore[attr-defined]
                continue
            if form.instance.pk is None and not form.has_changed():
                continue
            kept.append(form)
        return kept

    def clean(self) -> None:
        super().clean()
        forms_kept = self.kept_forms()
        for index, row_errors in self.record_errors.items():
            if not index.isdigit() or int(index) >= len(forms_kept):
                continue
            form = forms_kept[int(index)]
            for name, texts in row_errors.items():
                for text in texts:
                    form.add_error(name if name in form.fields else None, text)


class RecordInline(_InlineModelAdmin):
    """Mixed into an inline holding one part of the page's row; ``part`` names it in the service."""

    part: str = ""
    formset = RecordInlineFormSet

    def get_formset(
        self, request: HttpRequest, obj: models.Model | None = None, **kwargs: Any
    ) -> type[RecordInlineFormSet]:
        # Made from self.formset, a RecordInlineFormSet.
        formset = cast(type[RecordInlineFormSet], super().get_formset(request, obj, **kwargs))
        formset.part = self.part
        return formset


class RecordAdmin(HistoryModelAdmin, Generic[_M]):
    """A page whose save is one call of ``write()``; subclasses write through their service."""

    form = RecordForm

    class Media:
        css = {"all": ["editors/record.css"]}
        # Named after jquery.init.js, so that Django's media merge puts it after django.jQuery.
        js = ["admin/js/jquery.init.js", "editors/pickers.js"]

    def write(
        self,
        request: HttpRequest,
        obj: _M,
        form: forms.ModelForm,
        parts: Parts,
        change: bool,
    ) -> models.Model:
        raise NotImplementedError

    # --- collecting instead of saving ---

    def save_model(
        self, request: HttpRequest, obj: _M, form: forms.ModelForm, change: bool
    ) -> None:
        """Saved with its parts in save_related, through the service."""

    def save_formset(
        self, request: HttpRequest, form: forms.ModelForm, formset: BaseFormSet, change: bool
    ) -> None:
        """Saved in save_related, through the service."""

    def save_related(
        self,
        request: HttpRequest,
        form: forms.ModelForm,
        formsets: list[RecordInlineFormSet],
        change: bool,
    ) -> None:
        kept = {id(fs): fs.kept_forms() for fs in formsets if getattr(fs, "part", "")}
        added = {id(f) for forms_kept in kept.values() for f in forms_kept if f.instance.pk is None}
        parts = {fs.part: [f.instance for f in kept[id(fs)]] for fs in formsets if id(fs) in kept}
        self.write(request, form.instance, form, parts, change)
        for formset in formsets:
            # What Django's change message and LogEntry read, as formset.save() would leave it.
            forms_kept = kept.get(id(formset), [])
            formset.new_objects = [f.instance for f in forms_kept if id(f) in added]
            formset.changed_objects = [
                (f.instance, f.changed_data)
                for f in forms_kept
                if id(f) not in added and f.changed_data
            ]
            formset.deleted_objects = [f.instance for f in getattr(formset, "deleted_forms", [])]

    def get_formset_kwargs(
        self, request: HttpRequest, obj: _M, inline: InlineModelAdmin, prefix: str
    ) -> dict[str, Any]:
        kwargs = super().get_formset_kwargs(request, obj, inline, prefix)
        part = getattr(inline, "part", "")
        if part:
            kwargs["record_errors"] = getattr(request, "record_errors", {}).get(part, {})
        return kwargs

    def get_form(
        self, request: HttpRequest, obj: _M | None = None, change: bool = False, **kwargs: Any
    ) -> type[forms.ModelForm]:
        form = super().get_form(request, obj, change, **kwargs)
        errors = getattr(request, "record_errors", {})
        return type(form.__name__, (form,), {"record_errors": errors}) if errors else form

    def changeform_view(
        self,
        request: HttpRequest,
        object_id: str | None = None,
        form_url: str = "",
        extra_context: dict | None = None,
    ) -> HttpResponse:
        try:
            return super().changeform_view(request, object_id, form_url, extra_context)
        except (RecordInvalid, Refused, StaleVersion) as error:
            # Raised inside the admin's transaction, so nothing of this save was kept. The page
            # is rendered again from the same POST, with the service's messages at their fields.
            # Read back by get_form and get_formset_kwargs on the second rendering.
            request.record_errors = errors_of(error)  # type: ignore[attr-defined]
            self.message_user(request, f"{REFUSED} {_summary(error)}", messages.ERROR)
            return super().changeform_view(request, object_id, form_url, extra_context)

    # --- removing ---

    def delete_model(self, request: HttpRequest, obj: _M) -> None:
        remove_row(by=request.user, row=obj)

    def delete_queryset(self, request: HttpRequest, queryset: QuerySet[_M]) -> None:
        for obj in queryset:
            remove_row(by=request.user, row=obj)


def _summary(error: RecordInvalid | Refused | StaleVersion) -> str:
    return " ".join(error.messages) if isinstance(error, RecordInvalid) else error.message


class SharedRowAdmin(RecordAdmin[_M]):
    """A page of a row statements share (actor, incident, document): read-only to an editor once
    the public sees it, as the write path would refuse the change (claims.record.workflow)."""

    def has_change_permission(self, request: HttpRequest, obj: _M | None = None) -> bool:
        if not super().has_change_permission(request, obj):
            return False
        return obj is None or may_change_shared(request.user, is_public=is_public(obj))
