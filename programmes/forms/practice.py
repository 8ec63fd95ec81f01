"""Forms of the practice side: review meetings, goals, reflections, protected time, needs assessment.

The forms only collect and shape what was typed; the rules live in ``programmes.services`` and
their ``ValidationError`` messages are put back beside the fields (``preceptorship.pages``).
"""

from __future__ import annotations

import itertools
import re
from collections.abc import Iterator
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from crispy_forms.helper import FormHelper
from crispy_forms.layout import Fieldset, Layout, Submit
from django import forms
from django.forms.models import ModelChoiceIterator
from django.http import QueryDict

from preceptorship.forms import GroupedCheckboxes, OneLineFields, RecordsField, reveal
from preceptorship.widgets import NHSDateField
from programmes.models import REFLECTIVE_MODELS, Enrolment, Goal, ProtectedTime, Reflection, ReviewAction, ReviewMeeting
from programmes.services import ActionItem
from progression.models import Competency

ACTION_ROWS = 3
SCORES = [(str(n), str(n)) for n in range(1, 6)]
ATTENDEES = [("preceptee", "Preceptee"), ("mentor", "Mentor"), ("line_manager", "Line manager")]
OTHERS = "others"  # the attendees' box that reveals who else attended


def score_messages(what: str = "") -> dict[str, str]:
    """The same clear message for a score left out and one outside 1 to 5 (a changed page or request)."""
    message = f"Choose a {f'{what} ' if what else ''}score from 1 to 5"
    return {"required": message, "invalid_choice": message}


def _textarea(rows: int = 5) -> forms.Textarea:
    return forms.Textarea(attrs={"rows": rows})


def _helper(*layout: Any, submit: str | None = "Save", secondary: tuple[str, str] | None = None) -> FormHelper:
    helper = FormHelper()
    helper.layout = Layout(*layout)
    if submit:
        helper.add_input(Submit("save", submit))
    if secondary:
        helper.add_input(Submit(secondary[0], secondary[1], css_class="nhsuk-button--secondary"))
    return helper


class _CompetenciesBySection(ModelChoiceIterator):
    """The framework's competencies in its order, under their section's title."""

    def __iter__(self) -> Iterator[tuple[str, list[tuple[Any, str]]]]:
        for section, competencies in itertools.groupby(self.queryset, key=lambda competency: competency.section):
            yield section.title, [self.choice(competency) for competency in competencies]


class CompetencyField(RecordsField):
    iterator = _CompetenciesBySection

    def label_from_instance(self, obj: Competency) -> str:
        return f"{obj.code} {obj.statement}"  # the whole statement: what is ticked must be read in full


def _competency_field(enrolment: Enrolment, label: str) -> forms.ModelMultipleChoiceField | None:
    framework_id = enrolment.programme.framework_id
    if not framework_id:
        return None
    return CompetencyField(
        label=label, required=False, widget=GroupedCheckboxes,
        queryset=Competency.objects.filter(section__framework_id=framework_id).select_related("section")
        .order_by("section__order", "section_id", "order", "id"),
        help_text="Optional. Competencies of the programme's practice standards this links to.",
        error_messages={"invalid_choice": "Choose competencies from the list: they are the programme's framework's",
                        "invalid_pk_value": "Choose competencies from the list: they are the programme's framework's"},
    )


# Review meetings


