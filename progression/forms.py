"""Forms for frameworks, progression cases, evidence and the sign-off chain (NHS.UK markup via crispy)."""

from __future__ import annotations

import itertools
from typing import Any

import django_filters
from crispy_forms.helper import FormHelper
from crispy_forms.layout import Field, Fieldset, Layout, Submit
from django import forms
from django.db.models import QuerySet
from django.utils import timezone
from django.utils.text import Truncator

from preceptorship import access
from preceptorship.forms import GroupedCheckboxes, OneLineFields, RecordsField, reveal
from preceptorship.models import Membership, Profession, Team, User
from preceptorship.widgets import NHSDateField
from progression import line_managers, selectors
from progression.models import Competency, CompetencyAssessment, Framework, ProgressionCase, Section
from progression.services import LETTER_PLACEHOLDERS

Role = Membership.Role
Stage = ProgressionCase.Stage


class NHSForm(OneLineFields, forms.Form):
    """A form drawn by the crispy "nhsuk" pack with one primary button."""

    submit_label = "Save"

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.helper = FormHelper(self)
        self.helper.add_input(Submit("save", self.submit_label))


class RevisionForm(NHSForm):
    """A step on the chain: carries the revision the page was loaded at, so a late second
    decision is refused with a clear message instead of overwriting the first."""

    revision = forms.IntegerField(widget=forms.HiddenInput)


def _person_label(user: User) -> str:
    return user.get_full_name() or user.email


class PersonChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj: User) -> str:
        return _person_label(obj)


# Frameworks ------------------------------------------------------------------------------------


class FrameworkEditForm(NHSForm):
    submit_label = "Save draft"

    name = forms.CharField(label="Name", max_length=200)
    source = forms.CharField(label="Source", max_length=300, required=False,
                             help_text="Who published it, for example the council's career progression framework.")
    from_level = forms.CharField(label="From level", max_length=100, required=False, help_text="For example Range 6")
    to_level = forms.CharField(label="To level", max_length=100, required=False,
                               help_text="For example Range 7 Advanced Practitioner")
    evidence_per_competency = forms.IntegerField(
        label="Dated pieces of evidence each competency needs", min_value=0, max_value=20, required=False,
        widget=forms.NumberInput(attrs={"class": "nhsuk-input--width-2", "inputmode": "numeric"}),
        help_text="Before a competency can be marked reached or exceeded. Usually 1; left empty, it stays as it is.",
        error_messages={"invalid": "Enter a whole number, like 1.",
                        "min_value": "Enter 0 or more.", "max_value": "Enter 20 or fewer."},
    )
    professions = RecordsField(
        label="Professions it applies to", queryset=Profession.objects.order_by("name"), required=False,
        widget=forms.CheckboxSelectMultiple, to_field_name="slug",
    )
    content = forms.CharField(
        label="Sections and competencies", widget=forms.Textarea(attrs={"rows": 16}),
        help_text="One competency a line as CSV: section, code, statement, guidance. The first line names the "
                  "columns. Sections keep the order they first appear in.",
    )
    required_sections = forms.CharField(
        label="Sections required for sign-off", widget=forms.Textarea(attrs={"rows": 3}), required=False,
        help_text="One section title a line. Every competency of these sections must be reached before a case "
                  "is submitted.",
    )


class SectionForm(NHSForm):
    submit_label = "Save the section"

    title = forms.CharField(label="Section title", max_length=200,
                            help_text="For example, Range 7 key competencies")
    required_for_sign_off = forms.BooleanField(
        label="Required for sign-off", required=False,
        help_text="Every competency of this section must be reached or exceeded before a case is submitted.",
    )


