"""Setting up, checking, replacing and resetting a person's two-step sign-in.

A person has at most one confirmed authenticator app (django-otp's ``TOTPDevice``) and, with it,
one set of recovery codes (a ``StaticDevice`` whose tokens are used up one by one). Each set-up,
replacement, new set of recovery codes, reset and lock-out is recorded in the audit log.

django-otp throttles each device: after a wrong code the next try must wait 1, 2, 4, 8 ... seconds.
A wrong code's count is saved even though the service then refuses, so the check runs in a
transaction of its own and the refusal is raised after it has committed.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django_otp.models import Device
from django_otp.plugins.otp_static.models import StaticDevice, StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

from preceptorship import audit, services
from preceptorship.models import User

APP_NAME = "Authenticator app"
RECOVERY_NAME = "Recovery codes"
RECOVERY_CODE_COUNT = 10
# Wrong codes in a row that count as a lock-out in the audit log (and again at each further
# multiple): by then the wait before the next try is 16 seconds, and it doubles with each one.
LOCK_OUT_AFTER = 5

# ASCII digits only: int() would also read other scripts' digits (such as Arabic-Indic) as a code.
APP_CODE = re.compile(r"^[0-9]{6}$")
# StaticToken.random_token(): 8 characters of lower-case base 32.
RECOVERY_CODE = re.compile(r"^[a-z2-7]{8}$")

ENTER_CODE = "Enter the 6-digit code from your authenticator app, or one of your recovery codes"
ENTER_APP_CODE = "Enter the 6-digit code from your authenticator app"
WRONG_APP_CODE = "The code is not right. Enter the code your authenticator app shows now"
WRONG_RECOVERY_CODE = "The recovery code is not right, or it has been used already"


@dataclass(frozen=True)
class Confirmed:
    """A device that accepted a code, and the recovery codes made with it (shown once)."""

    device: Device
    recovery_codes: list[str]


def normalise(code: Any) -> str:
    """What a person typed, as the devices compare it: spaces and hyphens out, lower case."""
    return re.sub(r"[\s-]", "", str(code or "")).lower()


def _wait(until: Any) -> str:
    seconds = max(1, math.ceil((until - timezone.now()).total_seconds()))
    if seconds < 120:
        return f"{seconds} second{'s' if seconds != 1 else ''}"
    return f"{math.ceil(seconds / 60)} minutes"


def _check(*, user: User, token: str, device_type: type[Device], confirmed: bool = True) -> str | None:
    """Check ``token`` against the person's device of that type, counting a wrong one; why it is
    refused, or None. Runs in its own transaction so that the count is kept when the caller refuses."""
    with transaction.atomic():
        device = (device_type.objects.select_for_update()
                  .filter(user_id=user.pk, confirmed=confirmed).order_by("-pk").first())
        if device is None:
            return WRONG_RECOVERY_CODE if device_type is StaticDevice else WRONG_APP_CODE
        allowed, details = device.verify_is_allowed()
        if not allowed:
            return ("You have entered too many wrong codes. "
                    f"Wait {_wait(details['locked_until'])}, then try again")
        if device.verify_token(token):
            return None
        # verify_token saved the count of wrong codes in a row.
        failures = device.throttling_failure_count
        if failures % LOCK_OUT_AFTER == 0:
            audit.record(
                actor=user, action="two_step.locked_out", obj=user,
                summary=f"Two-step sign-in of {user} held back after {failures} wrong codes in a row",
                after={"wrong_codes": failures, "device": device_type.__name__},
            )
        wrong = WRONG_RECOVERY_CODE if device_type is StaticDevice else WRONG_APP_CODE
        if failures >= LOCK_OUT_AFTER:
            allowed, details = device.verify_is_allowed()
            if not allowed:
                return (f"{wrong}. You have entered {failures} wrong codes in a row: "
                        f"wait {_wait(details['locked_until'])} before you try again")
        return wrong


def _device_for(*, user: User, code: Any, app_only: bool = False) -> Device:
    """The confirmed device that accepts ``code`` (an app code or, unless ``app_only``, a recovery
    code, which is then used up); ``ValidationError({"code": ...})`` otherwise."""
    token = normalise(code)
    if APP_CODE.match(token):
        device_type: type[Device] = TOTPDevice
    elif RECOVERY_CODE.match(token) and not app_only:
        device_type = StaticDevice
    else:
        raise ValidationError({"code": ENTER_APP_CODE if app_only else ENTER_CODE})
    refusal = _check(user=user, token=token, device_type=device_type)
    if refusal:
        raise ValidationError({"code": refusal})
    return device_type.objects.filter(user_id=user.pk, confirmed=True).order_by("-pk").first()


def _new_recovery_codes(user: User) -> list[str]:
    # The same device with new tokens: a session confirmed with a recovery code stays confirmed.
    device = StaticDevice.objects.filter(user_id=user.pk).order_by("pk").first()
    if device is None:
        device = StaticDevice.objects.create(user=user, name=RECOVERY_NAME, confirmed=True)
    StaticDevice.objects.filter(user_id=user.pk).exclude(pk=device.pk).delete()
    StaticToken.objects.filter(device=device).delete()
    codes = [StaticToken.random_token() for _ in range(RECOVERY_CODE_COUNT)]
    StaticToken.objects.bulk_create([StaticToken(device=device, token=code) for code in codes])
    return codes


# Set-up -----------------------------------------------------------------------------------------


@transaction.atomic
def two_step_set_up_start(*, actor: User) -> TOTPDevice:
    """The authenticator app being set up (or replaced): the person's unconfirmed device, made
    with a new random key if there is none. Its key is shown until a code from it is confirmed."""
    device = TOTPDevice.objects.filter(user_id=actor.pk, confirmed=False).order_by("-pk").first()
    if device is None:
        device = TOTPDevice.objects.create(user=actor, name=APP_NAME, confirmed=False)
    return device


def two_step_set_up_confirm(*, actor: User, code: Any) -> Confirmed:
    """Confirm the app being set up with a code from it: it becomes the person's only authenticator
    app (a replaced one stops working), and a new set of recovery codes replaces any old ones."""
    token = normalise(code)
    if not APP_CODE.match(token):
        raise ValidationError({"code": ENTER_APP_CODE})
    refusal = _check(user=actor, token=token, device_type=TOTPDevice, confirmed=False)
    if refusal:
        raise ValidationError({"code": refusal})
    return _set_up_finish(actor=actor)


@transaction.atomic
def _set_up_finish(*, actor: User) -> Confirmed:
    device = (TOTPDevice.objects.select_for_update()
              .filter(user_id=actor.pk, confirmed=False).order_by("-pk").first())
    if device is None:  # confirmed twice at once: the other request finished the set-up
        raise ValidationError({"code": "Two-step sign-in is already set up. Sign in again to use it"})
    replaced = TOTPDevice.objects.filter(user_id=actor.pk).exclude(pk=device.pk)
    replacing = replaced.filter(confirmed=True).exists()
    replaced.delete()
    device.confirmed = True
    device.save(update_fields=["confirmed"])
    codes = _new_recovery_codes(actor)
    audit.record(
        actor=actor, action="two_step.replace" if replacing else "two_step.set_up", obj=actor,
        summary=(f"{actor} replaced the authenticator app of their two-step sign-in" if replacing
                 else f"{actor} set up two-step sign-in"),
        after={"recovery_codes": len(codes)},
    )
    return Confirmed(device=device, recovery_codes=codes)


# Signing in and changing the set-up --------------------------------------------------------------


def two_step_verify(*, actor: User, code: Any) -> Device:
    """The device that accepts the code typed after the password; a recovery code is used up."""
    return _device_for(user=actor, code=code)


def recovery_codes_regenerate(*, actor: User, code: Any) -> Confirmed:
    """A new set of recovery codes, after a current code; the old ones stop working."""
    device = _device_for(user=actor, code=code)
    with transaction.atomic():
        codes = _new_recovery_codes(actor)
        audit.record(actor=actor, action="two_step.recovery_codes", obj=actor,
                     summary=f"{actor} made a new set of two-step recovery codes",
                     after={"recovery_codes": len(codes)})
    return Confirmed(device=device, recovery_codes=codes)


def two_step_replace_start(*, actor: User, code: Any) -> TOTPDevice:
    """Begin replacing the authenticator app, after a current code: a new app to set up, while the
    old one keeps working until the new one is confirmed."""
    _device_for(user=actor, code=code)
    with transaction.atomic():
        TOTPDevice.objects.filter(user_id=actor.pk, confirmed=False).delete()
        return TOTPDevice.objects.create(user=actor, name=APP_NAME, confirmed=False)


@transaction.atomic
def two_step_reset(*, actor: Any, user: User) -> int:
    """An administrator takes away another person's authenticator app and recovery codes; they set
    up a new app at their next sign-in. How many devices went."""
    if actor is None or not services.grants_every_role(actor):
        raise PermissionDenied("Only an administrator can reset someone's two-step sign-in.")
    if actor.pk == user.pk:
        raise PermissionDenied("Nobody can reset their own two-step sign-in: ask another administrator.")
    user = User.objects.select_for_update().get(pk=user.pk)
    apps = TOTPDevice.objects.filter(user_id=user.pk)
    recovery = StaticDevice.objects.filter(user_id=user.pk)
    before = {"authenticator_apps": apps.filter(confirmed=True).count(), "recovery_codes": StaticToken.objects.filter(
        device__user_id=user.pk).count()}
    removed = apps.delete()[1].get(TOTPDevice._meta.label, 0) + recovery.delete()[1].get(StaticDevice._meta.label, 0)
    audit.record(actor=actor, action="two_step.reset", obj=user,
                 summary=f"Two-step sign-in of {user} reset: a new authenticator app is set up at the next sign-in",
                 before=before, after={"authenticator_apps": 0, "recovery_codes": 0})
    return removed


def status(user: User) -> dict[str, Any]:
    """What the profile page says about a person's two-step sign-in."""
    app = TOTPDevice.objects.filter(user_id=user.pk, confirmed=True).order_by("-pk").first()
    return {
        "app": app,
        "recovery_codes_left": StaticToken.objects.filter(device__user_id=user.pk, device__confirmed=True).count(),
    }
