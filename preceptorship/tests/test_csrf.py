"""CSRF protection on every POST of the URL configuration, generated from the access matrix's tables.

For each URL whose expectations accept a POST (an expected answer other than 405), a client that
enforces CSRF checks posts without a token as someone the URL would otherwise serve: the answer
must be the CSRF refusal. The same POST with the token then gets past the check, which shows the
refusal came from CSRF and not from access. URLs the apps add to their access_expectations modules
are covered without changing this file.
"""

from __future__ import annotations

from collections.abc import Iterator
from http import HTTPStatus
from typing import Any

import pytest
from django.http import HttpRequest, HttpResponse
from django.middleware.csrf import CSRF_SECRET_LENGTH
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver, reverse

from preceptorship.tests.test_access_matrix import (
    BUILDERS,
    EXPECTATIONS,
    ROLES,
    ROUTES,
    World,
    _build,
    _expected,
    build_world,
)

REFUSED = "csrf-refused-by-test-view"
# The integration API (programmes/api) takes no session, only a bearer token, which a browser never
# sends on its own, so a forged cross-site request has nothing to ride on: its views are exempt, and
# the access matrix shows a signed-in session gets 401 there.
TOKEN_ONLY = "api/"


def refused(request: HttpRequest, reason: str = "") -> HttpResponse:
    """The CSRF failure view while these tests run: a 403 that says it came from the CSRF check."""
    return HttpResponse(f"{REFUSED}: {reason}", status=HTTPStatus.FORBIDDEN, content_type="text/plain")


@pytest.fixture
def world(db: Any, settings: Any) -> World:
    return build_world(settings)


def _post_routes() -> list[str]:
    return sorted(
        name
        for name, methods in EXPECTATIONS.items()
        if name in ROUTES
        and "POST" in methods
        and (not ROUTES[name].arguments or name in BUILDERS)
        and not ROUTES[name].route.startswith(TOKEN_ONLY)
        and any(_expected(methods["POST"], role, "own") != HTTPStatus.METHOD_NOT_ALLOWED for role in ROLES)
    )


POST_ROUTES = _post_routes()


def _served_role(name: str) -> str:
    """Someone the POST would reach (not refused by access): a signed-in role if any, else anonymous."""
    expectation = EXPECTATIONS[name]["POST"]
    refused_by_access = {HTTPStatus.FORBIDDEN, HTTPStatus.NOT_FOUND, HTTPStatus.METHOD_NOT_ALLOWED}
    served = [role for role in ROLES if _expected(expectation, role, "own") not in refused_by_access]
    signed_in = [role for role in served if role != "anonymous" and _expected(expectation, role, "own") is not None]
    if signed_in:
        return signed_in[0]
    assert "anonymous" in served, f"{name}: nobody may POST to it, yet its POST is not 405"
    return "anonymous"


def test_the_core_post_urls_are_among_those_checked() -> None:
    """Guards the generation: an empty list would make every test here pass vacuously."""
    assert {"login", "logout", "profile", "notification-open", "notifications-read-all", "password_reset"} <= set(
        POST_ROUTES
    )


def _callbacks(patterns: list[Any], route: str = "") -> Iterator[tuple[str, Any]]:
    for entry in patterns:
        if isinstance(entry, URLResolver):
            yield from _callbacks(entry.url_patterns, route + str(entry.pattern))
        elif isinstance(entry, URLPattern):
            yield route + str(entry.pattern), entry.callback


def test_no_view_is_exempt_from_csrf() -> None:
    """Including Django's admin and any URL still missing from the expectation tables."""
    callbacks = list(_callbacks(get_resolver().url_patterns))
    assert len(callbacks) > len(POST_ROUTES)
    exempt = sorted(route for route, callback in callbacks
                    if getattr(callback, "csrf_exempt", False) and not route.startswith(TOKEN_ONLY))
    assert not exempt, f"these URLs are exempt from CSRF checks: {exempt}"


@pytest.mark.parametrize("name", POST_ROUTES)
def test_a_post_without_the_csrf_token_is_refused(name: str, world: World, settings: Any) -> None:
    settings.CSRF_FAILURE_VIEW = "preceptorship.tests.test_csrf.refused"
    role = _served_role(name)
    viewer = world.users.get(role)
    kwargs, _secret = _build(world, ROUTES[name], viewer, "own")
    address = reverse(name, kwargs=kwargs)

    client = Client(enforce_csrf_checks=True)
    if viewer is not None:
        client.force_login(viewer)
    response = client.post(address, {"anything": "x"})
    assert response.status_code == HTTPStatus.FORBIDDEN and REFUSED in response.content.decode(), (
        f"POST {address} as {role} without a CSRF token answered {response.status_code}"
    )

    # With the cookie and the token the same POST passes the check (the refusal was CSRF's).
    secret = "a" * CSRF_SECRET_LENGTH
    client.cookies[settings.CSRF_COOKIE_NAME] = secret
    response = client.post(address, {"csrfmiddlewaretoken": secret})
    assert REFUSED not in response.content.decode(errors="replace"), f"POST {address} with its token was refused"


def test_the_check_fails_when_csrf_is_not_enforced(world: World, settings: Any) -> None:
    settings.MIDDLEWARE = [name for name in settings.MIDDLEWARE if not name.endswith("CsrfViewMiddleware")]
    with pytest.raises(AssertionError, match="without a CSRF token answered"):
        test_a_post_without_the_csrf_token_is_refused("profile", world, settings)
