"""Hostile input on every form of the site, generated from the access matrix's tables.

For each URL that someone may both open (GET 200) and post to, the page is opened as that person
and its form read; hypothesis then posts hostile values in its fields (see hostile.py): never a
server error, always a redirect or a clear message, markup shown back escaped. Each example posts
to a freshly built object, so one accepted change (a withdrawal, say) cannot hide the next
example's answer. Forms the apps add, with their access expectations, are covered without
changing this file; the core's forms have their own, deeper tests in test_hostile_core.py.
"""

from __future__ import annotations

import dataclasses
from http import HTTPStatus
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse
from hypothesis import given, settings

from preceptorship.tests.hostile import HOSTILE_SETTINGS, assert_survives, hostile_data, read_forms
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

REFUSED = {HTTPStatus.FORBIDDEN, HTTPStatus.NOT_FOUND, HTTPStatus.METHOD_NOT_ALLOWED, None}
# Signing in and out are not forms about a record (sign-in has its own tests with the lock-out off).
LEFT_OUT = {"login", "logout", "password_reset_confirm"}
EXAMPLES = 10  # per form: every form of every app runs in CI


def _form_owner(name: str) -> str | None:
    """Someone who may open the form and post it: a signed-in role if any, else anonymous."""
    methods = EXPECTATIONS[name]
    if "GET" not in methods or "POST" not in methods:
        return None
    able = [
        role for role in ROLES
        if _expected(methods["GET"], role, "own") == HTTPStatus.OK and _expected(methods["POST"], role, "own") not in REFUSED
    ]
    signed_in = [role for role in able if role != "anonymous"]
    return (signed_in or able or [None])[0]


FORMS = sorted(
    name for name in EXPECTATIONS
    if name in ROUTES and name not in LEFT_OUT and (not ROUTES[name].arguments or name in BUILDERS)
    and _form_owner(name)
)


@pytest.fixture
def world(db: Any, settings: Any) -> World:
    return build_world(settings)


def test_the_forms_are_found() -> None:
    """Guards the generation (an empty list would pass vacuously)."""
    assert {"profile", "password_change", "password_reset"} <= set(FORMS)


@pytest.mark.parametrize("name", FORMS)
def test_no_hostile_input_gives_a_server_error(name: str, world: World) -> None:
    role = _form_owner(name)
    viewer = world.users.get(role)
    client = Client()
    if viewer is not None:
        client.force_login(viewer)
    kwargs, _secret = _build(world, ROUTES[name], viewer, "own")
    page = reverse(name, kwargs=kwargs)
    forms = [form for form in read_forms(client, page) if form.action == form.page == page]
    if not forms:
        pytest.skip(f"{page} shows {role} no POST form of its own (a step page, or one posting elsewhere)")
    form = forms[0]

    @settings(HOSTILE_SETTINGS, max_examples=EXAMPLES)
    @given(data=hostile_data(form))
    def check(data: dict[str, Any]) -> None:
        fresh, _ = _build(world, ROUTES[name], viewer, "own")
        assert_survives(client, dataclasses.replace(form, action=reverse(name, kwargs=fresh)), data)

    check()
