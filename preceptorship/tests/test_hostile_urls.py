"""Ids in the address that no database column can hold: every URL with a number in its path,
asked for one past the largest id (as the administrator, who may see any record, so the lookup
reaches the database), answers "not found", "method not allowed" or "forbidden" (a page for one
role: the ICS lead's), never a server error."""

from __future__ import annotations

import re
from http import HTTPStatus
from typing import Any

import pytest
from django.test import Client

from preceptorship.models import Membership, User
from preceptorship.tests.factories import person
from preceptorship.tests.hostile import ODD_IDS
from preceptorship.tests.test_access_matrix import ROUTES

NUMBERED = sorted(name for name, route in ROUTES.items()
                  if route.arguments and len(re.findall(r"<int:", route.route)) == len(route.arguments))
HUGE = [odd_id for odd_id in ODD_IDS if odd_id.isascii() and odd_id.isdigit()]  # what <int:...> matches


@pytest.fixture
def administrator(organisation: Any) -> User:
    user = person(organisation, Membership.Role.ADMINISTRATOR, email="admin@example.org")
    user.is_staff = user.is_superuser = True
    user.save(update_fields=["is_staff", "is_superuser"])
    return user


def test_every_numbered_url_says_not_found_for_an_id_past_any_column(administrator: User) -> None:
    assert len(NUMBERED) > 50 and HUGE  # guards the generation
    client = Client(raise_request_exception=False)
    client.force_login(administrator)
    wrong = []
    for name in NUMBERED:
        for huge in HUGE:
            path = "/" + re.sub(r"<int:\w+>", huge, ROUTES[name].route)
            for method in ("get", "post"):
                status = getattr(client, method)(path).status_code
                if status not in (HTTPStatus.NOT_FOUND, HTTPStatus.METHOD_NOT_ALLOWED, HTTPStatus.FORBIDDEN):
                    wrong.append(f"{method.upper()} {path} ({name}): {status}")
    assert not wrong, "\n".join(wrong)


TWENTY_DIGITS = "99999999999999999999"  # past a signed 64-bit integer: PostgreSQL's bigint overflows


@pytest.mark.django_db
def test_every_numbered_url_says_not_found_for_a_20_digit_id_to_every_role(settings: Any) -> None:
    """Each role's own path to the database (its scope, then the id) copes with an id past 64 bits."""
    from preceptorship.tests.test_access_matrix import ROLES, build_world

    assert TWENTY_DIGITS in HUGE
    world = build_world(settings)
    wrong = []
    for role in ROLES[1:]:
        client = Client(raise_request_exception=False)
        client.force_login(world.users[role])
        for name in NUMBERED:
            path = "/" + re.sub(r"<int:\w+>", TWENTY_DIGITS, ROUTES[name].route)
            status = client.get(path).status_code
            if status not in (HTTPStatus.NOT_FOUND, HTTPStatus.METHOD_NOT_ALLOWED, HTTPStatus.FORBIDDEN):
                wrong.append(f"GET {path} ({name}) as {role}: {status}")
    assert not wrong, "\n".join(wrong)


@pytest.mark.django_db
def test_every_admin_page_of_a_record_copes_with_a_20_digit_id(administrator: User) -> None:
    """The admin pages of one record (change, delete, history) for an id past 64 bits: sent back to
    the list with a message, or not found; never a server error."""
    from django.apps import apps
    from django.contrib import admin

    registered = [model for model in apps.get_models() if admin.site.is_registered(model)]
    client = Client(raise_request_exception=False)
    client.force_login(administrator)
    wrong = []
    for model in registered:
        base = f"/admin/{model._meta.app_label}/{model._meta.model_name}/{TWENTY_DIGITS}"
        for page in ("change", "delete", "history"):
            status = client.get(f"{base}/{page}/").status_code
            if status not in (HTTPStatus.FOUND, HTTPStatus.NOT_FOUND, HTTPStatus.FORBIDDEN):
                wrong.append(f"{base}/{page}/: {status}")
    assert len(registered) > 10
    assert not wrong, "\n".join(wrong)
