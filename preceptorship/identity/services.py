"""Writes of single sign-on: who a person signing in is, the first link of their account to the
provider's subject, each refusal, and the providers' settings. Each is atomic and audited."""

from __future__ import annotations

import logging
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlencode

from django.conf import settings
from django.db import models, transaction
from django.utils import timezone

from preceptorship import audit
from preceptorship.identity import discovery
from preceptorship.identity.models import IdentityLink, IdentityProvider, domain_list
from preceptorship.models import Membership, Organisation, User

logger = logging.getLogger(__name__)

ENVIRONMENT_FIELDS = ("name", "issuer", "client_id", "allowed_domains", "employee_number_claim", "scopes")


class Refusal(models.TextChoices):
    """Why a sign-in through a provider was refused: each has its own page text (views.py)."""

    UNKNOWN = "unknown", "no account here matches the provider's account"
    INACTIVE = "inactive", "the account is switched off"
    DOMAIN = "domain", "the e-mail address is outside the provider's domains"
    ORGANISATION = "organisation", "the person is not a member of an organisation the provider serves"
    NO_EMAIL = "no_email", "the provider sent no e-mail address"
    UNVERIFIED = "unverified", "the provider says the e-mail address is not verified"
    CONFLICT = "conflict", "the employee number and the e-mail address match two different people"
    LINKED_ELSEWHERE = "linked_elsewhere", "the account is already linked to another account at the provider"
    FAILED = "failed", "the answer from the provider was not valid, expired or already used"
    CANCELLED = "cancelled", "the provider did not sign the person in"
    UNAVAILABLE = "unavailable", "the provider could not be reached"


@dataclass(frozen=True)
class Outcome:
    user: User | None = None
    refusal: Refusal | None = None


def claimed_email(claims: dict[str, Any]) -> str:
    """The work e-mail address a provider sends: ``email``, or Entra ID's ``preferred_username``
    (the sign-in name, an address) when an account has no mail attribute."""
    for name in ("email", "preferred_username", "upn"):
        value = claims.get(name)
        if isinstance(value, str) and value.count("@") == 1:
            return value.strip().lower()
    return ""


def email_domain(email: str) -> str:
    return email.rsplit("@", 1)[-1].strip().lower() if "@" in email else ""


def provider_for_email(email: str) -> IdentityProvider | None:
    """Home realm discovery: the enabled provider whose allowed domains include the address's."""
    environment_provider()
    domain = email_domain(email)
    if not domain:
        return None
    for provider in IdentityProvider.objects.filter(enabled=True):
        if provider.serves_domain(domain):
            return provider
    return None


def organisation_sign_in_available() -> bool:
    return bool(settings.OIDC_DEFAULT_ISSUER) or IdentityProvider.objects.filter(enabled=True).exists()


@transaction.atomic
def environment_provider() -> IdentityProvider | None:
    """The provider of the OIDC_DEFAULT_* variables as a row (links and the audit log refer to it),
    brought in line with the environment; switched off when the variables are gone."""
    existing = IdentityProvider.objects.select_for_update().filter(from_environment=True).first()
    if not settings.OIDC_DEFAULT_ISSUER:
        if existing and existing.enabled:
            existing.enabled = False
            existing.save(update_fields=["enabled"])
        return None
    wanted = {
        "name": settings.OIDC_DEFAULT_NAME,
        "issuer": settings.OIDC_DEFAULT_ISSUER,
        "client_id": settings.OIDC_DEFAULT_CLIENT_ID,
        "allowed_domains": ", ".join(domain_list(",".join(settings.OIDC_DEFAULT_ALLOWED_DOMAINS))),
        "employee_number_claim": settings.OIDC_DEFAULT_EMPLOYEE_NUMBER_CLAIM,
        "scopes": settings.OIDC_DEFAULT_SCOPES,
    }
    provider = existing or IdentityProvider(from_environment=True, client_secret="")
    changed = existing is None or not existing.enabled or any(
        getattr(existing, name) != value for name, value in wanted.items()
    )
    if changed:
        for name, value in wanted.items():
            setattr(provider, name, value)
        provider.enabled = True
        provider.save()
    organisation_ids = set(
        Organisation.objects.filter(slug__in=settings.OIDC_DEFAULT_ORGANISATIONS).values_list("pk", flat=True)
    )
    if len(organisation_ids) < len(set(settings.OIDC_DEFAULT_ORGANISATIONS)):
        logger.warning("OIDC_DEFAULT_ORGANISATIONS names an organisation slug that does not exist.")
    if changed or set(provider.organisations.values_list("pk", flat=True)) != organisation_ids:
        provider.organisations.set(organisation_ids)
    return provider


def _refuse(provider: IdentityProvider, reason: Refusal, *, user: User | None = None, domain: str = "") -> Outcome:
    refusal_record(provider=provider, reason=reason, user=user, domain=domain)
    return Outcome(refusal=reason)


def refusal_record(
    *, provider: IdentityProvider, reason: Refusal, user: User | None = None, domain: str = ""
) -> None:
    """Audits one refused sign-in. The e-mail's domain, never the address, keeps the entry useful
    to an administrator without copying what the provider sent."""
    audit.record(
        actor=None,
        action="identity.refuse",
        obj=provider,
        summary=f"Single sign-on through {provider.name} refused: {reason.label}.",
        after={"reason": reason.value, "user": user.pk if user else None, "email_domain": domain},
        subject=user,
    )


