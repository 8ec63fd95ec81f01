"""Creating, revoking and checking API tokens. Creating and revoking are audited.

A token reads ``<key>.<secret>``. The key (public, unique) finds the row; the secret is 32 random
bytes, so a plain SHA-256 of it is enough to keep it safe at rest (a slow password hash guards
guessable secrets, which these are not) and costs nothing per request.
"""

from __future__ import annotations

import datetime
import hashlib
import hmac
import secrets
from collections.abc import Iterable
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from preceptorship import audit, services
from preceptorship.models import Membership, Organisation
from programmes.api.models import ApiToken

Role = Membership.Role
Scope = ApiToken.Scope
# A token's last use is written at most this often (one conditional UPDATE per request).
LAST_USED_EVERY = datetime.timedelta(minutes=1)


class TokenRefused(Exception):
    """A request's token cannot be used: ``status`` 401 (not a usable token) or 403 (not for this)."""

    def __init__(self, status: int, message: str) -> None:
        super().__init__(message)
        self.status = status
        self.message = message


class TokenActor:
    """Who acts when a token writes: a programme lead of the token's organisation, and no one else.

    The services' rules (``preceptorship.services.role_change_refusal``, the staff import's checks)
    read roles through ``preceptorship.access``, which asks ``acting_memberships``; the audit log
    has no person to name, so each summary names ``audit_name``."""

    is_authenticated = True
    is_anonymous = False
    is_active = True
    is_superuser = False
    is_staff = False
    pk = None
    email = ""

    def __init__(self, token: ApiToken) -> None:
        self.token = token
        self.audit_name = token.audit_name
        self.acting_memberships = [Membership(organisation=token.organisation, role=Role.PROGRAMME_LEAD)]

    def __str__(self) -> str:
        return self.audit_name


def _hash(secret: str) -> str:
    return hashlib.sha256(secret.encode()).hexdigest()


def _clean_scopes(scopes: Iterable[str]) -> list[str]:
    chosen = sorted(set(scopes))
    unknown = [scope for scope in chosen if scope not in Scope.values]
    if unknown or not chosen:
        raise ValidationError({"scopes": f"Choose one or more of: {', '.join(Scope.values)}."})
    return chosen


@transaction.atomic
def api_token_create(
    *, actor: Any, organisation: Organisation, name: str, scopes: Iterable[str],
    expires_at: datetime.datetime | None = None,
) -> tuple[ApiToken, str]:
    """A new token for the organisation, and the token itself, which is shown this once and kept
    nowhere. Only administrators (or a command run on the server, ``actor`` None) create tokens."""
    if actor is not None and not services.grants_every_role(actor):
        raise PermissionDenied("Only an administrator can create API tokens.")
    name = (name or "").strip()
    if not name:
        raise ValidationError({"name": "Enter a name that says what uses the token."})
    if expires_at is not None and expires_at <= timezone.now():
        raise ValidationError({"expires_at": "The expiry must be in the future."})
    key = secrets.token_hex(8)
    secret = secrets.token_urlsafe(32)
    token = ApiToken(organisation=organisation, name=name, key=key, secret_hash=_hash(secret),
                     scopes=_clean_scopes(scopes), expires_at=expires_at,
                     created_by=actor if getattr(actor, "pk", None) else None)
    token.full_clean()
    token.save()
    audit.record(
        actor=actor, action="api_token.create", obj=token,
        summary=f"{token.audit_name} created for {organisation} ({', '.join(token.scopes)})"
                + ("" if actor is not None else " by a command on the server"),
        after={"organisation": organisation.pk, "scopes": token.scopes, "expires_at": expires_at},
        organisation=organisation,
    )
    return token, f"{key}.{secret}"


@transaction.atomic
def api_token_revoke(*, actor: Any, token: ApiToken) -> ApiToken:
    """Revoke a token: every later request with it is refused. Revoking twice is refused."""
    if actor is not None and not services.grants_every_role(actor):
        raise PermissionDenied("Only an administrator can revoke API tokens.")
    locked = ApiToken.objects.select_for_update().get(pk=token.pk)
    if locked.revoked_at is not None:
        raise ValidationError("This token is already revoked.")
    locked.revoked_at = timezone.now()
    locked.revoked_by = actor if getattr(actor, "pk", None) else None
    locked.save(update_fields=["revoked_at", "revoked_by"])
    audit.record(actor=actor, action="api_token.revoke", obj=locked, summary=f"{locked.audit_name} revoked",
                 after={"revoked_at": locked.revoked_at}, organisation=locked.organisation_id)
    return locked


def token_check(raw: str, *, scope: str) -> ApiToken:
    """The token a request sent, if it may be used for ``scope``; ``TokenRefused`` otherwise. Notes
    its use (one conditional UPDATE). Reads one row with its organisation."""
    key, _, secret = raw.strip().partition(".")
    token = (ApiToken.objects.select_related("organisation").filter(key=key).first()
             if key and secret and len(key) <= 16 else None)
    if token is None or not hmac.compare_digest(token.secret_hash, _hash(secret)):
        raise TokenRefused(401, "The token is not valid: check it was copied whole.")
    now = timezone.now()
    if token.revoked_at is not None:
        raise TokenRefused(401, "The token has been revoked: ask an administrator for a new one.")
    if token.expires_at is not None and token.expires_at <= now:
        raise TokenRefused(401, "The token has expired: ask an administrator for a new one.")
    if scope not in token.scopes:
        raise TokenRefused(403, f"The token does not have the scope “{scope}” this needs.")
    ApiToken.objects.filter(pk=token.pk).filter(
        Q(last_used_at__isnull=True) | Q(last_used_at__lte=now - LAST_USED_EVERY)
    ).update(last_used_at=now)
    return token
