"""Forms of the "offer preceptorship" pages: the list's filters, marking a transition, recording a
decline, and the one-step enrolment. They check the shape of the input; the rules are the services'."""

from __future__ import annotations

from typing import Any

from django import forms

from preceptorship.models import Profession, Team
from preceptorship.widgets import NHSDateField
from programmes.forms.lead import PeopleSearchForm
from programmes.models import Programme, Transition, TransitionMark
from programmes.offer import REGISTERED_KINDS
from programmes.services.offer import REASON_MAX_LENGTH


class OfferFilterForm(forms.Form):
    """The list's filters: team and profession, and whether to list everyone not on a programme
    (to mark a transition the staff record cannot show)."""

    WAITING, EVERYONE = "waiting", "everyone"

    show = forms.ChoiceField(
        label="Show", required=False, widget=forms.RadioSelect,
        choices=[(WAITING, "People to offer preceptorship to"),
                 (EVERYONE, "Everyone not on a programme, to mark someone returning, recruited abroad or "
                            "changing sector")],
    )
    team = forms.ModelChoiceField(queryset=Team.objects.none(), required=False, empty_label="Any team",
                                  error_messages={"invalid_choice": "Choose a team from the list"})
    profession = forms.ModelChoiceField(
        queryset=Profession.objects.filter(kind__in=REGISTERED_KINDS), required=False, empty_label="Any profession",
        error_messages={"invalid_choice": "Choose a profession from the list"},
    )

    def __init__(self, *args: Any, teams: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["team"].queryset = teams

    def chosen(self) -> dict[str, Any]:
        """The valid filters (an invalid one is ignored and shown beside its field)."""
        if not self.is_valid():
            return {name: value for name, value in self.cleaned_data.items() if name not in self.errors}
        return self.cleaned_data


class MarkForm(forms.Form):
    transition = forms.ChoiceField(
        label="What does the staff record not show?", widget=forms.RadioSelect,
        choices=[(value, value.label) for value in TransitionMark.MARKABLE],
        error_messages={"required": "Choose returning to practice, internationally recruited or changing setting "
                                    "or sector", "invalid_choice": "Choose one of the options"},
    )


class DeclineForm(forms.Form):
    reason = forms.CharField(
        label="Why did they decline?", widget=forms.Textarea(attrs={"rows": 4}), max_length=REASON_MAX_LENGTH,
        help_text="Kept on their record. They leave the list; you can undo this later.",
        error_messages={"required": "Say why they declined",
                        "max_length": f"Keep the reason to {REASON_MAX_LENGTH} characters or fewer"},
    )
    declined_on = NHSDateField(label="Date they declined", help_text="For example, 2 12 2026")


class OfferEnrolForm(PeopleSearchForm):
    """Enrol one person from the offer list: the programme is chosen on the page before, the
    transition and the line manager are pre-filled, the mentor found by name."""

    start_date = NHSDateField(label="Start date", help_text="For example, 1 9 2026")
    transition = forms.ChoiceField(
        label="Transition reason", choices=Transition.choices, widget=forms.RadioSelect,
        error_messages={"required": "Choose the transition reason"},
    )
    field_order = ["start_date", "transition", "find_mentor", "mentor", "find_line_manager", "line_manager",
                   "confirm_over_capacity"]

    def __init__(self, *args: Any, programme: Programme, searching: bool = False, **kwargs: Any) -> None:
        super().__init__(*args, programme=programme, searching=searching, **kwargs)
        transitions = [(value, label) for value, label in Transition.choices if value in programme.transitions]
        self.fields["transition"].choices = transitions or Transition.choices
