"""Admin for editors: actors with their aliases and roles, and documents."""

from __future__ import annotations

from typing import TYPE_CHECKING, TypedDict

from django import forms
from django.contrib import admin
from django.db import models
from django.db.models import Count, QuerySet
from django.http import HttpRequest

from claims.admin.pickers import document_label
from claims.admin.record import Parts, RecordAdmin, RecordInline, SharedRowAdmin, changed_values
from claims.record.actors import save_actor
from claims.record.documents import save_document
from sources.models import Actor, Affiliation, Alias, Document

if TYPE_CHECKING:
    from django_stubs_ext import WithAnnotations


class _AliasTotal(TypedDict):
    alias_total: int


# What the archiver records besides the file and its hash; shown, never typed in.
ARCHIVE = ["archive_error", "archive_size", "archive_content_type", "archive_final_url"]
ARCHIVE += ["archive_http_status", "archive_attempts", "archive_verified_at"]


class AliasInline(RecordInline, admin.TabularInline):
    model = Alias
    part = "aliases"
    extra = 1


class AffiliationInline(RecordInline, admin.TabularInline):
    model = Affiliation
    part = "affiliations"
    fk_name = "person"
    extra = 0
    autocomplete_fields = ["organisation"]
    verbose_name = "role held (for people)"
    verbose_name_plural = "roles held (for people)"


@admin.register(Actor)
class ActorAdmin(SharedRowAdmin[Actor]):
    list_display = ["name", "kind", "country", "alias_count", "wikidata_id"]
    ordering = ["name"]
    list_filter = ["kind", "country"]
    # Aliases are searched too, so "Syrian Civil Defence" finds the White Helmets everywhere an
    # actor is picked through autocomplete.
    search_fields = ["name", "aliases__name", "wikidata_id"]
    prepopulated_fields = {"slug": ["name"]}
    inlines = [AliasInline, AffiliationInline]
    readonly_fields = ["created_at", "updated_at"]

    def get_queryset(self, request: HttpRequest) -> QuerySet[Actor]:
        return super().get_queryset(request).annotate(alias_total=Count("aliases"))

    @admin.display(description="aliases", ordering="alias_total")
    def alias_count(self, actor: WithAnnotations[Actor, _AliasTotal]) -> int:
        return actor.alias_total

    def write(
        self, request: HttpRequest, obj: Actor, form: forms.ModelForm, parts: Parts, change: bool
    ) -> Actor:
        return save_actor(
            by=request.user,
            values=changed_values(form),
            actor=obj,
            aliases=parts.get("aliases"),
            affiliations=parts.get("affiliations"),
        )


@admin.register(Affiliation)
class AffiliationAdmin(RecordAdmin[Affiliation]):
    list_display = ["person", "role", "organisation", "start_on", "end_on"]
    search_fields = ["person__name", "organisation__name", "role"]
    autocomplete_fields = ["person", "organisation"]
    list_select_related = ["person", "organisation"]

    def write(
        self,
        request: HttpRequest,
        obj: Affiliation,
        form: forms.ModelForm,
        parts: Parts,
        change: bool,
    ) -> Actor:
        """A role is one of the person's: saved as the person's roles with this one among them."""
        others = [row for row in obj.person.affiliations.all() if row.pk != obj.pk]
        return save_actor(by=request.user, values={}, actor=obj.person, affiliations=[*others, obj])


@admin.register(Document)
class DocumentAdmin(SharedRowAdmin[Document]):
    list_display = ["title", "publisher", "kind", "language", "published_on", "archive_status"]
    list_filter = ["kind", "language", "archive_status"]
    list_select_related = ["publisher"]
    search_fields = ["title", "url", "publisher__name", "publisher__aliases__name"]
    picker_select_related = ["publisher"]
    autocomplete_fields = ["publisher"]
    date_hierarchy = "published_on"

    def picker_label(self, document: Document) -> str:
        return document_label(document)

    # A URL typed without a scheme is taken as https (Django 6's default, chosen now).
    formfield_overrides = {models.URLField: {"assume_scheme": "https"}}
    readonly_fields = [
        "archive_sha256",
        "archive_status",
        "archived_at",
        *ARCHIVE,
        "created_at",
        "updated_at",
    ]
    fieldsets = [
        (None, {"fields": ["title", "url", "publisher", "kind", "language"]}),
        ("Date", {"fields": ["published_on", "published_precision"]}),
        ("Identifiers elsewhere", {"fields": [("wikidata_id", "doi")]}),
        ("Text", {"fields": ["full_text"], "classes": ["collapse"]}),
        (
            "Archived copy",
            {
                "fields": [
                    "archive_file",
                    "archive_sha256",
                    "archive_status",
                    "archived_at",
                    *ARCHIVE,
                ]
            },
        ),
        ("Record", {"fields": ["created_at", "updated_at"]}),
    ]

    def write(
        self, request: HttpRequest, obj: Document, form: forms.ModelForm, parts: Parts, change: bool
    ) -> Document:
        return save_document(by=request.user, values=changed_values(form), document=obj)
