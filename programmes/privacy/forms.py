"""The data protection pages' forms (NHS.UK markup via crispy)."""

from __future__ import annotations

from typing import Any

from crispy_forms.helper import FormHelper
from crispy_forms.layout import Submit
from django import forms

from preceptorship.forms import OneLineFields


class PersonSearchForm(OneLineFields, forms.Form):
    q = forms.CharField(
        label="Name or e-mail address", max_length=100, required=False,
        help_text="Part of their name or e-mail address is enough.",
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.helper = FormHelper(self)
        self.helper.form_method = "get"
        self.helper.add_input(Submit("search", "Find the person", css_class="nhsuk-button--secondary"))

    def text(self) -> str:
        return (self.cleaned_data.get("q") or "").strip() if self.is_valid() else ""


class EraseForm(OneLineFields, forms.Form):
    confirm = forms.BooleanField(
        label="I confirm this person asked for their data to be erased and the law allows it",
        error_messages={"required": "Confirm that the person asked for erasure and the law allows it"},
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.helper = FormHelper(self)
        self.helper.add_input(Submit("erase", "Erase their data", css_class="nhsuk-button--warning"))
