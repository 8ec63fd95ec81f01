"""The preceptor register's pages are valid HTML by the W3C Nu checker (the demo's crawl in
preceptorship/tests/test_html_validity.py reaches them too; this asks for each, errors included)."""

from __future__ import annotations

import json
import subprocess
from pathlib import Path

import pytest
from django.test import Client
from django.urls import reverse

from bench.demo.directory import PEOPLE
from preceptorship.models import User
from preceptorship.tests.test_html_validity import _checker
from programmes.models import ReviewMeeting
from programmes.preceptors.models import Preceptor

pytestmark = pytest.mark.django_db
EMAILS = {row[0]: row[3] for row in PEOPLE}


def _client(key: str) -> tuple[Client, User]:
    user = User.objects.get(email=EMAILS[key])
    client = Client()
    client.force_login(user)
    return client, user


def test_the_preceptor_pages_are_valid_html(seeded_demo, tmp_path: Path) -> None:
    checker = _checker()
    if checker is None:
        pytest.skip("the W3C Nu checker needs java and the vnujar package")
    lead, _ = _client("council_lead")
    mentor, maya = _client("mentor_ot")
    line = Preceptor.objects.get(user=maya)
    review = ReviewMeeting.objects.filter(enrolment__mentor=maya, status=ReviewMeeting.Status.HELD).first()
    pages = {
        "register": (lead, reverse("programmes:preceptors:register"), None),
        "entry": (lead, reverse("programmes:preceptors:entry", args=[line.pk]), None),
        "entry-error": (lead, reverse("programmes:preceptors:entry", args=[line.pk]), {"has_exception": "yes"}),
        "allowance": (lead, reverse("programmes:preceptors:allowance", args=[line.organisation_id]), None),
        "feedback": (lead, reverse("programmes:preceptors:feedback"), None),
        "mine": (mentor, reverse("programmes:preceptors:mine"), None),
        "training": (mentor, reverse("programmes:preceptors:training", args=[line.pk]), None),
        "time": (mentor, reverse("programmes:preceptors:time"), None),
        "time-error": (mentor, reverse("programmes:preceptors:time"), {"hours": "x"}),
        "wellbeing": (mentor, reverse("programmes:preceptors:wellbeing", args=[review.pk]), None),
        "evaluation-error": (mentor, reverse("programmes:preceptors:evaluation", args=[line.pk]), {}),
    }
    for name, (client, address, posted) in pages.items():
        response = client.get(address) if posted is None else client.post(address, posted)
        assert response.status_code == 200, name
        (tmp_path / f"{name}.html").write_bytes(response.content)
    result = subprocess.run(  # noqa: S603 - a fixed command on files this test wrote
        [*checker, "--format", "json", "--errors-only", "--exit-zero-always", *sorted(tmp_path.glob("*.html"))],
        capture_output=True, text=True, timeout=300, check=False,
    )
    messages = json.loads(result.stderr or result.stdout or '{"messages": []}')["messages"]
    assert not [f"{Path(m.get('url', '')).name}: {m.get('message')}" for m in messages]
