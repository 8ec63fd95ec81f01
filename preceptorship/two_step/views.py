"""The two-step pages: set-up (QR code and key, then a code), the recovery codes shown once, the
code asked after the password, and the profile's page to replace the app or the recovery codes.

Each page is the signed-in person's own (``access.get_for_user`` on their own account); the
services check every code. A confirmed session gets a new session key, as a sign-in does.
"""

from __future__ import annotations

import base64
from typing import Any
from urllib.parse import urlencode

import django_otp
import qrcode
import qrcode.image.svg
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods
from django_otp.plugins.otp_static.models import StaticDevice
from django_otp.plugins.otp_totp.models import TOTPDevice

from preceptorship import access
from preceptorship.models import User
from preceptorship.pages import add_service_errors, crumbs
from preceptorship.two_step import rules, services
from preceptorship.two_step.forms import CodeForm

# The recovery codes just made, until the person has seen them (or downloaded them) and moved on.
RECOVERY_CODES = "two_step_recovery_codes"
# Set once a current code has been given on the "replace your app" page.
REPLACING = "two_step_replacing"
ISSUER = "Preceptorship"


def _own(request: HttpRequest) -> User:
    return access.get_for_user(request.user, User, pk=request.user.pk, action="change")


def _next(request: HttpRequest, default: str = "") -> str:
    """Where to go once this step is done: the page first asked for, if it is one of ours."""
    target = request.POST.get("next") or request.GET.get("next") or ""
    if target and url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()},
                                                   require_https=request.is_secure()):
        return target
    return default or reverse("home")


def _with_next(name: str, next_url: str) -> str:
    return reverse(name) + "?" + urlencode({"next": next_url})


def _confirmed(request: HttpRequest, device: Any) -> None:
    """The session is confirmed by ``device``; a new session key, as after a sign-in."""
    django_otp.login(request, device)
    request.session.cycle_key()


def key_for_typing(device: TOTPDevice) -> str:
    """The secret key as authenticator apps ask for it when typed: base 32, in groups of four."""
    key = base64.b32encode(device.bin_key).decode().rstrip("=")
    return " ".join(key[i:i + 4] for i in range(0, len(key), 4))


def qr_code(device: TOTPDevice) -> dict[str, str]:
    """The key as a QR code: the drawing's size and its one path, which the page puts in an inline
    SVG on a white square (a scanner needs the contrast)."""
    image = qrcode.make(device.config_url, image_factory=qrcode.image.svg.SvgPathImage)
    return {"size": str(image.units(image.pixel_size, text=False)), "path": image.path.get("d")}


@never_cache
@require_http_methods(["GET", "POST"])
def verify(request: HttpRequest) -> HttpResponse:
    user = _own(request)
    if not rules.code_needed(request):
        return redirect(_next(request))
    if not rules.has_device(user):
        return redirect(_with_next("two_step:set-up", _next(request)))
    form = CodeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            device = services.two_step_verify(actor=user, code=form.cleaned_data["code"])
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            _confirmed(request, device)
            if isinstance(device, StaticDevice):
                left = device.token_set.count()
                messages.warning(request, (
                    f"You signed in with a recovery code, which now cannot be used again. You have {left} left: "
                    "get new ones from your profile's two-step sign-in page."))
            return redirect(_next(request))
    return render(request, "registration/two_step_verify.html", {"form": form, "next": _next(request)})


@never_cache
@require_http_methods(["GET", "POST"])
def set_up(request: HttpRequest) -> HttpResponse:
    user = _own(request)
    replacing = bool(request.session.get(REPLACING)) and rules.has_device(user)
    if not replacing:
        if not rules.code_needed(request):
            return redirect(_next(request))
        if rules.has_device(user):
            return redirect(_with_next("two_step:verify", _next(request)))
    device = services.two_step_set_up_start(actor=user)
    form = CodeForm(request.POST or None, recovery=False)
    if request.method == "POST" and form.is_valid():
        try:
            confirmed = services.two_step_set_up_confirm(actor=user, code=form.cleaned_data["code"])
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            _confirmed(request, confirmed.device)
            request.session.pop(REPLACING, None)
            request.session[RECOVERY_CODES] = confirmed.recovery_codes
            return redirect(_with_next("two_step:recovery-codes", _next(request)))
    return render(request, "registration/two_step_set_up.html", {
        "form": form, "next": _next(request), "replacing": replacing, "qr_code": qr_code(device),
        "key": key_for_typing(device), "issuer": ISSUER, "account": user.email,
    })


