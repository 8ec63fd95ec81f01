"""Until a session has confirmed its code, it reaches only the two-step pages, sign-out and the
public pages: every other page (the Django admin too) sends it to the code page, or to set-up
for a person who has no authenticator app yet."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any
from urllib.parse import urlencode

from django.conf import settings
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.urls import reverse

from preceptorship.two_step import rules

# Reached before the code is confirmed.
OPEN_PAGES = frozenset({"logout"})
NAMESPACE = "two_step"
# The pages of this namespace that an unconfirmed session may open (the profile's pages ask for
# a confirmed session, as every other page does).
SIGN_IN_PAGES = frozenset({"verify", "set-up", "recovery-codes", "recovery-codes-download"})


class TwoStepMiddleware:
    """After ``AuthenticationMiddleware``, django-otp's ``OTPMiddleware`` and
    ``LoginRequiredMiddleware``."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        return self.get_response(request)

    def process_view(self, request: HttpRequest, view_func: Callable[..., Any], view_args: Any,
                     view_kwargs: Any) -> HttpResponse | None:
        if not settings.TWO_STEP_REQUIRED:
            return None
        match = request.resolver_match
        if match is not None and ((match.url_name in OPEN_PAGES and not match.namespace)
                                  or (match.namespace == NAMESPACE and match.url_name in SIGN_IN_PAGES)):
            return None
        # Public pages (sign-in, password reset, health checks) say so with login_not_required; the
        # admin's views say so too, since the admin asks for its own sign-in, so it is named here.
        public = not getattr(view_func, "login_required", True)
        if public and not (match is not None and match.app_name == "admin"):
            return None
        if not rules.code_needed(request):
            return None
        page = "two_step:verify" if rules.has_device(request.user) else "two_step:set-up"
        target = reverse(page)
        if request.method in ("GET", "HEAD"):
            target += "?" + urlencode({"next": request.get_full_path()})
        return HttpResponseRedirect(target)
