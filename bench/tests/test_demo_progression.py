"""The progression demo: cases at every stage, built through the services, safe to run twice."""

from __future__ import annotations

import datetime

import pytest
from django.utils import timezone

from bench.demo import directory as directory_demo
from bench.demo import progression as demo
from progression.models import Decision, ProgressionCase

pytestmark = pytest.mark.django_db
Stage = ProgressionCase.Stage


def test_demo_cases_cover_the_chain_and_running_twice_changes_nothing():
    today = timezone.localdate()
    directory = directory_demo.build(password="demo-password-1", today=today)
    cases = demo.build(directory=directory, today=today)
    stages = {key: case.stage for key, case in cases.items()}
    assert stages == {
        "practitioner_sw": Stage.DRAFT, "practitioner_sw_returned": Stage.DRAFT,
        "practitioner_sw_submitted": Stage.SUBMITTED, "practitioner_ot": Stage.RECOMMENDED,
        "practitioner_ot_done": Stage.CONFIRMED,
    }
    assert "safeguarding enquiry" in cases["practitioner_sw_returned"].return_reasons
    assert cases["practitioner_ot_done"].letter_file.read().startswith(b"%PDF")
    assert {c.framework.slug for c in cases.values()} == {demo.SW, demo.OT}
    counts = (ProgressionCase.objects.count(), Decision.objects.count())
    demo.build(directory=directory, today=today + datetime.timedelta(days=0))
    assert (ProgressionCase.objects.count(), Decision.objects.count()) == counts
