"""Hostile input on every form of the site, generated from the access matrix's tables.

For each URL that someone may both open (GET 200) and post to, the page is opened as that person
and its form read; hypothesis then posts hostile values in its fields (see hostile.py): never a
server error, always a redirect or a clear message, markup shown back escaped. Each example posts
to a freshly built object, so one accepted change (a withdrawal, say) cannot hide the next
example's answer. Then each odd id (hostile.ODD_IDS: past any database column, other spellings of
numbers, a NUL) goes in every field of the form, and of each page's list filters and buttons
posting elsewhere, and every numbered URL is asked for an id past any column
(test_hostile_urls.py). Forms the apps add, with their access expectations, are covered without
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

from preceptorship.tests.hostile import HOSTILE_SETTINGS, ODD_IDS, assert_survives, hostile_data, read_forms
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


def _form_owner(name: str, *, posting: bool = True) -> str | None:
    """Someone who may open the form and post it (or only open the page): a signed-in role if any,
    else anonymous."""
    methods = EXPECTATIONS[name]
    if "GET" not in methods or (posting and "POST" not in methods):
        return None
    able = [
        role for role in ROLES
        if _expected(methods["GET"], role, "own") == HTTPStatus.OK
        and (not posting or _expected(methods["POST"], role, "own") not in REFUSED)
    ]
    signed_in = [role for role in able if role != "anonymous"]
    return (signed_in or able or [None])[0]


def _reachable(name: str) -> bool:
    return name in ROUTES and name not in LEFT_OUT and (not ROUTES[name].arguments or name in BUILDERS)


FORMS = sorted(name for name in EXPECTATIONS if _reachable(name) and _form_owner(name))
PAGES = sorted(name for name in EXPECTATIONS if _reachable(name) and _form_owner(name, posting=False))


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

    def post_fresh(data: dict[str, Any]) -> None:
        fresh, _ = _build(world, ROUTES[name], viewer, "own")
        assert_survives(client, dataclasses.replace(form, action=reverse(name, kwargs=fresh)), data)

    settings(HOSTILE_SETTINGS, max_examples=EXAMPLES)(given(data=hostile_data(form))(post_fresh))()
    for odd_id in ODD_IDS:  # each one in every choice field: ten random draws could miss them
        post_fresh(form.odd_choices(odd_id, every_field=True))


def test_no_odd_id_in_a_filter_or_a_button_gives_a_server_error(world: World) -> None:
    """Every page's other forms: a list's filters (GET) and the forms posting elsewhere (a button
    to withdraw, to move a competency up), each odd id in every one of their fields."""
    seen: set[tuple[str, str]] = set()
    for name in PAGES:
        role = _form_owner(name, posting=False)
        client = Client()
        if role != "anonymous":
            client.force_login(world.users[role])
        kwargs, _secret = _build(world, ROUTES[name], world.users.get(role), "own")
        for form in read_forms(client, reverse(name, kwargs=kwargs), methods=("get", "post")):
            if (form.method == "post" and form.action == form.page) or (form.method, form.action) in seen:
                continue  # a page's own form has the deeper test above
            seen.add((form.method, form.action))
            for odd_id in ODD_IDS:
                response = getattr(client, form.method)(form.action, form.odd_choices(odd_id, every_field=True))
                assert response.status_code < HTTPStatus.INTERNAL_SERVER_ERROR, (
                    f"{form.method.upper()} {form.action} as {role} with {odd_id!r} in every field: server error")
    pages = {action for method, action in seen if method == "get"}
    assert {reverse("programmes:caseload"), reverse("progression:case-list")} <= pages
    assert len(seen) - len(pages) >= 5  # buttons posting elsewhere were found
