"""The dashboards' filter forms (GET forms: a bad value shows an error, never a 500)."""

from __future__ import annotations

import datetime
from typing import Any

from django import forms
from django.utils import timezone
from django.utils.html import conditional_escape, escape
from django.utils.safestring import SafeString, mark_safe

from preceptorship.models import Profession, Team
from preceptorship.widgets import NHSDateField
from programmes.models import Programme, Transition
from programmes.reporting.measures import Filters, Period

DEFAULT_MONTHS = 12
MAX_MONTHS = 36


class PeriodForm(forms.Form):
    date_from = NHSDateField(
        label="From", required=False, help_text="The month the period starts, for example 1 4 2025"
    )
    date_to = NHSDateField(label="To", required=False, help_text="The month the period ends, for example 31 3 2026")
    profession = forms.ModelChoiceField(
        queryset=Profession.objects.order_by("name"), required=False, empty_label="All professions"
    )

    def __init__(self, *args: Any, today: datetime.date | None = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.today = today or timezone.localdate()

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
        """The fields in the NHS.UK markup of the crispy pack (``templates/nhsuk``), written here: the
        filters are on every dashboard, and rendering them field by field through templates cost as
        much as the rest of the page. Only for a form without errors (the template shows a form with
        errors through crispy, with its error messages)."""
        out = [_date_html(self[name]) if isinstance(field, NHSDateField) else _select_html(self[name])
               for name, field in self.fields.items()]
        return mark_safe("".join(out))  # noqa: S308  # nosec - every value is escaped


class DashboardFilterForm(PeriodForm):
    programme = forms.ModelChoiceField(queryset=Programme.objects.none(), required=False, empty_label="All programmes")
    team = forms.ModelChoiceField(queryset=Team.objects.none(), required=False, empty_label="All teams")
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

    def filters(self) -> Filters:
        return Filters(
            programme=self.cleaned("programme"),
            profession=self.cleaned("profession"),
            team=self.cleaned("team"),
            transition=self.cleaned("transition") or "",
        )


class MentorDirectoryForm(forms.Form):
    profession = forms.ModelChoiceField(
        queryset=Profession.objects.order_by("name"), required=False, empty_label="All professions",
        help_text="For example podiatry, to find a same-profession mentor in another organisation",
    )


def _label(bound: forms.BoundField) -> str:
    return escape(f"{bound.label}{'' if bound.field.required else ' (optional)'}")


def _hint(bound: forms.BoundField) -> tuple[str, str]:
    """The hint's markup and the ``aria-describedby`` attribute naming it, or two empty strings."""
    if not bound.help_text:
        return "", ""
    ident = f"{bound.auto_id}-hint"
    return f'<div class="nhsuk-hint" id="{ident}">{escape(bound.help_text)}</div>\n', f' aria-describedby="{ident}"'


DATE_PARTS = (("Day", "nhsuk-input--width-2"), ("Month", "nhsuk-input--width-2"), ("Year", "nhsuk-input--width-4"))


def _date_html(bound: forms.BoundField) -> str:
    value = bound.value()
    parts = value if isinstance(value, (list, tuple)) else bound.field.widget.decompress(value)
    hint, described = _hint(bound)
    items = []
    for i, ((label, width), part) in enumerate(zip(DATE_PARTS, parts, strict=True)):
        ident = f"{bound.auto_id}_{i}"
        shown = "" if part in (None, "") else f' value="{conditional_escape(part)}"'
        items.append(
            f'<div class="nhsuk-date-input__item"><div class="nhsuk-form-group">'
            f'<label class="nhsuk-label nhsuk-date-input__label" for="{ident}">{label}</label>'
            f'<input type="text" name="{bound.html_name}_{i}"{shown} class="nhsuk-input nhsuk-date-input__input '
            f'{width}" inputmode="numeric" id="{ident}"></div></div>\n'
        )
    return (
        f'<div class="nhsuk-form-group">\n<fieldset class="nhsuk-fieldset" role="group"{described}>\n'
        f'<legend class="nhsuk-fieldset__legend">{_label(bound)}</legend>\n{hint}'
        f'<div class="nhsuk-date-input" id="{bound.auto_id}">\n{"".join(items)}</div>\n</fieldset>\n</div>\n'
    )


def _select_html(bound: forms.BoundField) -> str:
    value = bound.value()
    chosen = "" if value is None else str(value)
    hint, described = _hint(bound)
    options = []
    for option, text in bound.field.choices:
        option = "" if option is None else str(option)
        selected = " selected" if option == chosen else ""
        options.append(f'<option value="{escape(option)}"{selected}>{escape(text)}</option>\n')
    return (
        f'<div class="nhsuk-form-group">\n<label class="nhsuk-label" for="{bound.auto_id}">{_label(bound)}</label>\n'
        f'{hint}<select class="nhsuk-select" id="{bound.auto_id}" name="{bound.html_name}"{described}>\n'
        f'{"".join(options)}</select>\n</div>\n'
    )
