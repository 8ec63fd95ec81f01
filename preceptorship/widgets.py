"""NHS.UK date input: three boxes (day, month, year) that feed an ordinary DateField.

Use it in a form either way::

    start_date = NHSDateField(label="Start date", help_text="For example, 15 3 2025")
    start_date = forms.DateField(widget=DateInput())

The boxes post as ``<name>_0``, ``<name>_1`` and ``<name>_2`` and have ids ``<id>_0`` (day),
``<id>_1`` (month) and ``<id>_2`` (year), Django's MultiWidget defaults. The crispy "nhsuk"
template pack wraps them in a fieldset with the label as legend, the hint and the error message.

When the three parts make a real date the widget hands the field an ISO string (YYYY-MM-DD),
which DateField parses as usual. Otherwise it hands over text no date format can parse, so the
field reports an error; the text remembers exactly what was typed, so the boxes are redrawn with
it and nothing is lost.
"""

from __future__ import annotations

import datetime
import re

from django import forms
from django.core.exceptions import ValidationError

_DAY_OR_MONTH = re.compile(r"[0-9]{1,2}")
_YEAR = re.compile(r"[0-9]{4}")


class DateParts(str):
    """The DateInput's value: an ISO date or unparseable text, plus the parts exactly as typed."""

    parts: tuple[str, str, str]

    def __new__(cls, text: str, parts: tuple[str, str, str]) -> DateParts:
        value = super().__new__(cls, text)
        value.parts = parts
        return value

    def __getnewargs__(self):  # so copies and pickles keep the parts
        return (str(self), self.parts)

    @property
    def is_complete(self) -> bool:
        return all(part.strip() for part in self.parts)


def _real_date(day: str, month: str, year: str) -> datetime.date | None:
    """The date the parts spell, or None. Whole numbers only, with a four-digit year."""
    day, month, year = day.strip(), month.strip(), year.strip()
    if not (_DAY_OR_MONTH.fullmatch(day) and _DAY_OR_MONTH.fullmatch(month) and _YEAR.fullmatch(year)):
        return None
    try:
        return datetime.date(int(year), int(month), int(day))
    except ValueError:
        return None


class DateInput(forms.MultiWidget):
    """NHS.UK date input: day, month and year text boxes with a numeric keypad on phones."""

    template_name = "nhsuk/widgets/date_input.html"
    labels = ("Day", "Month", "Year")

    def __init__(self, attrs=None):
        def box(width):
            return forms.TextInput(
                attrs={
                    "class": f"nhsuk-input nhsuk-date-input__input nhsuk-input--width-{width}",
                    "inputmode": "numeric",
                }
            )

        super().__init__([box(2), box(2), box(4)], attrs)

    def decompress(self, value):
        if isinstance(value, DateParts):
            return list(value.parts)
        if isinstance(value, str) and value:
            try:
                value = datetime.date.fromisoformat(value)
            except ValueError:
                return [None, None, None]
        if isinstance(value, datetime.date):  # datetime is a date too
            return [str(value.day), str(value.month), str(value.year)]
        return [None, None, None]

    def value_from_datadict(self, data, files, name):
        parts = tuple(part or "" for part in super().value_from_datadict(data, files, name))
        if not any(part.strip() for part in parts):
            return ""
        date = _real_date(*parts)
        # " / " appears in no date input format, so DateField rejects the text as invalid.
        text = date.isoformat() if date else " / ".join(part.strip() for part in parts)
        return DateParts(text, parts)

    def get_context(self, name, value, attrs):
        attrs = dict(attrs or {})
        # Errors are shown by the field's error message; the boxes only turn red.
        has_error = attrs.pop("aria-invalid", None) == "true"
        # The form sets novalidate: the browser's own "required" bubbles are not wanted.
        attrs.pop("required", None)
        attrs.pop("aria-describedby", None)  # described on the fieldset instead
        context = super().get_context(name, value, attrs)
        for subwidget, label in zip(context["widget"]["subwidgets"], self.labels, strict=True):
            subwidget["label"] = label
            if has_error:
                subwidget["attrs"]["class"] += " nhsuk-input--error"
        context["widget"]["has_error"] = has_error
        return context


class NHSDateField(forms.DateField):
    """A DateField drawn as NHS.UK day, month and year boxes, with plain-English errors."""

    widget = DateInput
    default_error_messages = {
        "required": "Enter the date",
        "invalid": "Enter a real date, for example 15 3 2025",
        "incomplete": "Enter a full date, with a day, month and year, for example 15 3 2025",
    }

    def to_python(self, value):
        if isinstance(value, DateParts) and not value.is_complete:
            raise ValidationError(self.error_messages["incomplete"], code="incomplete")
        return super().to_python(value)
