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