class CompetencyForm(NHSForm):
    submit_label = "Save the competency"

    section = forms.ModelChoiceField(label="Section", queryset=Section.objects.none(), empty_label=None)
    code = forms.CharField(label="Code", max_length=30,
                           help_text="A short code, used once in the framework. For example, SW-R7-3")
    statement = forms.CharField(label="Statement", widget=forms.Textarea(attrs={"rows": 4}),
                                help_text="The competency in full, as the framework words it.")
    guidance = forms.CharField(label="Guidance", widget=forms.Textarea(attrs={"rows": 3}), required=False,
                               help_text="What evidence could show it, if the framework says.")

    def __init__(self, *args: Any, framework: Framework, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["section"].queryset = Section.objects.filter(framework=framework).order_by("order", "pk")


class FrameworkImportForm(NHSForm):
    submit_label = "Check the file"

    file = forms.FileField(
        label="Framework file",
        help_text="A JSON export, or a CSV file with the columns section, code, statement, guidance.",
    )
    name = forms.CharField(label="Framework name", max_length=200, required=False,
                           help_text="Needed for a CSV file. A JSON file names its frameworks itself.")

    def clean_file(self) -> Any:
        upload = self.cleaned_data["file"]
        if not (upload.name or "").lower().endswith((".csv", ".json")):
            raise forms.ValidationError("The file must be a .csv or .json file.")
        if upload.size > 2 * 1024 * 1024:
            raise forms.ValidationError("The file must be 2 MB or smaller.")
        try:
            self.text = upload.read().decode("utf-8-sig")
        except UnicodeDecodeError:
            raise forms.ValidationError("The file must be saved as UTF-8 text.") from None
        return upload

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean()
        upload = cleaned.get("file")
        if upload is not None and upload.name.lower().endswith(".csv") and not cleaned.get("name"):
            self.add_error("name", "Enter the framework name: a CSV file does not name its framework.")
        return cleaned


class FrameworkImportConfirmForm(OneLineFields, forms.Form):
    filename = forms.CharField(widget=forms.HiddenInput)
    name = forms.CharField(widget=forms.HiddenInput, required=False)
    text = forms.CharField(widget=forms.HiddenInput)


# Cases ----------------------------------------------------------------------------------------


class CasePractitionerForm(OneLineFields, forms.Form):
    """A line manager opening a case chooses the practitioner first: the frameworks offered next are
    those that suit them."""

    practitioner = PersonChoiceField(label="Practitioner", queryset=User.objects.none(),
                                     empty_label="Choose a practitioner",
                                     error_messages={"required": "Choose the practitioner.",
                                                     "invalid_choice": "Choose a practitioner from the list."})

    def __init__(self, *args: Any, user: User, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["practitioner"].queryset = case_practitioners(user)
        self.helper = FormHelper(self)
        self.helper.form_method = "get"
        self.helper.add_input(Submit("choose", "Continue"))


def case_practitioners(user: User) -> QuerySet:
    """Whom the user may open a case for: their team and the people they manage (never the whole
    organisation), or a practitioner themselves."""
    if access.organisation_ids(user, Role.LINE_MANAGER):
        return line_managers.managed_practitioners(user).order_by("first_name", "last_name")
    return User.objects.filter(pk=user.pk)


class CaseOpenForm(NHSForm):
    """The practitioner is already chosen (``CasePractitionerForm``, or the practitioner themselves) and
    travels as a hidden field, checked again; only the frameworks that suit them are offered."""

    submit_label = "Open the case"

    practitioner = PersonChoiceField(label="Practitioner", queryset=User.objects.none(), widget=forms.HiddenInput,
                                     error_messages={"invalid_choice": "Choose a practitioner from the list."})
    framework = forms.ModelChoiceField(label="Framework", queryset=Framework.objects.none(),
                                       empty_label="Choose a framework")
    target_role = forms.CharField(label="Target role", max_length=200,
                                  help_text="For example, Advanced Practitioner, Range 7")
    head_of_service = PersonChoiceField(label="Head of Service", queryset=User.objects.none(),
                                        empty_label="Choose the Head of Service")

    def __init__(self, *args: Any, user: User, practitioner: User | None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.user = user
        self.practitioner = practitioner
        self.suiting: list[Framework] = []
        manager_orgs = access.organisation_ids(user, Role.LINE_MANAGER)
        own_orgs = access.organisation_ids(user, Role.PRACTITIONER)
        self.fields["practitioner"].queryset = case_practitioners(user)
        if practitioner is not None:
            self.fields["practitioner"].initial = practitioner.pk
            framework = self.fields["framework"]
            # Any published framework is a valid answer, so one that does not suit (a stale page, a
            # crafted post) gets the service's reason beside the field; only those that suit are offered.
            framework.queryset = Framework.objects.filter(status=Framework.Status.PUBLISHED)
            self.suiting = list(selectors.frameworks_suiting(practitioner))
            framework.choices = [("", framework.empty_label)] + [
                (f.pk, framework.label_from_instance(f)) for f in self.suiting]
            name = practitioner.get_full_name() or practitioner.email
            framework.help_text = f"The frameworks for {name}'s profession and current band or range."
        self.fields["head_of_service"].queryset = access.people_in(
            manager_orgs | own_orgs, Role.HEAD_OF_SERVICE
        ).order_by("first_name", "last_name")
        if not self.is_bound:
            self.fields["target_role"].initial = "Advanced Practitioner, Range 7"


class MarkForm(NHSForm):
    submit_label = "Save the mark"

    status = forms.ChoiceField(label="Competency reached?", choices=CompetencyAssessment.Status.choices,
                               widget=forms.RadioSelect)
    reached_on = NHSDateField(label="Date reached", required=False,
                              help_text="Leave empty for today when it is reached. For example, 15 3 2025")
    comment = forms.CharField(label="Manager's comment", widget=forms.Textarea(attrs={"rows": 4}), required=False,
                              help_text="Required when the competency is reached or exceeded: what shows it.")


class WorkerCommentForm(NHSForm):
    submit_label = "Save your comment"

    comment = forms.CharField(label="Your comment", widget=forms.Textarea(attrs={"rows": 4}), required=False,
                              max_length=4000)


class EvidenceForm(NHSForm):
    submit_label = "Add the evidence"

    title = forms.CharField(label="Title", max_length=200)
    example_date = NHSDateField(label="Date of the practice example", help_text="For example, 15 3 2025")
    description = forms.CharField(label="What happened and what it shows", widget=forms.Textarea(attrs={"rows": 6}))
    competencies = forms.MultipleChoiceField(label="Competencies this example shows", widget=GroupedCheckboxes)
    file = forms.FileField(label="File", required=False, help_text="PDF, Word or an image, 10 MB at most.")

    link = forms.ChoiceField(
        label="Link to a reflection or review meeting", required=False,
        error_messages={"invalid_choice": "Choose a reflection or review meeting from the list."},
        help_text="Only reflections the practitioner has shared with their line manager, and review meetings "
                  "held on their preceptorship, that you can open yourself. Readers of the case who cannot open "
                  "a reflection see only that one is linked and its date.",
    )

    def __init__(self, *args: Any, case: ProgressionCase, competencies: QuerySet,
                 links: list[tuple[str, list[tuple[str, str]]]] | None = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        # The browser's own file control: the design system's enhanced one names its button from the
        # label plus its own text, which axe reports as a label/name mismatch.
        fields: list[Any] = ["title", "example_date", "description", "competencies",
                             Field("file", template="progression/includes/file_field.html")]
        if links:
            self.fields["link"].choices = [("", "No link"), *links]
            fields.append("link")
        else:
            del self.fields["link"]
        self.helper.layout = Layout(*fields)
        self.competency_rows = {str(c.pk): c for c in competencies}
        # Under a fieldset per section, in the framework's order: a framework's 30 or more
        # statements are read and ticked section by section.
        self.fields["competencies"].choices = [
            (title, [(str(c.pk), f"{c.code}: {Truncator(c.statement).words(20)}") for c in group])
            for (_pk, title), group in itertools.groupby(competencies, key=lambda c: (c.section_id, c.section.title))
        ]

    def clean_example_date(self) -> Any:
        value = self.cleaned_data["example_date"]
        if value and value > timezone.localdate():
            raise forms.ValidationError("The date of the example cannot be in the future.")
        return value


class StatementForm(RevisionForm):
    submit_label = "Save my statement"

    agrees = forms.TypedChoiceField(
        label="Do you agree with the table?", widget=forms.RadioSelect, coerce=lambda value: value == "yes",
        choices=[("yes", "Yes, I agree with it"), ("no", "I want to add my comments")],
        error_messages={"required": "Say whether you agree with the table or want to add your comments."},
    )
    comment = forms.CharField(
        label="Your comments", widget=forms.Textarea(attrs={"rows": 5}), required=False, max_length=4000,
        help_text="Required if you want to add comments. The Head of Service and the Operational Director read "
                  "them with the table.",
    )


class StatementUnableForm(RevisionForm):
    submit_label = "Record why"

    reason = forms.CharField(
        label="Why the practitioner could not read the table and give their statement",
        widget=forms.Textarea(attrs={"rows": 4}), max_length=4000,
        help_text="For example, long-term absence. The Head of Service and the Operational Director read this.",
        error_messages={"required": "Say why the practitioner could not give their statement."},
    )


class WithdrawForm(RevisionForm):
    submit_label = "Continue"

    reason = forms.CharField(
        label="Why the case is withdrawn", widget=forms.Textarea(attrs={"rows": 4}), max_length=4000,
        help_text="For example, opened on the wrong framework. It is kept in the case's history.",
        error_messages={"required": "Say why the case is withdrawn."},
    )


class CompetenciesConcerned(RecordsField):
    """The competencies a return points at, under a fieldset per section (an id no column can hold is an
    unknown choice, as ``RecordsField`` has it)."""

    widget = GroupedCheckboxes

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("queryset", Competency.objects.none())
        super().__init__(*args, **kwargs)


class ReturnPointsAtCompetencies:
    """A decision form whose "return" may point at the competencies concerned."""

    def add_competencies(self, case: ProgressionCase) -> None:
        competencies = (Competency.objects.filter(section__framework_id=case.framework_id)
                        .select_related("section").order_by("section__order", "order", "pk"))
        field = self.fields["competencies"]  # type: ignore[attr-defined]
        field.queryset = competencies
        field.choices = [
            (title, [(c.pk, f"{c.code}: {Truncator(c.statement).words(12)}") for c in group])
            for (_pk, title), group in itertools.groupby(competencies, key=lambda c: (c.section_id, c.section.title))
        ]
        # Shown under "return" only (all shown without JavaScript); clean_competencies refuses them otherwise.
        reveal(self, "decision", {"return": ["competencies"]})  # type: ignore[arg-type]

    def clean_competencies(self) -> Any:
        chosen = self.cleaned_data.get("competencies")  # type: ignore[attr-defined]
        if chosen and self.data.get("decision") != "return":  # type: ignore[attr-defined]
            raise forms.ValidationError("Choose competencies only when you return the case.")
        return chosen


COMPETENCIES_HELP = "The line manager sees these highlighted on the case page."


class HeadOfServiceForm(ReturnPointsAtCompetencies, RevisionForm):
    submit_label = "Continue"

    decision = forms.ChoiceField(label="Your decision", widget=forms.RadioSelect, choices=[
        ("recommend", "Recommend to the Operational Director"),
        ("return", "Return to the line manager"),
    ])
    comment = forms.CharField(label="Comment", widget=forms.Textarea(attrs={"rows": 4}), required=False,
                              help_text="Required to return the case: say what is missing.")
    competencies = CompetenciesConcerned(label="Competencies concerned", required=False,
                                         help_text=COMPETENCIES_HELP)

    def __init__(self, *args: Any, case: ProgressionCase, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.add_competencies(case)

    def clean(self) -> dict[str, Any]:
        return _reasons_needed(self, super().clean(), {"return": "return the case"})


class DirectorForm(ReturnPointsAtCompetencies, RevisionForm):
    submit_label = "Continue"

    decision = forms.ChoiceField(label="Your decision", widget=forms.RadioSelect, choices=[
        ("sign_off", "Sign off the progression"),
        ("return", "Return to the line manager"),
        ("decline", "Decline"),
    ])
    comment = forms.CharField(label="Comment", widget=forms.Textarea(attrs={"rows": 4}), required=False,
                              help_text="Required to return or decline the case.")
    competencies = CompetenciesConcerned(label="Competencies concerned", required=False,
                                         help_text=COMPETENCIES_HELP)

    def __init__(self, *args: Any, case: ProgressionCase, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.add_competencies(case)

    def clean(self) -> dict[str, Any]:
        return _reasons_needed(self, super().clean(), {"return": "return the case", "decline": "decline the case"})


def _reasons_needed(form: forms.Form, data: dict[str, Any], needing: dict[str, str]) -> dict[str, Any]:
    """A decision that needs reasons (the service refuses it without) is refused here, before the check page."""
    what = needing.get(data.get("decision", ""))
    if what and not (data.get("comment") or "").strip():
        form.add_error("comment", f"Give the reasons to {what}.")
    return data


class HrRecordForm(RevisionForm):
    submit_label = "Continue"

    hr_reference = forms.CharField(label="HR/payroll reference", max_length=100)
    effective_date = NHSDateField(label="Effective date", help_text="The date the new role takes effect.")
    redeployed_to = forms.ModelChoiceField(
        label="Redeployed to another team", queryset=Team.objects.none(), required=False,
        empty_label="No redeployment", help_text="Only where the business needs it; the worker must be told.",
    )
    comment = forms.CharField(label="Comment", widget=forms.Textarea(attrs={"rows": 3}), required=False)

    def __init__(self, *args: Any, case: ProgressionCase, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        # The teams where the practitioner's profession works, and any move the Head of Service or
        # the Operational Director recorded already.
        from progression.services.redeployment import redeployment_teams

        teams = redeployment_teams(case)
        if case.redeployed_to_id:
            teams = (teams | Team.objects.filter(pk=case.redeployed_to_id)).distinct()
        self.fields["redeployed_to"].queryset = teams.order_by("name")


class ToldForm(RevisionForm):
    submit_label = "Continue"

    told_on = NHSDateField(label="Date the worker was told", help_text="For example, 15 3 2025")
    told_by = PersonChoiceField(label="Who told them", queryset=User.objects.none(), empty_label="Choose a person")

    def __init__(self, *args: Any, case: ProgressionCase, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["told_by"].queryset = access.people_in(
            [case.organisation_id], Role.LINE_MANAGER, Role.HEAD_OF_SERVICE, Role.OPERATIONAL_DIRECTOR, Role.HR
        ).exclude(pk=case.practitioner_id).order_by("first_name", "last_name")


class LetterTemplateForm(NHSForm):
    submit_label = "Save the letter template"

    heading = forms.CharField(label="Heading", max_length=200)
    body = forms.CharField(
        label="Letter", widget=forms.Textarea(attrs={"rows": 18}),
        help_text="Placeholders: " + ", ".join("{{ " + name + " }}" for name in LETTER_PLACEHOLDERS)
        + ". A blank line starts a new paragraph.",
    )


class DelegationForm(NHSForm):
    submit_label = "Delegate my decisions"

    delegate = PersonChoiceField(label="Head of Service who will decide for you", queryset=User.objects.none(),
                                 empty_label="Choose a Head of Service")
    starts_on = NHSDateField(label="First day", help_text="For example, 21 12 2026")
    ends_on = NHSDateField(label="Last day", help_text="At most 92 days after the first day.")
    reason = forms.CharField(label="Reason (optional)", max_length=200, required=False,
                             help_text="For example, annual leave. The delegate and the case history show it.")

    def __init__(self, *args: Any, user: User, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        organisations = access.organisation_ids(user, Role.HEAD_OF_SERVICE)
        self.fields["delegate"].queryset = (access.people_in(organisations, Role.HEAD_OF_SERVICE)
                                            .exclude(pk=user.pk).filter(is_active=True)
                                            .order_by("first_name", "last_name"))


# Filters --------------------------------------------------------------------------------------


class CaseFilter(django_filters.FilterSet):
    STALE_CHOICES = [("7", "More than a week"), ("14", "More than 2 weeks"), ("30", "More than 30 days")]

    stage = django_filters.ChoiceFilter(label="Stage", choices=Stage.choices, empty_label="Any stage")
    team = django_filters.ModelChoiceFilter(label="Team", queryset=Team.objects.none(), empty_label="Any team")
    profession = django_filters.ModelChoiceFilter(
        label="Profession", field_name="practitioner__profession", queryset=Profession.objects.order_by("name"),
        empty_label="Any profession",
    )
    framework = django_filters.ModelChoiceFilter(label="Framework", queryset=Framework.objects.none(),
                                                 empty_label="Any framework")
    waiting = django_filters.ChoiceFilter(label="Time in current stage", choices=STALE_CHOICES,
                                          method="filter_waiting", empty_label="Any time")

    class Meta:
        model = ProgressionCase
        fields = ["stage", "team", "profession", "framework"]

    def __init__(self, *args: Any, user: User, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.filters["team"].queryset = access.scope(user, Team).select_related("organisation").order_by("name")
        self.filters["framework"].queryset = access.scope(user, Framework).order_by("name", "version")

    def filter_waiting(self, queryset: QuerySet, name: str, value: str) -> QuerySet:
        return queryset.filter(stage_changed_at__lt=timezone.now() - timezone.timedelta(days=int(value)))


# Self-assessment (services.self_assessment) ----------------------------------------------------------


class FrameworkSelfAssessmentForm(NHSForm):
    submit_label = "Save"

    self_assessed = forms.TypedChoiceField(
        label="Does the worker rate each competency themselves?", widget=forms.RadioSelect,
        coerce=lambda value: value == "yes",
        choices=[("yes", "Yes: the worker rates themselves, and disagreements are settled before submission"),
                 ("no", "No: only the manager marks competencies")],
        error_messages={"required": "Choose whether the worker rates each competency themselves."},
    )


class SelfAssessmentForm(NHSForm):
    """One rating per competency, on the manager's scale; a competency left unrated stays unrated."""

    submit_label = "Save my ratings"

    def __init__(self, *args: Any, rows: list[CompetencyAssessment], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.rows = rows
        for row in rows:
            self.fields[f"rating_{row.competency_id}"] = forms.ChoiceField(
                label=f"{row.competency.code}: {row.competency.statement}", required=False,
                widget=forms.RadioSelect, choices=CompetencyAssessment.Status.choices,
                error_messages={"invalid_choice": "Choose a rating from the list."},
            )
        # A fieldset per section, in the framework's order.
        self.helper.layout = Layout(*(
            Fieldset(title, *(f"rating_{row.competency_id}" for row in group))
            for (_pk, title), group in itertools.groupby(
                rows, key=lambda row: (row.competency.section_id, row.competency.section.title))
        ))

    def ratings(self) -> dict[int, str]:
        return {row.competency_id: self.cleaned_data.get(f"rating_{row.competency_id}") or "" for row in self.rows}


class SettleForm(NHSForm):
    """Which rating stands, or a new one, and why."""

    submit_label = "Settle the disagreement"

    outcome = forms.ChoiceField(
        label="Which rating stands?", widget=forms.RadioSelect,
        error_messages={"required": "Choose which rating stands, or a new one.",
                        "invalid_choice": "Choose which rating stands, or a new one."},
    )
    reason = forms.CharField(
        label="Reason", widget=forms.Textarea(attrs={"rows": 4}), max_length=4000,
        help_text="The practitioner, the Head of Service and the Operational Director read it.",
        error_messages={"required": "Give the reason for the outcome."},
    )

    def __init__(self, *args: Any, row: CompetencyAssessment, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        labels = dict(CompetencyAssessment.Status.choices)
        choices = [("worker", f"The practitioner's rating: {labels[row.self_status].lower()}")]
        if row.status != row.self_status:
            choices.append(("manager", f"The manager's rating: {labels[row.status].lower()}"))
        choices += [(f"new:{value}", f"A new rating: {label.lower()}") for value, label in labels.items()
                    if value not in (row.self_status, row.status)]
        self.fields["outcome"].choices = choices

    def chosen_outcome(self) -> tuple[str, str]:
        """The service's outcome and new rating."""
        value = self.cleaned_data["outcome"]
        if value.startswith("new:"):
            return "new", value.removeprefix("new:")
        return value, ""


# Skills passports (services.passports) ---------------------------------------------------------------


class PassportStartForm(NHSForm):
    submit_label = "Start the passport"

    framework = forms.ModelChoiceField(
        label="Which skills passport?", queryset=Framework.objects.none(), widget=forms.RadioSelect,
        empty_label=None,
        error_messages={"required": "Choose the skills passport to start.",
                        "invalid_choice": "Choose a skills passport from the list."},
    )

    def __init__(self, *args: Any, frameworks: QuerySet, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["framework"].queryset = frameworks
        self.fields["framework"].label_from_instance = lambda f: f"{f.name} ({f.to_level})" if f.to_level else f.name


class PassportSkillForm(NHSForm):
    submit_label = "Save"

    achieved_on = NHSDateField(label="Date you achieved it", help_text="For example, 15 3 2025",
                               error_messages={"required": "Enter the date you achieved the skill."})
    evidence_note = forms.CharField(
        label="Evidence note", widget=forms.Textarea(attrs={"rows": 4}), required=False, max_length=4000,
        help_text="What shows it: a task you did, training, an observation. Your manager reads it when they verify.",
    )

    def clean_achieved_on(self) -> Any:
        value = self.cleaned_data["achieved_on"]
        if value and value > timezone.localdate():
            raise forms.ValidationError("The date you achieved the skill cannot be in the future.")
        return value


class PassportVerifyForm(NHSForm):
    submit_label = "Save"

    verified = forms.TypedChoiceField(
        label="Is the skill verified?", widget=forms.RadioSelect, coerce=lambda value: value == "yes",
        choices=[("yes", "Yes, verified"), ("no", "Not yet")],
        error_messages={"required": "Choose whether the skill is verified."},
    )
    reason = forms.CharField(
        label="Reason", widget=forms.Textarea(attrs={"rows": 4}), required=False, max_length=4000,
        help_text="Required for \u201cnot yet\u201d: what the worker still needs to show. The worker reads it.",
    )
