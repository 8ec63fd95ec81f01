"""The supervision note and learning objective forms (NHS.UK markup through the crispy pack)."""

from __future__ import annotations

from django import forms

from preceptorship.widgets import NHSDateField
from progression.forms import NHSForm
from progression.supervision.models import LearningObjective, SupervisionNote
from progression.supervision.services import MAX_DISCUSSION, MAX_OBJECTIVE


class SupervisionNoteForm(NHSForm):
    submit_label = "Save the note"

    kind = forms.ChoiceField(label="Kind of session", choices=SupervisionNote.Kind.choices, widget=forms.RadioSelect,
                             error_messages={"required": "Choose the kind of session.",
                                             "invalid_choice": "Choose the kind of session."})
    held_on = NHSDateField(label="Date of the session", help_text="For example, 15 3 2026",
                           error_messages={"required": "Enter the date of the session."})
    discussion = forms.CharField(
        label="What was discussed", widget=forms.Textarea(attrs={"rows": 8}), max_length=MAX_DISCUSSION,
        help_text="The competencies you talked about, examples and dates that show them, and what is still to "
                  "develop. Only you and the other person on the case can read it.",
        error_messages={"required": "Enter what was discussed."},
    )


class LearningObjectiveForm(NHSForm):
    submit_label = "Save the objective"

    text = forms.CharField(label="Learning objective", widget=forms.Textarea(attrs={"rows": 3}),
                           max_length=MAX_OBJECTIVE,
                           help_text="What skill or experience to develop, and how it will be shown.",
                           error_messages={"required": "Enter the learning objective."})
    target_date = NHSDateField(label="Target date", help_text="For example, 30 6 2026",
                               error_messages={"required": "Enter the target date."})
    status = forms.ChoiceField(label="How it stands", choices=LearningObjective.Status.choices,
                               widget=forms.RadioSelect, initial=LearningObjective.Status.NOT_STARTED,
                               error_messages={"required": "Choose how the objective stands.",
                                               "invalid_choice": "Choose how the objective stands."})
