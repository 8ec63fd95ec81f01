"""The demo council's own copy of the AHP preceptorship standards judges protected caseload and
preceptor time, so its lead's scorecard shows the occupational therapy preceptee whose review
recorded a caseload above the programme's protection."""

from __future__ import annotations

import csv
import io
from http import HTTPStatus

import pytest
from django.test import Client
from django.urls import reverse

from preceptorship.models import User
from programmes.reporting.models import StandardSet

pytestmark = pytest.mark.django_db


def _rows(client: Client, standard_set: StandardSet) -> dict[tuple[str, str], dict[str, str]]:
    response = client.get(reverse("programmes:standards-export", kwargs={"fmt": "csv"}),
                          {"standard_set": standard_set.pk})
    assert response.status_code == HTTPStatus.OK
    text = b"".join(response.streaming_content).decode("utf-8-sig") if response.streaming else response.content.decode(
        "utf-8-sig")
    return {(row["programme"], row["criterion"]): row for row in csv.DictReader(io.StringIO(text))}


def test_the_councils_copy_judges_protected_caseload_and_preceptor_time(seeded_demo):
    lead = User.objects.get(email="practice.lead@council.dalesford.example")
    copy = StandardSet.objects.get(organisation__name__startswith="Dalesford County Council", code="ahp-preceptorship")
    criteria = {criterion.code: criterion for criterion in copy.criteria.all()}
    assert criteria["protected-caseload"].enabled
    assert criteria["preceptor-time"].enabled and criteria["preceptor-time"].parameter == 12
    client = Client()
    client.force_login(lead)
    rows = _rows(client, copy)
    caseload = rows[("All programmes", "protected-caseload")]
    assert int(caseload["judged"]) >= 1
    assert int(caseload["met"]) < int(caseload["judged"])  # the review that recorded 70% against 60%
    assert int(rows[("All programmes", "preceptor-time")]["judged"]) >= 1