@transaction.atomic
def sign_in_resolve(*, provider: IdentityProvider, claims: dict[str, Any]) -> Outcome:
    """The person a provider's verified claims belong to, or why they may not sign in.

    A linked subject decides who it is. Otherwise, the first time, the employee number (when the
    provider sends the configured claim) or the e-mail address finds an existing account, and the
    link is made; no account is ever created here."""
    subject = str(claims.get("sub") or "")
    email = claimed_email(claims)
    domain = email_domain(email)
    if not subject:
        return _refuse(provider, Refusal.FAILED)
    if not email:
        return _refuse(provider, Refusal.NO_EMAIL)
    # An address the provider itself has not verified could be anyone's; when it says so, refuse.
    if claims.get("email_verified") is False or claims.get("email_verified") == "false":
        return _refuse(provider, Refusal.UNVERIFIED, domain=domain)
    if not provider.serves_domain(domain):
        return _refuse(provider, Refusal.DOMAIN, domain=domain)

    link = (
        IdentityLink.objects.select_for_update().select_related("user")
        .filter(issuer=provider.issuer, subject=subject).first()
    )
    if link is not None:
        user = link.user
    else:
        number = ""
        if provider.employee_number_claim:
            number = str(claims.get(provider.employee_number_claim) or "").strip()
        by_number = User.objects.filter(employee_number=number).first() if number else None
        by_email = User.objects.filter(email__iexact=email).first()
        if by_number and by_email and by_number.pk != by_email.pk:
            return _refuse(provider, Refusal.CONFLICT, user=by_number, domain=domain)
        user = by_number or by_email
        if user is None:
            return _refuse(provider, Refusal.UNKNOWN, domain=domain)
        if IdentityLink.objects.filter(issuer=provider.issuer, user=user).exists():
            return _refuse(provider, Refusal.LINKED_ELSEWHERE, user=user, domain=domain)

    if not user.is_active:
        return _refuse(provider, Refusal.INACTIVE, user=user, domain=domain)
    if not Membership.objects.filter(user=user, organisation__identity_providers=provider).exists():
        return _refuse(provider, Refusal.ORGANISATION, user=user, domain=domain)

    now = timezone.now()
    if link is None:
        matched_by = "employee number" if by_number else "e-mail address"
        link = IdentityLink.objects.create(
            user=user, provider=provider, issuer=provider.issuer, subject=subject, linked_at=now, last_signed_in_at=now
        )
        audit.record(
            actor=user,
            action="identity.link",
            obj=link,
            summary=f"Account linked to {provider.name} on first sign-in, matched by {matched_by}.",
            after={"user": user.pk, "provider": provider.pk, "issuer": provider.issuer, "matched_by": matched_by},
        )
    else:
        link.last_signed_in_at = now
        link.save(update_fields=["last_signed_in_at"])
    return Outcome(user=user)


def end_session_url(*, session: Any, after_sign_out: str) -> str | None:
    """Where to send a person signed in through a provider that offers RP-initiated logout, so
    they are signed out there too; None for everyone else."""
    if session.get("signed_in_with") != "oidc":
        return None
    provider = IdentityProvider.objects.filter(pk=session.get("identity_provider")).first()
    if provider is None:
        return None
    try:
        endpoint = discovery.document(provider.issuer).get("end_session_endpoint")
    except discovery.DiscoveryError:
        logger.warning("Signing out of the product only: provider %s could not be reached.", provider.pk)
        return None
    if not endpoint:
        return None
    query = {"client_id": provider.client_id, "post_logout_redirect_uri": after_sign_out}
    if session.get("identity_id_token"):
        query["id_token_hint"] = session["identity_id_token"]
    return f"{endpoint}{'&' if '?' in endpoint else '?'}{urlencode(query)}"


@transaction.atomic
def provider_save(
    *, actor: User, provider: IdentityProvider, secret: str = "", organisations: list[Organisation] | None = None
) -> IdentityProvider:
    """Saves a provider's settings from the admin pages; a blank secret keeps the saved one."""
    fields = [*ENVIRONMENT_FIELDS, "enabled"]
    before = {}
    if provider.pk:
        stored = IdentityProvider.objects.select_for_update().get(pk=provider.pk)
        before = audit.snapshot(stored, fields)
        before["organisations"] = sorted(stored.organisations.values_list("pk", flat=True))
    if secret:
        provider.client_secret = secret
    provider.full_clean()
    provider.save()
    if organisations is not None:
        provider.organisations.set(organisations)
    after = audit.snapshot(provider, fields)
    after["organisations"] = sorted(provider.organisations.values_list("pk", flat=True))
    after["secret_changed"] = bool(secret)
    audit.record(
        actor=actor, action="identity.provider.save", obj=provider,
        summary=f"Single sign-on provider {provider.name} saved.", before=before, after=after,
    )
    return provider


@transaction.atomic
def link_remove(*, actor: User, link: IdentityLink) -> None:
    """Unlinks an account: the next sign-in through the provider matches it afresh."""
    audit.record(
        actor=actor, action="identity.unlink", obj=link,
        summary=f"Account unlinked from {link.issuer}.",
        before={"user": link.user_id, "issuer": link.issuer, "subject": link.subject},
    )
    link.delete()
