"""The self-assessment demo: a self-assessed framework with a case where the practitioner has rated
everything, one disagreement is settled and two wait for the manager; safe to run twice."""

from __future__ import annotations

import pytest
from django.utils import timezone

from bench.demo import directory as directory_demo
from bench.demo import progression as progression_demo
from bench.demo import self_assessment as demo
from preceptorship.models import AuditEntry
from progression import services
from progression.models import ProgressionCase

pytestmark = pytest.mark.django_db


def test_the_demo_case_is_self_assessed_with_disagreements_to_settle_and_running_twice_changes_nothing():
    today = timezone.localdate()
    directory = directory_demo.build(password="demo-password-1", today=today)
    progression_demo.build(directory=directory, today=today)
    case = demo.build(directory=directory, today=today)
    assert case.framework.self_assessed and case.stage == ProgressionCase.Stage.DRAFT
    rows = services.disagreements(case)
    assert [row.needs_settling for row in rows] == [True, True, False]
    assert "the disagreement is not settled" in services.submission_refusal(case, directory.users["manager_sw"])
    counts = (ProgressionCase.objects.count(), AuditEntry.objects.count())
    demo.build(directory=directory, today=today)
    assert (ProgressionCase.objects.count(), AuditEntry.objects.count()) == counts
