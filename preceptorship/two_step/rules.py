"""Who is asked for a code after their password, and which sessions are exempt."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.http import HttpRequest
from django_otp.plugins.otp_totp.models import TOTPDevice

from preceptorship import access
from preceptorship.models import Membership

Role = Membership.Role

# Roles whose holders can read or change many people's records, or the directory itself.
POWERFUL_ROLES = frozenset({
    Role.ADMINISTRATOR, Role.HR, Role.PROGRAMME_LEAD, Role.ICS_LEAD, Role.OPERATIONAL_DIRECTOR,
    Role.DATA_PROTECTION,
})
# Set by the organisation's single sign-on after its own sign-in: its identity provider asks for
# its own second factor, so asking again here would only be in the way.
SIGNED_IN_WITH = "signed_in_with"
SINGLE_SIGN_ON = "oidc"


def needs_two_step(user: Any) -> bool:
    """Whether this account must confirm a code after its password (when ``TWO_STEP_REQUIRED``)."""
    if not getattr(user, "is_authenticated", False):
        return False
    if user.is_staff or user.is_superuser:
        return True
    return bool(access.roles(user) & POWERFUL_ROLES)


def signed_in_with_single_sign_on(request: HttpRequest) -> bool:
    return request.session.get(SIGNED_IN_WITH) == SINGLE_SIGN_ON


def code_needed(request: HttpRequest) -> bool:
    """Whether this session must still confirm a code before it reaches anything but the two-step
    pages, sign-out and the public pages."""
    if not settings.TWO_STEP_REQUIRED or signed_in_with_single_sign_on(request):
        return False
    user = request.user
    if not needs_two_step(user):
        return False
    # OTPMiddleware sets otp_device from the session: the device that confirmed it, or None.
    return getattr(user, "otp_device", None) is None


def has_device(user: Any) -> bool:
    """A confirmed authenticator app (recovery codes come with it and go with it)."""
    return TOTPDevice.objects.filter(user_id=user.pk, confirmed=True).exists()