class ReviewForm(OneLineFields, forms.Form):
    """Record or correct a review meeting: the meeting, goal progress on each goal, and the actions agreed."""

    held_on = NHSDateField(label="Date held", help_text="For example, 15 3 2025",
                           error_messages={"required": "Enter the date of the meeting"})
    attended = forms.MultipleChoiceField(
        label="Who attended", choices=[*ATTENDEES, (OTHERS, "Someone else")], widget=forms.CheckboxSelectMultiple,
        help_text="Select everyone who was there.",
        error_messages={"required": "Select who attended the meeting"},
    )
    attended_others = forms.CharField(
        label="Who else attended?", max_length=300, required=False,
        help_text="Names and roles, for example a practice educator.",
    )
    discussion = forms.CharField(
        label="What was discussed", widget=_textarea(8),
        help_text="Reflective practice, learning and development needs, caseload, support, anything else.",
        error_messages={"required": "Enter what was discussed at the meeting"},
    )
    wellbeing = forms.TypedChoiceField(
        label="The preceptee's wellbeing", choices=SCORES, coerce=int, widget=forms.RadioSelect,
        help_text="Ask every time so the trend shows: 1 is struggling, 5 is thriving.",
        error_messages=score_messages("wellbeing"),
    )
    confidence = forms.TypedChoiceField(
        label="The preceptee's confidence", choices=SCORES, coerce=int, widget=forms.RadioSelect,
        help_text="1 is not at all confident, 5 is very confident.",
        error_messages=score_messages("confidence"),
    )
    protected_time_received = forms.ChoiceField(
        label="Has the preceptee had their protected time since the last meeting?", required=False,
        choices=ReviewMeeting.ProtectedTime.choices, widget=forms.RadioSelect,
    )
    caseload_percent = forms.IntegerField(
        label="The preceptee's caseload, as a share of a full caseload (%)", required=False, min_value=0,
        max_value=200, widget=forms.TextInput(attrs={"inputmode": "numeric", "class": "nhsuk-input--width-3"}),
        help_text="For example 60 for three fifths of a full caseload.",
        error_messages={"invalid": "Enter the caseload as a whole number, for example 60",
                        "min_value": "Enter a caseload from 0 to 200 per cent",
                        "max_value": "Enter a caseload from 0 to 200 per cent"},
    )
    next_meeting_on = NHSDateField(
        label="Next meeting", required=False,
        help_text=("Filled in as the programme's interval after today. Change it if the meeting was on another day "
                   "or you have agreed another date; left empty, it is planned from the date held."),
    )

    def __init__(
        self, *args: Any, goals: list[Goal] | None = None, with_actions: bool = True, action_rows: int = ACTION_ROWS,
        submit: str = "Save the record", with_draft: bool = False,
        protected_caseload: tuple[int, int] | None = None, **kwargs: Any,
    ):
        super().__init__(*args, **kwargs)
        self.goals = goals or []
        self.with_actions = with_actions
        self.action_rows = max(ACTION_ROWS, action_rows)
        for goal in self.goals:
            self.fields[f"goal_{goal.pk}"] = forms.CharField(
                label=f"Progress on \u201c{goal.what}\u201d", required=False, widget=_textarea(3),
                help_text=f"Measure: {goal.measure}",
            )
        if with_actions:
            for n in range(1, self.action_rows + 1):
                self.fields[f"action_{n}"] = forms.CharField(label=f"Action {n}", max_length=300, required=False)
                self.fields[f"action_{n}_owner"] = forms.ChoiceField(
                    label=f"Who will do action {n}", required=False,
                    choices=[("", "Choose who")] + list(ReviewAction.Owner.choices),
                )
                self.fields[f"action_{n}_due"] = NHSDateField(label=f"Action {n} due by", required=False)
        reveal(self, "attended", {OTHERS: ["attended_others"]}, needed=["attended_others"])
        meeting = ["held_on", "attended", "attended_others", "discussion"]
        wellbeing = ["wellbeing", "confidence", "protected_time_received", "caseload_percent"]
        if protected_caseload:
            self.fields["caseload_percent"].help_text = (
                f"For example 60 for three fifths of a full caseload. This programme protects its preceptees' "
                f"caseload: at most {protected_caseload[0]}% for their first {protected_caseload[1]} months.")
        layout = [Fieldset("The meeting", *meeting), Fieldset("How the preceptee is doing", *wellbeing)]
        if self.goals:
            layout.append(Fieldset("Goals reviewed", *[f"goal_{g.pk}" for g in self.goals]))
        if with_actions:
            rows = range(1, self.action_rows + 1)
            names = [name for n in rows for name in (f"action_{n}", f"action_{n}_owner", f"action_{n}_due")]
            layout.append(Fieldset("Actions agreed", *names))
        layout.append(Fieldset("Next meeting", "next_meeting_on"))
        self.helper = _helper(*layout, submit=submit,
                              secondary=("draft", "Save and finish later") if with_draft else None)

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean()
        if OTHERS not in (cleaned.get("attended") or []):
            cleaned["attended_others"] = ""  # hidden under "Someone else", not chosen
            self.errors.pop("attended_others", None)
        elif not (cleaned.get("attended_others") or "").strip() and "attended_others" not in self.errors:
            self.add_error("attended_others", "Enter who else attended the meeting")
        if self.with_actions:
            for n in range(1, self.action_rows + 1):
                has_text = bool((cleaned.get(f"action_{n}") or "").strip())
                if has_text and not cleaned.get(f"action_{n}_owner"):
                    self.add_error(f"action_{n}_owner", f"Choose who will do action {n}")
                elif not has_text and (cleaned.get(f"action_{n}_owner") or cleaned.get(f"action_{n}_due")):
                    self.add_error(f"action_{n}", f"Describe action {n}, or clear its owner and date")
        return cleaned

    def review_fields(self) -> dict[str, Any]:
        data = self.cleaned_data
        attended = set(data["attended"])
        return {
            "held_on": data["held_on"], "discussion": data["discussion"], "wellbeing": data["wellbeing"],
            "confidence": data["confidence"], "attended_preceptee": "preceptee" in attended,
            "attended_mentor": "mentor" in attended, "attended_line_manager": "line_manager" in attended,
            "attended_others": data["attended_others"], "protected_time_received": data["protected_time_received"],
            "caseload_percent": data.get("caseload_percent"), "next_meeting_on": data["next_meeting_on"],
        }

    def goal_progress(self) -> dict[int, str]:
        return {goal.pk: self.cleaned_data.get(f"goal_{goal.pk}", "") for goal in self.goals}

    def actions(self) -> list[ActionItem]:
        rows = []
        for n in range(1, self.action_rows + 1):
            text = (self.cleaned_data.get(f"action_{n}") or "").strip()
            if text:
                owner, due = self.cleaned_data[f"action_{n}_owner"], self.cleaned_data.get(f"action_{n}_due")
                rows.append(ActionItem(text, owner, due, row=n))
        return rows

    def _posted_names(self) -> set[str]:
        names = set()
        for name, field in self.fields.items():
            key = self.add_prefix(name)
            if isinstance(field.widget, forms.MultiWidget):  # the date's day, month and year boxes
                names.update(f"{key}_{n}" for n in range(len(field.widget.widgets)))
            else:
                names.add(key)
        return names

    def typed(self) -> dict[str, list[str]]:
        """What was posted for this form's fields, as typed and unchecked: a draft keeps it so."""
        return {name: self.data.getlist(name) for name in sorted(self._posted_names()) if name in self.data}

    def restore(self, typed: dict[str, list[str]]) -> None:
        """Show what a draft kept (``typed``) in the fields, as if it had just been typed."""
        data = QueryDict(mutable=True)
        for name in self._posted_names() & set(typed):
            data.setlist(name, [str(value) for value in typed[name]])
        for name, field in self.fields.items():
            self.initial[name] = field.widget.value_from_datadict(data, {}, self.add_prefix(name))

    @staticmethod
    def initial_from(review: ReviewMeeting) -> dict[str, Any]:
        attended = [key for key, _ in ATTENDEES if getattr(review, f"attended_{key}")]
        if review.attended_others:
            attended.append(OTHERS)
        names = ["held_on", "attended_others", "discussion", "wellbeing", "confidence", "protected_time_received",
                 "caseload_percent", "next_meeting_on"]
        initial = {"attended": attended, **{name: getattr(review, name) for name in names}}
        initial.update({f"goal_{update.goal_id}": update.note for update in review.goal_updates.all()})
        for n, action in enumerate(review.actions.all(), start=1):
            initial.update({f"action_{n}": action.description, f"action_{n}_owner": action.owner,
                            f"action_{n}_due": action.due_on})
        return initial


