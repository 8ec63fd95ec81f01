from __future__ import annotations

from django import forms
from django.contrib import admin
from django.core.exceptions import ValidationError

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


class SectionInline(admin.TabularInline):
    model = Section
    extra = 0
    show_change_link = True


class CompetencyInline(admin.TabularInline):
    model = Competency
    extra = 0


@admin.register(Framework)
class FrameworkAdmin(admin.ModelAdmin):
    list_display = ["name", "version", "status", "owner", "from_level", "to_level"]
    list_filter = ["status", "owner"]
    search_fields = ["name", "slug"]
    inlines = [SectionInline]

    def get_readonly_fields(self, request, obj=None):  # noqa: ANN001, ANN201
        # Published versions are never edited in place.
        if obj is not None and obj.status != Framework.Status.DRAFT:
            return [f.name for f in obj._meta.fields] + ["professions"]
        return []


@admin.register(Section)
class SectionAdmin(admin.ModelAdmin):
    list_display = ["title", "framework", "order", "required_for_sign_off"]
    inlines = [CompetencyInline]


class DecisionInline(admin.TabularInline):
    model = Decision
    extra = 0
    can_delete = False
    readonly_fields = ["actor", "role", "at", "decision", "from_stage", "to_stage", "comment"]

    def has_add_permission(self, request, obj=None) -> bool:  # noqa: ANN001
        return False


class AssessmentInline(admin.TabularInline):
    model = CompetencyAssessment
    extra = 0
    can_delete = False
    readonly_fields = ["competency", "status", "reached_on", "manager_comment", "worker_comment", "marked_by",
                       "marked_at"]

    def has_add_permission(self, request, obj=None) -> bool:  # noqa: ANN001
        return False


@admin.register(ProgressionCase)
class ProgressionCaseAdmin(admin.ModelAdmin):
    list_display = ["practitioner", "target_role", "stage", "organisation", "team", "stage_changed_at"]
    list_filter = ["stage", "organisation", "framework"]
    search_fields = ["practitioner__email", "practitioner__last_name", "target_role"]
    raw_id_fields = ["practitioner", "line_manager", "head_of_service", "opened_by", "told_by"]
    # Stages move only through the services (locks, checks, decisions and audit).
    readonly_fields = ["stage", "stage_changed_at", "revision", "letter", "letter_generated_at"]
    exclude = ["letter_file"]
    inlines = [AssessmentInline, DecisionInline]
    letter = private_file("letter_file", "Letter")


@admin.register(Evidence)
class EvidenceAdmin(admin.ModelAdmin):
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
class LetterTemplateAdmin(admin.ModelAdmin):
    form = LetterTemplateForm
    list_display = ["organisation", "heading", "updated_at"]


@admin.register(PostQualifyingAward)
class PostQualifyingAwardAdmin(admin.ModelAdmin):
    list_display = ["user", "kind", "status", "awarded_on"]
    list_filter = ["kind", "status"]
    raw_id_fields = ["user"]
