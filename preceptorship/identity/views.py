"""Signing in through an organisation's provider, and signing out of it.

The start view picks the provider by the work e-mail's domain and hands over to
mozilla-django-oidc's authorization request; the callback view checks the answer with the
library (state, nonce, PKCE, signature) and the service decides who the person is."""

from __future__ import annotations

import logging
from collections.abc import Callable
from functools import wraps
from typing import Any
from urllib.parse import parse_qs, urlsplit

import jwt
import requests
from csp.decorators import csp_update
from django.conf import settings
from django.contrib.auth.decorators import login_not_required
from django.contrib.auth.views import LogoutView
from django.core.exceptions import SuspiciousOperation
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.decorators import method_decorator
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.generic import View
from mozilla_django_oidc.utils import import_from_settings
from mozilla_django_oidc.views import OIDCAuthenticationCallbackView, OIDCAuthenticationRequestView

from preceptorship.identity import discovery, services
from preceptorship.identity.backend import provider_settings
from preceptorship.identity.forms import OrganisationSignInForm
from preceptorship.identity.models import IdentityProvider
from preceptorship.identity.services import Refusal

logger = logging.getLogger(__name__)

# The sign-ins begun in one browser that may still come back (the library keeps as many states).
KEPT_STATES = 50

REFUSALS = {
    Refusal.UNKNOWN: "There is no account here for the person your organisation signed in. Accounts are "
    "set up by your organisation's programme lead or administrator: ask them to add you.",
    Refusal.INACTIVE: "Your account here has been switched off. Ask your programme lead or administrator.",
    Refusal.DOMAIN: "Your organisation signed you in with an e-mail address that {provider} does not sign "
    "in here. Use your work e-mail address, or ask your administrator.",
    Refusal.ORGANISATION: "Your account is not part of an organisation that signs in with {provider}. "
    "Sign in with your e-mail address and password, or ask your administrator.",
    Refusal.NO_EMAIL: "{provider} did not tell us your e-mail address, so we cannot find your account. "
    "Ask your administrator.",
    Refusal.UNVERIFIED: "{provider} says your e-mail address has not been verified, so we cannot tell "
    "whose account this is. Ask your administrator.",
    Refusal.CONFLICT: "Your employee number and your e-mail address belong to two different accounts here. "
    "Ask your administrator to correct your staff record.",
    Refusal.LINKED_ELSEWHERE: "Your account here is already linked to a different {provider} account. "
    "Ask your administrator.",
    Refusal.FAILED: "The sign-in could not be completed. The link may have expired or been used already. "
    "Start again.",
    Refusal.CANCELLED: "{provider} did not sign you in. Start again, or sign in with your password.",
    Refusal.UNAVAILABLE: "{provider} is not answering at the moment. Try again later, or sign in with "
    "your password.",
}


def is_organisation_sign_in(request: HttpRequest, credentials: Any = None) -> bool:
    """AXES_WHITELIST_CALLABLE: a provider's callback is not a password guess. The provider does
    its own throttling and multi-factor check; counting refusals against the network address
    would lock out everyone behind a trust's shared address."""
    return getattr(request, "identity_provider", None) is not None


def origin(address: str) -> str:
    parts = urlsplit(address)
    return f"{parts.scheme}://{parts.netloc}"


def provider_origins() -> list[str]:
    """Where a sign-in form's submission may end up: the providers' sign-in pages. The issuer's
    origin, and the authorization endpoint's when its discovery document is in the cache (the two
    are one host at Entra ID; the start view fetches the document, so it is there after one use)."""
    issuers = list(IdentityProvider.objects.filter(enabled=True).values_list("issuer", flat=True))
    if settings.OIDC_DEFAULT_ISSUER:
        issuers.append(settings.OIDC_DEFAULT_ISSUER)
    origins = set()
    for issuer in issuers:
        origins.add(origin(issuer))
        found = discovery.cached(issuer)
        if found:
            origins.add(origin(found["authorization_endpoint"]))
    return sorted(origins)