class NotHeldForm(OneLineFields, forms.Form):
    status = forms.ChoiceField(
        label="What happened?", widget=forms.RadioSelect,
        choices=[(ReviewMeeting.Status.CANCELLED, "It was cancelled"), (ReviewMeeting.Status.MISSED, "It was missed")],
        error_messages={"required": "Choose whether the meeting was cancelled or missed"},
    )
    reason = forms.CharField(label="Why did the meeting not take place?", widget=_textarea(4),
                             error_messages={"required": "Say why the meeting did not take place"})
    new_date = NHSDateField(label="New date for the meeting", help_text="For example, 15 3 2025",
                            error_messages={"required": "Enter the new date for the meeting"})

    def __init__(self, *args: Any, **kwargs: Any):
        super().__init__(*args, **kwargs)
        self.helper = _helper("status", "reason", "new_date", submit="Save")


class AcknowledgeForm(OneLineFields, forms.Form):
    comment = forms.CharField(
        label="Your comment", required=False, widget=_textarea(4),
        help_text="Optional. Anything you want to add to the record, or where you see it differently.",
    )


class AddendumForm(OneLineFields, forms.Form):
    text = forms.CharField(
        label="Addendum", widget=_textarea(4),
        help_text="The record is locked. What you write here is added beneath it, dated and signed with your name.",
    )


# Goals


