from typing import Any

from django import forms
from django.contrib import admin, messages
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction

from preceptorship import services
from preceptorship.admin_audit import AppendOnlyAdmin, AuditedAdminMixin, AuditedModelAdmin
from preceptorship.models import (
    AuditEntry,
    IntegratedCareSystem,
    Membership,
    Notification,
    Organisation,
    Profession,
    Team,
    User,
)
from preceptorship.two_step.admin import reset_two_step, unregister_device_pages


class MembershipForm(forms.ModelForm):
    """Checks a new or changed role against the rules of ``services`` (so the page says why it is
    refused); the admin classes then save it through those services, with the audit log."""

    actor: Any = None  # the signed-in administrator, set per request

    class Meta:
        model = Membership
        fields = ["user", "organisation", "team", "role"]

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        if not self.has_changed() or self.errors:
            return data
        user = data.get("user") or getattr(self.instance, "user", None)
        organisation, role = data.get("organisation"), data.get("role")
        team = data.get("team")
        if team is not None and organisation is not None and team.organisation_id != organisation.pk:
            raise ValidationError({"team": "The team must belong to the organisation."})
        if organisation is None or not role:
            return data
        if self.instance.pk:
            refusal = services.role_change_refusal(
                actor=self.actor, user=self.instance.user, organisation_id=self.instance.organisation_id,
                role=self.instance.role, revoke=True)
            if refusal:
                raise ValidationError(refusal)
        refusal = services.role_change_refusal(actor=self.actor, user=user if user and user.pk else None,
                                               organisation_id=organisation.pk, role=role)
        if refusal:
            raise ValidationError(refusal)
        return data


def _form_for(form_class: type[forms.ModelForm], actor: Any) -> type[forms.ModelForm]:
    return type(form_class.__name__, (form_class,), {"actor": actor})


def _save_membership(actor: Any, membership: Membership, *, new: bool) -> Membership:
    if new:
        return services.membership_grant(actor=actor, user=membership.user, organisation=membership.organisation,
                                         role=membership.role, team=membership.team)
    current = Membership.objects.get(pk=membership.pk)
    if current.organisation_id != membership.organisation_id or current.user_id != membership.user_id:
        # Another person or organisation: a role taken away and another given.
        services.membership_revoke(actor=actor, membership=current)
        return services.membership_grant(actor=actor, user=membership.user, organisation=membership.organisation,
                                         role=membership.role, team=membership.team)
    return services.membership_change(actor=actor, membership=current, role=membership.role, team=membership.team)


class MembershipInline(admin.TabularInline):
    """Roles on a person's page: given, changed and taken away through ``services``."""

    model = Membership
    form = MembershipForm
    extra = 0
    autocomplete_fields = ["organisation", "team"]

    def get_formset(self, request: Any, obj: Any = None, **kwargs: Any) -> Any:
        kwargs["form"] = _form_for(self.form, request.user)
        return super().get_formset(request, obj, **kwargs)


@admin.register(User)
class UserAdmin(AuditedAdminMixin, DjangoUserAdmin):
    ordering = ["last_name", "first_name", "email"]
    list_display = ["email", "first_name", "last_name", "profession", "job_title", "band", "is_active"]
    list_filter = ["is_active", "is_staff", "profession", "regulator", "memberships__role", "memberships__organisation"]
    search_fields = ["email", "first_name", "last_name", "registration_number", "job_title"]
    inlines = [MembershipInline]
    actions = [reset_two_step]
    fieldsets = (
        (None, {"fields": ("email", "password")}),
        ("Name", {"fields": ("first_name", "last_name")}),
        (
            "Practitioner details",
            {"fields": ("profession", "job_title", "band", "regulator", "registration_number",
                        "first_registered_on", "started_in_post_on", "left_on", "email_reminders")},
        ),
        ("Permissions", {"fields": ("is_active", "is_staff", "is_superuser", "groups")}),
        ("Dates", {"fields": ("last_login", "date_joined")}),
    )
    add_fieldsets = ((None, {"classes": ("wide",), "fields": ("email", "password1", "password2")}),)

    def save_formset(self, request: Any, form: Any, formset: Any, change: bool) -> None:
        if formset.model is not Membership:
            return super().save_formset(request, form, formset, change)
        with transaction.atomic():
            memberships = formset.save(commit=False)
            for membership in formset.deleted_objects:
                services.membership_revoke(actor=request.user, membership=membership)
            for membership in memberships:
                membership.user = form.instance
                _save_membership(request.user, membership, new=membership.pk is None)


