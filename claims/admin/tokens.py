"""Admin for API tokens: issue one (its secret is shown once) and revoke it; digests stay hidden."""

from __future__ import annotations

from typing import Any

from django.contrib import admin, messages
from django.db.models import QuerySet
from django.http import HttpRequest
from django.utils import timezone

from sources.models import ApiToken


@admin.register(ApiToken)
class ApiTokenAdmin(admin.ModelAdmin):
    list_display = [
        "key_prefix",
        "name",
        "user",
        "created_at",
        "expires_at",
        "last_used_at",
        "state",
    ]
    list_filter = ["revoked_at"]
    search_fields = ["name", "key_prefix", "user__username"]
    list_select_related = ["user"]
    readonly_fields = ["key_prefix", "created_at", "last_used_at", "revoked_at"]
    autocomplete_fields = []
    raw_id_fields = ["user"]
    actions = ["revoke_tokens"]

    def get_fields(self, request: HttpRequest, obj: ApiToken | None = None) -> tuple[str, ...]:
        if obj is None:
            return ("user", "name", "expires_at")
        return (
            "user",
            "name",
            "key_prefix",
            "created_at",
            "expires_at",
            "last_used_at",
            "revoked_at",
        )

    def get_readonly_fields(self, request: HttpRequest, obj: ApiToken | None = None) -> list[str]:
        return [*self.readonly_fields, "user"] if obj else []

    def get_changeform_initial_data(self, request: HttpRequest) -> dict[str, Any]:
        return {"expires_at": timezone.now() + ApiToken.DEFAULT_LIFETIME}

    @admin.display(description="state")
    def state(self, token: ApiToken) -> str:
        if token.revoked_at:
            return "revoked"
        return "active" if token.is_active else "expired"

    def save_model(self, request: HttpRequest, obj: ApiToken, form: object, change: bool) -> None:
        if change:
            super().save_model(request, obj, form, change)
            return
        lifetime = obj.expires_at - timezone.now()
        token, secret = ApiToken.issue(user=obj.user, name=obj.name, lifetime=lifetime)
        obj.pk, obj.key_prefix, obj.digest = token.pk, token.key_prefix, token.digest
        messages.warning(request, f"Token secret, shown only now — copy it to the tool: {secret}")

    @admin.action(description="Revoke the selected tokens")
    def revoke_tokens(self, request: HttpRequest, queryset: QuerySet[ApiToken]) -> None:
        count = queryset.filter(revoked_at__isnull=True).update(revoked_at=timezone.now())
        self.message_user(request, f"Revoked {count} token(s).", messages.SUCCESS)