class GoalForm(OneLineFields, forms.Form):
    what = forms.CharField(label="Specific: what do you want to achieve?", max_length=300)
    measure = forms.CharField(
        label="Measurable: how will you know you have achieved it?", widget=_textarea(3),
        error_messages={"required": "Say how you will measure success: a goal needs a measure."},
    )
    achievable = forms.CharField(
        label="Achievable: what will help you achieve it?", required=False, widget=_textarea(3),
        help_text="The support, time, learning or resources you need.",
    )
    relevant = forms.CharField(
        label="Relevant: why does it matter to your practice?", required=False, widget=_textarea(3),
        help_text="How it links to your role, your learning needs or the practice standards.",
    )
    target_date = NHSDateField(label="Time-bound: target date", help_text="For example, 15 3 2026")

    def __init__(self, *args: Any, enrolment: Enrolment, with_status: bool = False, **kwargs: Any):
        super().__init__(*args, **kwargs)
        names = ["what", "measure", "achievable", "relevant", "target_date"]
        competencies = _competency_field(enrolment, "Competencies this goal works towards")
        if competencies is not None:
            self.fields["competencies"] = competencies
            names.append("competencies")
        if with_status:
            self.fields["status"] = forms.ChoiceField(label="Status", choices=Goal.Status.choices,
                                                      widget=forms.RadioSelect)
            self.fields["status_reason"] = forms.CharField(
                label="Why it changed or was dropped", required=False, widget=_textarea(3),
                help_text="Needed when the status is changed or dropped.",
            )
            names += ["status", "status_reason"]
        self.helper = _helper(*names, submit="Save the goal")


class GoalProgressForm(OneLineFields, forms.Form):
    on = NHSDateField(label="Date", help_text="For example, 15 3 2025")
    note = forms.CharField(label="Progress", widget=_textarea(4), help_text="What you did and what changed.")

    def __init__(self, *args: Any, **kwargs: Any):
        super().__init__(*args, **kwargs)
        self.helper = _helper("on", "note", submit="Add progress")


# Reflections


class ReflectiveModelForm(OneLineFields, forms.Form):
    model = forms.ChoiceField(
        label="Which reflective model do you want to use?", widget=forms.RadioSelect,
        choices=Reflection.Model.choices,
        help_text="Each model asks its own questions. Free text lets you write in your own way.",
    )

    def __init__(self, *args: Any, **kwargs: Any):
        super().__init__(*args, **kwargs)
        self.helper = _helper("model", submit="Continue")
        self.helper.form_method = "get"


class ReflectionForm(OneLineFields, forms.Form):
    """Title and one box per prompt of the chosen model; "Save as draft" keeps it private and unfinished."""

    title = forms.CharField(label="Title", max_length=200, help_text="A few words you will recognise later.")

    def __init__(self, *args: Any, model: str, enrolment: Enrolment, goals: list[Goal], **kwargs: Any):
        super().__init__(*args, **kwargs)
        self.model = model
        self.prompt_keys = []
        for key, label, hint in REFLECTIVE_MODELS[model][1]:
            self.fields[f"answer_{key}"] = forms.CharField(label=label, help_text=hint, required=False,
                                                           widget=_textarea(6))
            self.prompt_keys.append(key)
        names = ["title", *(f"answer_{key}" for key in self.prompt_keys)]
        links = []
        if goals:
            self.fields["goals"] = forms.MultipleChoiceField(
                label="Goals this reflection relates to", required=False, widget=forms.CheckboxSelectMultiple,
                choices=[(str(goal.pk), goal.what) for goal in goals],
            )
            self.goal_objects = {str(goal.pk): goal for goal in goals}
            links.append("goals")
        competencies = _competency_field(enrolment, "Competencies this reflection evidences")
        if competencies is not None:
            self.fields["competencies"] = competencies
            links.append("competencies")
        layout = [Fieldset(REFLECTIVE_MODELS[model][0], *names)]
        if links:
            layout.append(Fieldset("Links", *links))
        # Shared on "Save and finish" (a draft is never shared), as the reflection's page would.
        self.fields["with_mentor"] = forms.BooleanField(
            label="Share it with my mentor when I finish", required=False,
        )
        sharing = ["with_mentor"]
        if enrolment.line_manager_id:
            self.fields["with_line_manager"] = forms.BooleanField(
                label="Share it with my line manager too", required=False,
                help_text="Only if you also share it with your mentor.",
            )
            sharing.append("with_line_manager")
        layout.append(Fieldset("Sharing", *sharing))
        self.helper = _helper(*layout, submit="Save and finish", secondary=("draft", "Save as draft"))

    def answers(self) -> dict[str, str]:
        return {key: self.cleaned_data.get(f"answer_{key}", "") for key in self.prompt_keys}

    def chosen_goals(self) -> list[Goal]:
        return [self.goal_objects[pk] for pk in self.cleaned_data.get("goals", [])]

    @staticmethod
    def initial_from(reflection: Reflection) -> dict[str, Any]:
        initial: dict[str, Any] = {"title": reflection.title}
        initial.update({f"answer_{key}": value for key, value in (reflection.answers or {}).items()})
        initial["goals"] = [str(pk) for pk in reflection.goals.values_list("pk", flat=True)]
        initial["competencies"] = list(reflection.competencies.all())
        initial["with_mentor"] = reflection.shared_with_mentor
        initial["with_line_manager"] = reflection.shared_with_line_manager
        return initial


