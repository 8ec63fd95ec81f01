from __future__ import annotations

from django import forms
from django.contrib.auth.forms import AuthenticationForm


class SignInForm(AuthenticationForm):
    """E-mail and password. Clear messages for the two ways it goes wrong."""

    username = forms.EmailField(
        label="E-mail address", widget=forms.EmailInput(attrs={"autocomplete": "email"})
    )

    error_messages = {
        "invalid_login": "Enter a correct e-mail address and password. Both are case-sensitive.",
        "inactive": "This account has been switched off. Ask your administrator.",
    }