@never_cache
@require_http_methods(["GET", "POST"])
def recovery_codes(request: HttpRequest) -> HttpResponse:
    _own(request)
    codes = request.session.get(RECOVERY_CODES)
    if request.method == "POST" or not codes:
        request.session.pop(RECOVERY_CODES, None)
        return redirect(_next(request) if codes else reverse("two_step:manage"))
    return render(request, "registration/two_step_recovery_codes.html", {"codes": codes, "next": _next(request)})


@never_cache
@require_http_methods(["GET"])
def recovery_codes_download(request: HttpRequest) -> HttpResponse:
    user = _own(request)
    codes = request.session.get(RECOVERY_CODES)
    if not codes:
        raise Http404("No recovery codes to download: they are shown once, when they are made.")
    lines = [
        f"{ISSUER}: two-step sign-in recovery codes for {user.email}",
        "",
        "Each code works once, in place of the code from your authenticator app.",
        "Keep them somewhere safe that is not your phone, such as a password manager.",
        "",
        *codes,
        "",
    ]
    response = HttpResponse("\n".join(lines), content_type="text/plain; charset=utf-8")
    response["Content-Disposition"] = 'attachment; filename="preceptorship-recovery-codes.txt"'
    return response


# The profile's page --------------------------------------------------------------------------------


def _manage_crumbs() -> list[tuple[str, str]]:
    return crumbs(("Your profile", reverse("profile")))


@never_cache
@require_http_methods(["GET"])
def manage(request: HttpRequest) -> HttpResponse:
    user = _own(request)
    return render(request, "registration/two_step_manage.html", {
        **services.status(user), "needed": rules.needs_two_step(user),
        "single_sign_on": rules.signed_in_with_single_sign_on(request), "crumbs": _manage_crumbs(),
    })


def _change(request: HttpRequest) -> tuple[User, CodeForm | None]:
    """The person and the filled-in code form of a change to their set-up (None: no app to change)."""
    user = _own(request)
    if not rules.has_device(user):
        messages.info(request, "Two-step sign-in is not set up for your account.")
        return user, None
    return user, CodeForm(request.POST or None)


@never_cache
@require_http_methods(["GET", "POST"])
def recovery_codes_new(request: HttpRequest) -> HttpResponse:
    user, form = _change(request)
    if form is None:
        return redirect("two_step:manage")
    if request.method == "POST" and form.is_valid():
        try:
            made = services.recovery_codes_regenerate(actor=user, code=form.cleaned_data["code"])
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            request.session[RECOVERY_CODES] = made.recovery_codes
            return redirect(_with_next("two_step:recovery-codes", reverse("two_step:manage")))
    return render(request, "registration/two_step_change.html", {
        "form": form, "title": "Get new recovery codes", "button": "Get new recovery codes",
        "explanation": "Your old recovery codes stop working as soon as the new ones are made.",
        "crumbs": [*_manage_crumbs(), ("Two-step sign-in", reverse("two_step:manage"))],
    })


@never_cache
@require_http_methods(["GET", "POST"])
def replace(request: HttpRequest) -> HttpResponse:
    user, form = _change(request)
    if form is None:
        return redirect("two_step:manage")
    if request.method == "POST" and form.is_valid():
        try:
            services.two_step_replace_start(actor=user, code=form.cleaned_data["code"])
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            request.session[REPLACING] = True
            return redirect(_with_next("two_step:set-up", reverse("two_step:manage")))
    return render(request, "registration/two_step_change.html", {
        "form": form, "title": "Replace your authenticator app", "button": "Continue",
        "explanation": ("For example on a new phone. Your current app keeps working until you have set up "
                        "the new one, and you get new recovery codes with it."),
        "crumbs": [*_manage_crumbs(), ("Two-step sign-in", reverse("two_step:manage"))],
    })
