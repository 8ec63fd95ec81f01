"""mozilla-django-oidc's backend, configured per sign-in by the provider the person was sent to
(``request.identity_provider``, set by the callback view) instead of by one set of settings."""

from __future__ import annotations

from typing import Any

from django.contrib.auth import get_user_model
from django.core.exceptions import SuspiciousOperation
from django.http import HttpRequest
from mozilla_django_oidc.auth import OIDCAuthenticationBackend
from mozilla_django_oidc.utils import import_from_settings

from preceptorship.identity import discovery, services
from preceptorship.identity.models import IdentityProvider
from preceptorship.models import User

# The algorithm Entra ID and most providers sign ID tokens with; a token signed otherwise is refused.
SIGNING_ALGORITHM = "RS256"


def provider_settings(provider: IdentityProvider) -> dict[str, Any]:
    """The mozilla-django-oidc settings of one provider, from its discovery document."""
    found = discovery.document(provider.issuer)
    return {
        "OIDC_OP_AUTHORIZATION_ENDPOINT": found["authorization_endpoint"],
        "OIDC_OP_TOKEN_ENDPOINT": found["token_endpoint"],
        "OIDC_OP_USER_ENDPOINT": found["userinfo_endpoint"],
        "OIDC_OP_JWKS_ENDPOINT": found["jwks_uri"],
        "OIDC_RP_CLIENT_ID": provider.client_id,
        "OIDC_RP_CLIENT_SECRET": provider.secret,
        "OIDC_RP_SIGN_ALGO": SIGNING_ALGORITHM,
        "OIDC_RP_SCOPES": provider.scopes,
    }


class OrganisationAccountBackend(OIDCAuthenticationBackend):
    """Signs in an existing person through their organisation's provider; never creates one."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        # Django makes a backend for every sign-in, password ones included: the provider's
        # settings are read only once a sign-in through a provider is under way.
        self.UserModel = get_user_model()
        self.provider: IdentityProvider | None = None
        self.overrides: dict[str, Any] = {}

    def get_settings(self, attr: str, *args: Any) -> Any:  # the library's hook, per instance here
        if attr in self.overrides:
            return self.overrides[attr]
        return import_from_settings(attr, *args)

    def authenticate(self, request: HttpRequest | None, **kwargs: Any) -> User | None:
        provider = getattr(request, "identity_provider", None) if request is not None else None
        if provider is None or "nonce" not in kwargs:
            return None  # a password sign-in, or a call that is not the callback's
        self.provider = provider
        self.overrides = provider_settings(provider)
        for name in ("OIDC_OP_TOKEN_ENDPOINT", "OIDC_OP_USER_ENDPOINT", "OIDC_OP_JWKS_ENDPOINT",
                     "OIDC_RP_CLIENT_ID", "OIDC_RP_CLIENT_SECRET", "OIDC_RP_SIGN_ALGO"):
            setattr(self, name, self.overrides[name])
        self.OIDC_RP_IDP_SIGN_KEY = None
        if not kwargs.get("nonce"):
            raise SuspiciousOperation("No nonce was kept for this sign-in.")
        return super().authenticate(request, **kwargs)

    def verify_token(self, token: str, **kwargs: Any) -> dict[str, Any]:
        payload = super().verify_token(token, **kwargs)
        # The library checks the signature, expiry and nonce; the issuer and audience are checked
        # here so that a token minted by another issuer, or for another client, is refused.
        audience = payload.get("aud")
        audiences = audience if isinstance(audience, list) else [audience]
        if payload.get("iss") != self.provider.issuer or self.provider.client_id not in audiences:
            raise SuspiciousOperation("The ID token is for another issuer or client.")
        return payload

    def store_tokens(self, access_token: str, id_token: str) -> None:
        # Kept on the request: signing in replaces the session, so the view stores it afterwards
        # (as the hint RP-initiated logout asks for).
        self.request.identity_id_token = id_token

    def get_or_create_user(self, access_token: str, id_token: str, payload: dict[str, Any]) -> User | None:
        userinfo = self.get_userinfo(access_token, id_token, payload)
        if str(userinfo.get("sub")) != str(payload.get("sub")):
            raise SuspiciousOperation("The userinfo answer is about another subject.")
        outcome = services.sign_in_resolve(provider=self.provider, claims={**payload, **userinfo})
        self.request.identity_refusal = outcome.refusal
        return outcome.user

    def get_user(self, user_id: Any) -> User | None:
        # As Django's own backend: a session of an account switched off since ends at once.
        user = self.UserModel._default_manager.filter(pk=user_id).first()
        return user if user is not None and self.user_can_authenticate(user) else None
