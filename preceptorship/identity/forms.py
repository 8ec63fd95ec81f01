from __future__ import annotations

from django import forms

from preceptorship.identity.models import IdentityProvider


class OrganisationSignInForm(forms.Form):
    """Home realm discovery: the work e-mail address says which organisation's provider to use."""

    email = forms.EmailField(
        label="Your work e-mail",
        help_text="For example, firstname.lastname@nhs.net",
        widget=forms.EmailInput(attrs={"autocomplete": "email", "spellcheck": "false"}),
        error_messages={
            "required": "Enter your work e-mail address",
            "invalid": "Enter an e-mail address in the correct format, like name@example.nhs.uk",
        },
    )


class IdentityProviderForm(forms.ModelForm):
    """The admin's form. The secret is write-only: it is never put back into the page."""

    issuer = forms.URLField(
        max_length=500, assume_scheme="https",
        help_text=IdentityProvider._meta.get_field("issuer").help_text,
    )

    new_client_secret = forms.CharField(
        label="Client secret", required=False, strip=True,
        widget=forms.PasswordInput(render_value=False, attrs={"autocomplete": "new-password"}),
        help_text="The secret the provider gave for this client. Leave blank to keep the saved one.",
    )

    class Meta:
        model = IdentityProvider
        fields = ["name", "issuer", "client_id", "allowed_domains", "organisations", "employee_number_claim",
                  "scopes", "enabled"]

    def clean(self) -> dict:
        data = super().clean()
        if not self.instance.pk and not data.get("new_client_secret"):
            self.add_error("new_client_secret", "Enter the client secret the provider gave.")
        return data