def allow_sign_in_at_providers(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
    """For a page holding the organisation sign-in form: the Content Security Policy's form-action
    also applies to the redirect that follows the form, so the providers' origins join 'self'."""

    @wraps(view)
    def wrapped(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        origins = provider_origins()
        page = csp_update({"form-action": origins})(view) if origins else view
        return page(request, *args, **kwargs)

    return wrapped


def _safe_next(request: HttpRequest, value: str) -> str | None:
    if value and url_has_allowed_host_and_scheme(value, allowed_hosts={request.get_host()},
                                                 require_https=request.is_secure()):
        return value
    return None


def _form_page(request: HttpRequest, form: OrganisationSignInForm, next_url: str) -> HttpResponse:
    return render(request, "identity/start.html", {"form": form, "next": next_url})


@method_decorator(login_not_required, name="dispatch")
class OrganisationSignInView(OIDCAuthenticationRequestView):
    """GET: the form. POST: to the provider of the e-mail's domain, or the form with the reason."""

    http_method_names = ["get", "post"]

    def __init__(self, **kwargs: Any) -> None:
        # The library reads one provider from settings here; ours is chosen by the e-mail.
        View.__init__(self, **kwargs)
        self.overrides: dict[str, Any] = {}
        self.login_hint = ""

    def get_settings(self, attr: str, *args: Any) -> Any:  # the library's hook, per instance here
        if attr in self.overrides:
            return self.overrides[attr]
        return import_from_settings(attr, *args)

    def get(self, request: HttpRequest) -> HttpResponse:
        if request.user.is_authenticated:
            return redirect(settings.LOGIN_REDIRECT_URL)
        return _form_page(request, OrganisationSignInForm(), request.GET.get("next", ""))

    def post(self, request: HttpRequest) -> HttpResponse:
        if request.user.is_authenticated:
            return redirect(settings.LOGIN_REDIRECT_URL)
        form = OrganisationSignInForm(request.POST)
        next_url = request.POST.get("next", "")
        if not form.is_valid():
            return _form_page(request, form, next_url)
        email = form.cleaned_data["email"]
        provider = services.provider_for_email(email)
        if provider is None:
            form.add_error("email", "Your organisation does not sign in here with its own account. "
                                    "Sign in with your e-mail address and password instead.")
            return _form_page(request, form, next_url)
        try:
            self.overrides = provider_settings(provider)
        except discovery.DiscoveryError:
            logger.warning("Provider %s could not be reached for a sign-in.", provider.pk)
            form.add_error("email", REFUSALS[Refusal.UNAVAILABLE].format(provider=provider.name))
            return _form_page(request, form, next_url)
        self.OIDC_OP_AUTH_ENDPOINT = self.overrides["OIDC_OP_AUTHORIZATION_ENDPOINT"]
        self.OIDC_RP_CLIENT_ID = self.overrides["OIDC_RP_CLIENT_ID"]
        self.login_hint = email
        response = super().get(request)
        state = parse_qs(urlsplit(response["Location"]).query)["state"][0]
        # Which provider each sign-in went to, for its callback. Kept after use, so that a replayed
        # callback is recorded against its provider.
        kept = dict(list(request.session.get("identity_states", {}).items())[-(KEPT_STATES - 1):])
        kept[state] = provider.pk
        request.session["identity_states"] = kept
        request.session["oidc_login_next"] = _safe_next(request, next_url)
        return response

    def get_extra_params(self, request: HttpRequest) -> dict[str, str]:
        return {"login_hint": self.login_hint}


@method_decorator(login_not_required, name="dispatch")
class CallbackView(OIDCAuthenticationCallbackView):
    """The provider's answer. Anything but a valid, fresh answer for an existing member is refused
    with a page that says why, and recorded in the audit log."""

    def get(self, request: HttpRequest) -> HttpResponse:
        state = request.GET.get("state", "")
        provider_pk = request.session.get("identity_states", {}).get(state)
        provider = IdentityProvider.objects.filter(pk=provider_pk, enabled=True).first() if provider_pk else None
        pending = state in request.session.get("oidc_states", {})
        if request.GET.get("error"):
            if pending:
                del request.session["oidc_states"][state]
                request.session.modified = True
            return self.refuse(provider, Refusal.CANCELLED)
        if provider is None or not pending or not request.GET.get("code"):
            return self.refuse(provider, Refusal.FAILED)
        request.identity_provider = provider
        try:
            return super().get(request)
        except (requests.ConnectionError, requests.Timeout, discovery.DiscoveryError):
            logger.warning("Sign-in through provider %s refused: the provider did not answer.", provider.pk)
            return self.refuse(provider, Refusal.UNAVAILABLE)
        except (SuspiciousOperation, requests.RequestException, jwt.PyJWTError, KeyError, ValueError) as error:
            # A forged or replayed answer: wrong nonce or signature, a code already used (the
            # provider refuses it), a token for someone else.
            logger.warning("Sign-in through provider %s refused: %s", provider.pk, type(error).__name__)
            return self.refuse(provider, Refusal.FAILED)

    def login_failure(self) -> HttpResponse:
        refusal = getattr(self.request, "identity_refusal", None)
        if refusal is not None:  # already recorded by the service that decided it
            return self.page(self.request.identity_provider, refusal)
        return self.refuse(getattr(self.request, "identity_provider", None), Refusal.FAILED)

    def login_success(self) -> HttpResponse:
        response = super().login_success()
        session = self.request.session
        # Read by the two-step check: the provider did its own multi-factor check.
        session["signed_in_with"] = "oidc"
        session["identity_provider"] = self.request.identity_provider.pk
        session["identity_id_token"] = getattr(self.request, "identity_id_token", "")
        return response

    def refuse(self, provider: IdentityProvider | None, reason: Refusal) -> HttpResponse:
        if provider is not None:
            services.refusal_record(provider=provider, reason=reason)
        else:
            logger.warning("A sign-in answer for no sign-in begun in this browser was refused.")
        return self.page(provider, reason)

    def page(self, provider: IdentityProvider | None, reason: Refusal) -> HttpResponse:
        name = provider.name if provider else "Your organisation"
        context = {"message": REFUSALS[reason].format(provider=name), "reason": reason.value}
        return render(self.request, "identity/refused.html", context, status=403)


class SignOutView(LogoutView):
    """Signs out here, then at the provider too when it offers RP-initiated logout."""

    def post(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        after = request.build_absolute_uri(reverse(settings.LOGOUT_REDIRECT_URL))
        at_provider = services.end_session_url(session=request.session, after_sign_out=after)
        provider = IdentityProvider.objects.filter(pk=request.session.get("identity_provider")).first()
        response = super().post(request, *args, **kwargs)
        if not at_provider:
            return response
        # Not a redirect: the page whose sign-out form was sent may send forms only to this site
        # (the Content Security Policy's form-action), and that covers where a redirect leads.
        context = {"continue_url": at_provider, "provider": provider.name if provider else "your organisation"}
        return render(request, "identity/signed_out.html", context)
