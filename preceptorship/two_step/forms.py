"""The one field every two-step page asks for: a code."""

from __future__ import annotations

from django import forms

from preceptorship.forms import OneLineFields


class CodeForm(OneLineFields, forms.Form):
    """A code from the authenticator app or, where ``recovery`` allows, a recovery code. The
    service checks it; the form only asks that something is typed."""

    code = forms.CharField(
        max_length=40, strip=True,
        error_messages={"required": "Enter the 6-digit code from your authenticator app"},
        widget=forms.TextInput(attrs={
            "autocomplete": "one-time-code", "spellcheck": "false", "autocapitalize": "none",
            "class": "nhsuk-input--width-10",
        }),
    )

    def __init__(self, *args: object, recovery: bool = True, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["code"]
        if recovery:
            field.label = "Code"
            field.help_text = ("The 6-digit code your authenticator app shows now, or one of your recovery codes. "
                               "A recovery code works once.")
            field.error_messages["required"] = (
                "Enter the 6-digit code from your authenticator app, or one of your recovery codes")
        else:
            field.label = "Code from your authenticator app"
            field.help_text = "The 6-digit code the app shows now, for example 123456."
            field.widget.attrs["inputmode"] = "numeric"
