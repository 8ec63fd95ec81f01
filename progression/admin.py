from __future__ import annotations

from django import forms
from django.contrib import admin
from django.core.exceptions import ValidationError

from preceptorship.admin_audit import AppendOnlyInline, AuditedModelAdmin, LockedWithParentInline
from preceptorship.admin_files import private_file
from progression import services
from progression.models import (
    Competency,
    CompetencyAssessment,
    Decision,
    Evidence,
    Framework,
    LetterTemplate,
    PostQualifyingAward,
    ProgressionCase,
    Section,
)


def _published(framework: Framework) -> bool:
    return framework.status != Framework.Status.DRAFT


class SectionInline(LockedWithParentInline):
    model = Section
    extra = 0
    show_change_link = True

    def parent_is_locked(self, parent: Framework) -> bool:
        return _published(parent)


class CompetencyInline(LockedWithParentInline):
    model = Competency
    extra = 0

    def parent_is_locked(self, parent: Section) -> bool:
        return _published(parent.framework)


@admin.register(Framework)
class FrameworkAdmin(AuditedModelAdmin):
    """Published and retired versions are never edited in place, nor deleted (cases were judged
    against them): a new version is drafted through the framework pages."""

    list_display = ["name", "version", "status", "owner", "from_level", "to_level"]
    list_filter = ["status", "owner"]
    search_fields = ["name", "slug"]
    inlines = [SectionInline]

    def is_append_only(self, obj: Framework) -> bool:
        return _published(obj)

    def get_readonly_fields(self, request, obj=None):  # noqa: ANN001, ANN201
        if obj is not None and _published(obj):
            return [f.name for f in obj._meta.fields] + ["professions"]
        # Published only through the services, which retire the version before it.
        return ["status", "published_at", "retired_at"]


@admin.register(Section)
class SectionAdmin(AuditedModelAdmin):
    list_display = ["title", "framework", "order", "required_for_sign_off"]
    list_select_related = ["framework"]
    inlines = [CompetencyInline]

    def is_append_only(self, obj: Section) -> bool:
        return _published(obj.framework)

    def formfield_for_foreignkey(self, db_field, request, **kwargs):  # noqa: ANN001, ANN201
        if db_field.name == "framework":
            # A section is added to a draft only.
            kwargs["queryset"] = Framework.objects.filter(status=Framework.Status.DRAFT)
        return super().formfield_for_foreignkey(db_field, request, **kwargs)


class DecisionInline(AppendOnlyInline):
    model = Decision
    readonly_fields = ["actor", "role", "at", "decision", "from_stage", "to_stage", "comment"]


class AssessmentInline(AppendOnlyInline):
    model = CompetencyAssessment
    readonly_fields = ["competency", "status", "reached_on", "manager_comment", "worker_comment", "marked_by",
                       "marked_at"]


@admin.register(ProgressionCase)
class ProgressionCaseAdmin(AuditedModelAdmin):
    list_display = ["practitioner", "target_role", "stage", "organisation", "team", "stage_changed_at"]
    list_filter = ["stage", "organisation", "framework"]
    search_fields = ["practitioner__email", "practitioner__last_name", "target_role"]
    raw_id_fields = ["practitioner", "line_manager", "head_of_service", "opened_by", "told_by"]
    # Stages move only through the services (locks, checks, decisions and audit).
    readonly_fields = ["stage", "stage_changed_at", "revision", "letter", "letter_generated_at"]
    exclude = ["letter_file"]
    inlines = [AssessmentInline, DecisionInline]
    letter = private_file("letter_file", "Letter")

    def has_delete_permission(self, request, obj=None) -> bool:  # noqa: ANN001
        # A case holds its decisions and competency marks, which are never removed.
        return False


@admin.register(Evidence)
class EvidenceAdmin(AuditedModelAdmin):
    list_display = ["title", "case", "example_date", "original_filename"]
    readonly_fields = ["stored_file", "original_filename", "content_type", "size"]
    exclude = ["file"]
    stored_file = private_file("file", "File")


class LetterTemplateForm(forms.ModelForm):
    class Meta:
        model = LetterTemplate
        fields = ["organisation", "heading", "body"]

    def clean_body(self) -> str:
        body = self.cleaned_data["body"]
        try:
            services.letter_template_check(body)
        except ValidationError as error:
            raise ValidationError(error.message_dict["body"]) from None
        return body


@admin.register(LetterTemplate)
class LetterTemplateAdmin(AuditedModelAdmin):
    form = LetterTemplateForm
    list_display = ["organisation", "heading", "updated_at"]


@admin.register(PostQualifyingAward)
class PostQualifyingAwardAdmin(AuditedModelAdmin):
    list_display = ["user", "kind", "status", "awarded_on"]
    list_filter = ["kind", "status"]
    raw_id_fields = ["user"]
