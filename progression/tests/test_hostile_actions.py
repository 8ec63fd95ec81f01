"""Hostile input on the case's single-action buttons that read the request themselves (no form):
a NUL byte in the comment sent with a submission is dropped, not a server error (PostgreSQL
stores no NUL in text; the hostile form tests run such values through every form)."""

from __future__ import annotations

from http import HTTPStatus
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse

from progression.models import ProgressionCase
from progression.tests.factories import mark_required

pytestmark = pytest.mark.django_db


def test_a_nul_byte_in_the_submission_comment_is_dropped(cast: Any) -> None:
    case = cast.open_case()
    mark_required(case, cast.manager)
    client = Client(raise_request_exception=False)
    client.force_login(cast.manager)
    response = client.post(reverse("progression:case-submit", kwargs={"pk": case.pk}), {"comment": "Ready\x00 now",
                                                                                       "confirm": "yes"})
    assert response.status_code == HTTPStatus.FOUND
    case.refresh_from_db()
    assert case.stage == ProgressionCase.Stage.SUBMITTED
