"""Forms of the preceptor's side. They collect what was typed; the rules are the services'."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from crispy_forms.helper import FormHelper
from crispy_forms.layout import Layout, Submit
from django import forms

from preceptorship.forms import OneLineFields, reveal
from preceptorship.widgets import NHSDateField
from programmes.forms.practice import HoursField, score_messages
from programmes.preceptors.models import PreceptorEvaluation

SCORES = [(n, str(n)) for n in range(1, 6)]
YEAR_HOURS_MESSAGES = {
    "invalid": "Enter the hours as a number, for example 30",
    "min_value": "Enter 0 hours or more",
    "max_value": "Enter 2,000 hours or fewer",
    "max_decimal_places": "Enter the hours to one decimal place, for example 30.5",
    "max_digits": "Enter 2,000 hours or fewer",
}


def _helper(*layout: Any, submit: str = "Save") -> FormHelper:
    helper = FormHelper()
    helper.layout = Layout(*layout)
    helper.add_input(Submit("save", submit))
    return helper


def _year_hours(label: str, *, required: bool, help_text: str = "") -> forms.DecimalField:
    return forms.DecimalField(
        label=label, required=required, min_value=Decimal(0), max_value=Decimal(2000), max_digits=6,
        decimal_places=1, help_text=help_text, error_messages={"required": "Enter the hours", **YEAR_HOURS_MESSAGES},
        widget=forms.TextInput(attrs={"inputmode": "decimal", "class": "nhsuk-input--width-5"}),
    )


def _score(label: str, hint: str) -> forms.TypedChoiceField:
    return forms.TypedChoiceField(label=label, help_text=hint, choices=SCORES, coerce=int, widget=forms.RadioSelect,
                                  error_messages=score_messages())


class TrainingForm(OneLineFields, forms.Form):
    training_completed_on = NHSDateField(
        label="Date preceptor training completed", required=False, help_text="For example, 15 3 2025"
    )
    training_course = forms.CharField(
        label="Course name", max_length=200, required=False,
        help_text="For example, the organisation's preceptor preparation course.",
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.helper = _helper("training_completed_on", "training_course", submit="Save training")


class RegisterEntryForm(OneLineFields, forms.Form):
    registered_on = NHSDateField(
        label="Date first registered with their professional body", required=False,
        help_text="From their HCPC, Social Work England or NMC record. For example, 15 3 2020",
    )
    has_exception = forms.TypedChoiceField(
        label="Is an exception to the 12 months' registration rule agreed?",
        choices=[("yes", "Yes"), ("no", "No")], coerce=lambda value: value == "yes", widget=forms.RadioSelect,
        help_text="Only when they mentor before 12 months on the register, for example in a small profession.",
        error_messages={"required": "Say whether an exception is agreed",
                        "invalid_choice": "Say whether an exception is agreed"},
    )
    exception_reason = forms.CharField(
        label="Why the exception was agreed", required=False, widget=forms.Textarea(attrs={"rows": 3}),
        max_length=2000,
    )
    exception_agreed_by = forms.CharField(
        label="Who agreed it", max_length=200, required=False, help_text="Their name and role."
    )
    exception_agreed_on = NHSDateField(label="Date agreed", required=False, help_text="For example, 15 3 2025")
    allowance_hours = _year_hours(
        "Their own time allowance each year (hours)", required=False,
        help_text="Leave empty to use the organisation's allowance.",
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        exception = ["exception_reason", "exception_agreed_by", "exception_agreed_on"]
        reveal(self, "has_exception", {"yes": exception}, needed=exception)
        self.helper = _helper("registered_on", "has_exception", *exception, "allowance_hours",
                              submit="Save the entry")


class AllowanceForm(forms.Form):
    allowance_hours = _year_hours(
        "Time allowance per preceptor each year (hours)", required=True,
        help_text="The hours a preceptor may give their preceptees from April to March, unless their own is set.",
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.helper = _helper("allowance_hours", submit="Save the allowance")


class TimeGivenForm(OneLineFields, forms.Form):
    enrolment = forms.ModelChoiceField(
        label="Preceptee", queryset=None, empty_label=None, widget=forms.RadioSelect,
        error_messages={"required": "Choose the preceptee", "invalid_choice": "Choose one of your own preceptees"},
    )
    on = NHSDateField(label="Date", help_text="For example, 15 3 2025")
    hours = HoursField(
        label="Hours", min_value=Decimal("0.5"), max_value=Decimal(24), max_digits=4, decimal_places=1,
        widget=forms.TextInput(attrs={"inputmode": "decimal", "class": "nhsuk-input--width-4"}),
        help_text="For example 1.5, 1:30 or 90 min",
        error_messages={"required": "Enter the hours", "invalid": "Enter the hours, for example 1.5, 1:30 or 90 min",
                        "min_value": "Enter at least half an hour", "max_value": "Enter 24 hours or fewer",
                        "max_decimal_places": "Enter the hours to one decimal place, for example 1.5",
                        "max_digits": "Enter 24 hours or fewer"},
    )
    note = forms.CharField(label="What it was for", max_length=300, required=False,
                           help_text="Optional, for example supervision or feedback on a reflection.")

    def __init__(self, *args: Any, enrolments: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["enrolment"]
        field.queryset = enrolments
        field.label_from_instance = lambda e: f"{e.preceptee} ({e.programme})"
        self.helper = _helper("enrolment", "on", "hours", "note", submit="Log the time")


class WellbeingForm(forms.Form):
    score = _score("How are you feeling after this meeting?", "1 is struggling, 5 is very well.")
    note = forms.CharField(label="Anything you want to note for yourself", required=False, max_length=2000,
                           widget=forms.Textarea(attrs={"rows": 4}),
                           help_text="Only you see this note.")

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.helper = _helper("score", "note", submit="Save")


class EvaluationForm(forms.Form):
    prepared = _score("How well did your training prepare you to be a preceptor?", "1 is not at all, 5 is very well.")
    time_enough = _score("Did you have the time you needed for your preceptees?", "1 is never, 5 is always.")
    supported = _score("How well supported did you feel as a preceptor?", "1 is not at all, 5 is very well supported.")
    again = forms.ChoiceField(
        label="Would you be a preceptor again?", choices=PreceptorEvaluation.Again.choices, widget=forms.RadioSelect,
        error_messages={"required": "Say whether you would be a preceptor again",
                        "invalid_choice": "Say whether you would be a preceptor again"},
    )
    comments = forms.CharField(label="Anything else you want to tell us", required=False, max_length=5000,
                               widget=forms.Textarea(attrs={"rows": 5}))

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.helper = _helper("prepared", "time_enough", "supported", "again", "comments", submit="Send your answers")