@admin.register(IntegratedCareSystem)
class IntegratedCareSystemAdmin(AuditedModelAdmin):
    list_display = ["name", "slug"]
    search_fields = ["name"]
    prepopulated_fields = {"slug": ["name"]}


@admin.register(Organisation)
class OrganisationAdmin(AuditedModelAdmin):
    list_display = ["name", "kind", "ics", "nation"]
    list_filter = ["kind", "ics", "nation"]
    search_fields = ["name"]
    prepopulated_fields = {"slug": ["name"]}


@admin.register(Team)
class TeamAdmin(AuditedModelAdmin):
    list_display = ["name", "organisation"]
    list_filter = ["organisation"]
    search_fields = ["name", "organisation__name"]
    list_select_related = ["organisation"]


@admin.register(Profession)
class ProfessionAdmin(AuditedModelAdmin):
    list_display = ["name", "kind", "regulator"]
    list_filter = ["kind", "regulator"]
    search_fields = ["name"]
    prepopulated_fields = {"slug": ["name"]}


@admin.register(Membership)
class MembershipAdmin(AuditedModelAdmin):
    """Roles given, changed and taken away through ``services``: the same rules and audit log as
    everywhere else."""

    recorded_by_services = True

    form = MembershipForm
    list_display = ["user", "role", "organisation", "team"]
    list_filter = ["role", "organisation"]
    search_fields = ["user__email", "user__first_name", "user__last_name", "organisation__name", "team__name"]
    autocomplete_fields = ["user", "organisation", "team"]
    list_select_related = ["user", "organisation", "team"]

    def get_form(self, request: Any, obj: Any = None, change: bool = False, **kwargs: Any) -> Any:
        kwargs["form"] = _form_for(self.form, request.user)
        return super().get_form(request, obj, change=change, **kwargs)

    def save_model(self, request: Any, obj: Membership, form: Any, change: bool) -> None:
        saved = _save_membership(request.user, obj, new=not change)
        obj.pk = saved.pk

    def delete_model(self, request: Any, obj: Membership) -> None:
        services.membership_revoke(actor=request.user, membership=obj)

    def delete_queryset(self, request: Any, queryset: Any) -> None:
        with transaction.atomic():
            for membership in queryset.select_related("user", "organisation"):
                try:
                    services.membership_revoke(actor=request.user, membership=membership)
                except PermissionDenied as refused:
                    self.message_user(request, f"{membership}: {refused}", messages.ERROR)


@admin.register(AuditEntry)
class AuditEntryAdmin(AppendOnlyAdmin):
    """Read-only: the audit log is append-only and written by the services (and by this base class
    for the admin pages' own changes). The audit log page (/audit/) reads it with filters."""

    list_display = ["at", "actor", "action", "object_type", "object_id", "organisation", "subject", "summary"]
    list_filter = ["action", "object_type"]
    search_fields = ["summary", "object_id", "actor__email", "subject__email"]
    list_select_related = ["actor", "organisation", "subject"]
    date_hierarchy = "at"


@admin.register(Notification)
class NotificationAdmin(AppendOnlyAdmin):
    """Read-only: a notification's delivery (status, attempts, times, errors) is the record of what
    was sent to whom; only the delivery tasks write it."""

    list_display = ["created_at", "recipient", "kind", "subject", "status", "read_at"]
    list_filter = ["kind", "status"]
    search_fields = ["recipient__email", "subject", "key"]
    list_select_related = ["recipient"]
    readonly_fields = [f.name for f in Notification._meta.fields]


unregister_device_pages()
