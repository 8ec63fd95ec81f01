"""API tokens in the admin pages: created through the service (the new token is shown once, after
saving), never edited, revoked with an action. Both are audited by the services."""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import QuerySet
from django.http import HttpRequest
from django.utils import timezone

from preceptorship.admin_audit import AuditedModelAdmin
from programmes.api import services
from programmes.api.models import ApiToken


class ApiTokenForm(forms.ModelForm):
    scopes = forms.MultipleChoiceField(choices=ApiToken.Scope.choices, widget=forms.CheckboxSelectMultiple)

    class Meta:
        model = ApiToken
        fields = ["organisation", "name", "scopes", "expires_at"]

    def clean_expires_at(self) -> Any:
        expires_at = self.cleaned_data.get("expires_at")
        if expires_at is not None and expires_at <= timezone.now():
            raise ValidationError("The expiry must be in the future.")
        return expires_at


@admin.register(ApiToken)
class ApiTokenAdmin(AuditedModelAdmin):
    # Saved and revoked through the services, which write the audit log (never the secret's hash).
    recorded_by_services = True
    form = ApiTokenForm
    list_display = ["name", "organisation", "key", "scope_list", "created_at", "expires_at", "revoked_at",
                    "last_used_at"]
    list_filter = ["organisation"]
    list_select_related = ["organisation"]
    search_fields = ["name", "key"]
    actions = ["revoke"]
    readonly = ["organisation", "name", "key", "scopes", "created_at", "created_by", "expires_at", "revoked_at",
                "revoked_by", "last_used_at"]

    @admin.display(description="scopes")
    def scope_list(self, token: ApiToken) -> str:
        return ", ".join(token.scopes)

    def get_readonly_fields(self, request: HttpRequest, obj: ApiToken | None = None) -> list[str]:
        return self.readonly if obj is not None else []

    def get_fields(self, request: HttpRequest, obj: ApiToken | None = None) -> list[str]:
        return self.readonly if obj is not None else ["organisation", "name", "scopes", "expires_at"]

    def has_delete_permission(self, request: HttpRequest, obj: ApiToken | None = None) -> bool:
        return False  # revoked, never deleted: the audit log and last use stay readable

    def save_model(self, request: HttpRequest, obj: ApiToken, form: Any, change: bool) -> None:
        if change:
            return
        token, secret = services.api_token_create(
            actor=request.user, organisation=obj.organisation, name=obj.name,
            scopes=form.cleaned_data["scopes"], expires_at=obj.expires_at,
        )
        obj.pk, obj.key, obj.secret_hash, obj.scopes = token.pk, token.key, token.secret_hash, token.scopes
        obj._state.adding = False
        self.message_user(
            request, f"The new token is {secret} . Copy it now: it is shown only this once and cannot be read "
                     "again.", messages.WARNING)

    @admin.action(description="Revoke the selected tokens")
    def revoke(self, request: HttpRequest, queryset: QuerySet) -> None:
        for token in queryset:
            try:
                services.api_token_revoke(actor=request.user, token=token)
            except (ValidationError, PermissionDenied) as refused:
                self.message_user(request, f"{token}: {' '.join(getattr(refused, 'messages', [str(refused)]))}",
                                  messages.ERROR)
            else:
                self.message_user(request, f"{token} is revoked.", messages.SUCCESS)
