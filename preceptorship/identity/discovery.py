"""A provider's discovery document (OpenID Connect Discovery 1.0), read over HTTP and kept in the
shared cache for an hour, keyed by the issuer."""

from __future__ import annotations

import hashlib
from typing import Any

import requests
from django.conf import settings
from django.core.cache import cache

CACHE_SECONDS = 60 * 60
REQUIRED = ("authorization_endpoint", "token_endpoint", "jwks_uri", "userinfo_endpoint")


class DiscoveryError(Exception):
    """The provider did not answer, or answered with a document that is not its own."""


def cache_key(issuer: str) -> str:
    return f"identity:discovery:v1:{hashlib.sha256(issuer.encode()).hexdigest()}"


def document(issuer: str) -> dict[str, Any]:
    found = cache.get(cache_key(issuer))
    if found is None:
        found = _fetch(issuer)
        cache.set(cache_key(issuer), found, CACHE_SECONDS)
    return found


def cached(issuer: str) -> dict[str, Any] | None:
    """The document if it is in the cache; never a request (for pages that must not wait on one)."""
    return cache.get(cache_key(issuer))


def _fetch(issuer: str) -> dict[str, Any]:
    address = issuer.rstrip("/") + "/.well-known/openid-configuration"
    try:
        response = requests.get(address, timeout=settings.OIDC_TIMEOUT)
        response.raise_for_status()
        found = response.json()
    except (requests.RequestException, ValueError) as error:
        raise DiscoveryError(f"{address}: {error}") from error
    if not isinstance(found, dict):
        raise DiscoveryError(f"{address} is not a discovery document.")
    # A document naming another issuer would let that issuer's tokens in (Discovery 1.0, 4.3).
    if found.get("issuer") != issuer:
        raise DiscoveryError(f"{address} names the issuer {found.get('issuer')!r}, not {issuer!r}.")
    missing = [name for name in REQUIRED if not found.get(name)]
    if missing:
        raise DiscoveryError(f"{address} has no {', '.join(missing)}.")
    return found
