"""The dashboards' filter forms (GET forms: a bad value shows an error, never a 500)."""

from __future__ import annotations

import datetime
from collections.abc import Callable, Iterator
from typing import Any

from django import forms
from django.forms.models import ModelChoiceIteratorValue
from django.utils import timezone
from django.utils.safestring import SafeString

from preceptorship import forms_html
from preceptorship.forms import ListedChoiceField, ListedChoiceIterator
from preceptorship.models import Profession, Team
from preceptorship.widgets import NHSDateField
from programmes.models import Programme, Transition
from programmes.reporting.measures import Filters, Period
from programmes.reporting.models import StandardSet

DEFAULT_MONTHS = 12
MAX_MONTHS = 36


class PeriodForm(forms.Form):
    date_from = NHSDateField(
        label="From", required=False, help_text="The month the period starts, for example 1 4 2025"
    )
    date_to = NHSDateField(label="To", required=False, help_text="The month the period ends, for example 31 3 2026")
    profession = ListedChoiceField(
        queryset=Profession.objects.order_by("name"), required=False, empty_label="All professions"
    )

    def __init__(self, *args: Any, today: datetime.date | None = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.today = today or timezone.localdate()
        read_plainly(self, {
            "profession": lambda: list(self.fields["profession"].queryset.values_list("pk", "name")),
        })

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        start, end = data.get("date_from"), data.get("date_to")
        if start and end and end < start:
            self.add_error("date_to", "The end of the period must be after its start")
        elif start and end and (end.year - start.year) * 12 + end.month - start.month >= MAX_MONTHS:
            self.add_error("date_to", f"Choose a period of {MAX_MONTHS} months or less")
        return data

    def period(self) -> Period:
        """The chosen period, or the last 12 months when the form is empty or has errors."""
        default = Period.last_months(DEFAULT_MONTHS, self.today)
        if not self.is_valid():
            return default
        start = self.cleaned_data.get("date_from")
        end = self.cleaned_data.get("date_to")
        if start and not end:
            end = max(start, self.today)
        if end and not start:
            start = Period.last_months(DEFAULT_MONTHS, end).start
        if not start:
            return default
        if (end.year - start.year) * 12 + end.month - start.month >= MAX_MONTHS:
            return default
        return Period(start, end)

    def cleaned(self, name: str) -> Any:
        return self.cleaned_data.get(name) if self.is_valid() else None

    def as_fields_html(self) -> SafeString:
        """The fields in the markup of the crispy pack, written by the core (``preceptorship.forms_html``);
        the template draws a form with errors through crispy, with its error messages."""
        return forms_html.fields_html(self) or SafeString("")


class PlainChoiceIterator(ListedChoiceIterator):
    """A list whose choices ``read_plainly`` reads as (id, label) values."""

    def listed(self) -> Iterator[tuple[ModelChoiceIteratorValue, str]]:
        for pk, label in self.field.read_list():
            yield ModelChoiceIteratorValue(pk, None), label


def read_plainly(form: forms.Form, lists: dict[str, Callable[[], list[tuple[int, str]]]]) -> None:
    """The choices of the form's ``ListedChoiceField`` lists named in ``lists``, each read when the
    form is drawn by its function as (id, label) in order of name: a plain query of two or three
    columns, not a record built for each choice (and no UNION of the lists: its expressions cost
    more to build than three plain queries take to run). A choice made is still checked against
    its field's queryset."""
    for name, read in lists.items():
        field = form.fields[name]
        field.iterator, field.read_list = PlainChoiceIterator, read
        field.widget.choices = field.choices  # the widget keeps the iterator it was given with the queryset


class DashboardFilterForm(PeriodForm):
    programme = ListedChoiceField(queryset=Programme.objects.none(), required=False, empty_label="All programmes")
    team = ListedChoiceField(queryset=Team.objects.none(), required=False, empty_label="All teams")
    transition = forms.ChoiceField(
        label="Transition reason", required=False, choices=[("", "All transition reasons"), *Transition.choices]
    )

    field_order = ["date_from", "date_to", "programme", "profession", "team", "transition"]

    def __init__(self, *args: Any, organisation_ids: set[int], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["programme"].queryset = Programme.objects.filter(organisation_id__in=organisation_ids)
        self.fields["team"].queryset = (
            Team.objects.filter(organisation_id__in=organisation_ids).select_related("organisation").order_by("name")
        )
        teams = self.fields["team"].queryset
        read_plainly(self, {
            "programme": lambda: list(self.fields["programme"].queryset.order_by("name").values_list("pk", "name")),
            # A team is named with its organisation (Team.__str__).
            "team": lambda: [(pk, f"{name} ({organisation})") for pk, name, organisation
                             in teams.values_list("pk", "name", "organisation__name")],
        })

    def filters(self) -> Filters:
        return Filters(
            programme=self.cleaned("programme"),
            profession=self.cleaned("profession"),
            team=self.cleaned("team"),
            transition=self.cleaned("transition") or "",
        )


class MentorDirectoryForm(forms.Form):
    profession = ListedChoiceField(
        queryset=Profession.objects.order_by("name"), required=False, empty_label="All professions",
        help_text="For example podiatry, to find a same-profession mentor in another organisation",
    )


class StandardSetForm(forms.Form):
    """Which standard set the scorecard judges against (a GET form)."""

    standard_set = ListedChoiceField(queryset=StandardSet.objects.none(), required=False, empty_label=None,
                                     label="Standard set")

    def __init__(self, *args: Any, sets: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["standard_set"].queryset = sets

    def chosen(self) -> Any:
        """The set asked for, or the first one when the form is empty or has errors."""
        if self.is_bound and self.is_valid() and self.cleaned_data.get("standard_set"):
            return self.cleaned_data["standard_set"]
        return next(iter(self.fields["standard_set"].queryset), None)


class CriterionForm(forms.Form):
    parameter = forms.IntegerField(
        label="Number", required=False, min_value=1, max_value=366,
        # A text box that asks for digits: a number input loses what was typed when it is not a number.
        widget=forms.TextInput(attrs={"inputmode": "numeric"}),
        error_messages={"invalid": "Enter a whole number", "min_value": "Enter a number from 1 to 366",
                        "max_value": "Enter a number from 1 to 366"},
    )
    enabled = forms.BooleanField(label="Judge this criterion on the scorecard", required=False)

    def __init__(self, *args: Any, unit: str, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if unit:
            self.fields["parameter"].label = f"Number of {unit}"
            self.fields["parameter"].required = True
            self.fields["parameter"].error_messages["required"] = f"Enter the number of {unit}"
        else:
            del self.fields["parameter"]
