from __future__ import annotations

from django import template

from preceptorship.identity import services
from preceptorship.identity.forms import OrganisationSignInForm

register = template.Library()


@register.simple_tag
def organisation_sign_in_form() -> OrganisationSignInForm | None:
    """The sign-in page's second way in, shown only where some organisation has a provider."""
    return OrganisationSignInForm() if services.organisation_sign_in_available() else None
