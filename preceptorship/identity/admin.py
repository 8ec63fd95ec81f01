from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.http import HttpRequest

from preceptorship.admin_audit import AuditedModelAdmin
from preceptorship.identity import services
from preceptorship.identity.forms import IdentityProviderForm
from preceptorship.identity.models import IdentityLink, IdentityProvider


@admin.register(IdentityProvider)
class IdentityProviderAdmin(AuditedModelAdmin):
    # Saved through the service, whose audit entry says that the secret changed, never what it is.
    recorded_by_services = True
    form = IdentityProviderForm
    list_display = ["name", "issuer", "allowed_domains", "enabled", "from_environment"]
    list_filter = ["enabled"]
    filter_horizontal = ["organisations"]
    fieldsets = [
        (None, {"fields": ["name", "enabled", "organisations", "allowed_domains"]}),
        ("At the provider", {
            "fields": ["issuer", "client_id", "new_client_secret", "secret_saved", "scopes", "employee_number_claim"],
            "description": "Register this service at the provider as a web application with the redirect URL "
            "<site>/sign-in/organisation/callback/ and the sign-out redirect URL <site>/sign-in/.",
        }),
    ]

    def get_readonly_fields(self, request: HttpRequest, obj: IdentityProvider | None = None) -> list[str]:
        if obj is not None and obj.from_environment:
            # Set by the OIDC_DEFAULT_* variables: a change here would be undone at the next sign-in.
            return ["name", "enabled", "organisations", "allowed_domains", "issuer", "client_id",
                    "secret_saved", "scopes", "employee_number_claim"]
        return ["secret_saved"]

    def get_fieldsets(self, request: HttpRequest, obj: IdentityProvider | None = None) -> list:
        if obj is not None and obj.from_environment:
            return [(None, {"fields": self.get_readonly_fields(request, obj)})]
        return self.fieldsets

    @admin.display(description="Client secret saved")
    def secret_saved(self, obj: IdentityProvider) -> str:
        if obj.from_environment:
            return "From the environment (OIDC_DEFAULT_CLIENT_SECRET)"
        return "Yes (not shown)" if obj.client_secret else "No"

    def save_model(self, request: HttpRequest, obj: IdentityProvider, form: Any, change: bool) -> None:
        if obj.from_environment:
            return
        services.provider_save(
            actor=request.user, provider=obj, secret=form.cleaned_data.get("new_client_secret", ""),
            organisations=list(form.cleaned_data.get("organisations", [])),
        )


@admin.register(IdentityLink)
class IdentityLinkAdmin(AuditedModelAdmin):
    """Links are made by signing in; an administrator may only remove one (it is made again, matched
    afresh, at the next sign-in), through the service that records it."""

    recorded_by_services = True

    list_display = ["user", "provider", "linked_at", "last_signed_in_at"]
    list_select_related = ["user", "provider"]
    search_fields = ["user__email", "user__last_name"]
    readonly_fields = ["user", "provider", "issuer", "subject", "linked_at", "last_signed_in_at"]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: IdentityLink | None = None) -> bool:
        return False

    def delete_model(self, request: HttpRequest, obj: IdentityLink) -> None:
        services.link_remove(actor=request.user, link=obj)

    def delete_queryset(self, request: HttpRequest, queryset: Any) -> None:
        for link in queryset:
            services.link_remove(actor=request.user, link=link)