class ShareForm(OneLineFields, forms.Form):
    with_mentor = forms.BooleanField(label="Share with my mentor", required=False)
    with_line_manager = forms.BooleanField(
        label="Share with my line manager too", required=False,
        help_text="Only if you also share it with your mentor.",
    )


class FeedbackForm(OneLineFields, forms.Form):
    text = forms.CharField(label="Your feedback", widget=_textarea(5),
                           error_messages={"required": "Enter your feedback."})


# Protected time and needs assessment


_HOURS_AND_MINUTES = re.compile(r"^(\d{1,2}):([0-5]\d)$")
_MINUTES = re.compile(r"^(\d{1,4})\s*(?:m|min|mins|minute|minutes)$")
_HOURS_THEN_MINUTES = re.compile(r"^(\d{1,2})\s*(?:h|hr|hrs|hour|hours)(?:\s*(\d{1,2})\s*(?:m|min|mins|minutes)?)?$")


class HoursField(forms.DecimalField):
    """Hours as people write them: 1.5, 1:30, 90 min, 1h 30m or 2 hours, to the nearest tenth."""

    def to_python(self, value: Any) -> Decimal | None:
        text = str(value or "").strip().lower()
        minutes = None
        if found := _HOURS_AND_MINUTES.match(text):
            minutes = int(found[1]) * 60 + int(found[2])
        elif found := _MINUTES.match(text):
            minutes = int(found[1])
        elif found := _HOURS_THEN_MINUTES.match(text):
            minutes = int(found[1]) * 60 + int(found[2] or 0)
        if minutes is None:
            return super().to_python(value)
        return (Decimal(minutes) / 60).quantize(Decimal("0.1"), rounding=ROUND_HALF_UP)


class ProtectedTimeForm(OneLineFields, forms.Form):
    on = NHSDateField(label="Date", help_text="For example, 15 3 2025")
    hours = HoursField(
        label="Hours", min_value=Decimal("0.5"), max_value=Decimal(24), max_digits=4, decimal_places=1,
        widget=forms.TextInput(attrs={"inputmode": "decimal", "class": "nhsuk-input--width-4"}),
        help_text="For example 1.5, 1:30 or 90 min",
        error_messages={"invalid": "Enter the hours, for example 1.5, 1:30 or 90 min",
                        "min_value": "Enter at least half an hour", "max_value": "Enter 24 hours or fewer",
                        "max_decimal_places": "Enter the hours to one decimal place, for example 1.5",
                        "max_digits": "Enter 24 hours or fewer"},
    )
    activity = forms.ChoiceField(label="Activity", choices=ProtectedTime.Activity.choices, widget=forms.RadioSelect)
    note = forms.CharField(label="What you did", max_length=300, required=False,
                           help_text="Optional, for example the course or who you shadowed.")

    def __init__(self, *args: Any, submit: str = "Log the time", **kwargs: Any):
        super().__init__(*args, **kwargs)
        self.helper = _helper("on", "hours", "activity", "note", submit=submit)


class NeedsAssessmentForm(OneLineFields, forms.Form):
    strengths = forms.CharField(
        label="Your strengths", required=False, widget=_textarea(5),
        help_text="What you bring: skills, experience, previous learning, placements.",
    )
    learning_needs = forms.CharField(
        label="Your learning needs", required=False, widget=_textarea(5),
        help_text="What you want to learn or feel less sure about as you start.",
    )
    support_wanted = forms.CharField(
        label="Support you would like", required=False, widget=_textarea(5),
        help_text="For example supervision, shadowing, time to study, a peer group.",
    )
    reasonable_adjustments = forms.CharField(
        label="Reasonable adjustments", required=False, widget=_textarea(4),
        help_text="Anything that helps you work and learn at your best. Only you, your mentor and your line "
                  "manager see this.",
    )

    def __init__(self, *args: Any, **kwargs: Any):
        super().__init__(*args, **kwargs)
        self.helper = _helper(
            "strengths", "learning_needs", "support_wanted", "reasonable_adjustments",
            submit="Save and share with my mentor and line manager", secondary=("draft", "Save as draft"),
        )
