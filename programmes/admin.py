"""Admin screens for programme configuration and enrolment housekeeping.

Reflections, needs assessments (which may hold health information), goals and evaluation answers
are deliberately absent: only the people named in the access rules may read them.
"""

from django.contrib import admin

from preceptorship.admin_audit import AppendOnlyInline, AuditedModelAdmin
from programmes.models import Enrolment, Extension, Pause, Programme


@admin.register(Programme)
class ProgrammeAdmin(AuditedModelAdmin):
    list_display = ["name", "organisation", "shared_with_ics", "length_months", "review_interval_months", "status"]
    list_filter = ["status", "shared_with_ics", "organisation", "professions"]
    search_fields = ["name", "organisation__name"]
    filter_horizontal = ["professions"]
    autocomplete_fields = ["organisation"]


class PauseInline(AppendOnlyInline):
    model = Pause
    readonly_fields = [field.name for field in Pause._meta.fields if field.name != "id"]


class ExtensionInline(AppendOnlyInline):
    model = Extension
    readonly_fields = [field.name for field in Extension._meta.fields if field.name != "id"]


@admin.register(Enrolment)
class EnrolmentAdmin(AuditedModelAdmin):
    """Read-only: enrolments change only through the services, which check and audit each step (their
    completion outcomes, reviews and confirmations are records nobody edits)."""

    list_display = ["preceptee", "programme", "organisation", "start_date", "status", "next_review_due"]
    list_filter = ["status", "transition", "organisation", "programme"]
    search_fields = ["preceptee__email", "preceptee__first_name", "preceptee__last_name", "programme__name"]
    list_select_related = ["preceptee", "programme", "organisation"]
    inlines = [PauseInline, ExtensionInline]

    def has_add_permission(self, request) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False
