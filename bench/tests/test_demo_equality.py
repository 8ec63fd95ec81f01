"""The equality demo: the council lead's figures show at least one group in full, hide the small
ones, and running the builder twice changes nothing."""

from __future__ import annotations

import pytest
from django.utils import timezone

from bench.demo import directory as directory_demo
from bench.demo import enrolments as enrolments_demo
from bench.demo import equality as demo
from bench.demo import progression as progression_demo
from programmes.equality import selectors
from programmes.equality.categories import BY_FIELD
from programmes.equality.models import EqualityAnswers
from programmes.models import Enrolment

pytestmark = pytest.mark.django_db


def test_the_council_figures_show_a_group_and_running_twice_changes_nothing():
    today = timezone.localdate()
    directory = directory_demo.build(password="demo-password-1", today=today)
    progression_demo.build(directory=directory, today=today)
    enrolments_demo.build(directory=directory, today=today)
    demo.build(directory=directory, today=today)
    council = directory.organisations["council"]
    table = selectors.retention(organisation_ids=[council.pk], question=BY_FIELD["disability"])
    shown = {row.group: (row.first.value, row.second.value) for row in table.rows
             if not (row.first.hidden or row.second.hidden)}
    assert shown["No"] == (6, 5)
    assert all(row.total.hidden for row in table.rows if row.group == "Yes")
    ethnic = selectors.retention(organisation_ids=[council.pk], question=BY_FIELD["ethnic_group"])
    white = next(row for row in ethnic.rows if row.group == "White")
    assert (white.first.value, white.second.value) == (6, 5) and not (white.first.hidden or white.second.hidden)
    counts = (EqualityAnswers.objects.count(), Enrolment.objects.count())
    demo.build(directory=directory, today=today)
    assert (EqualityAnswers.objects.count(), Enrolment.objects.count()) == counts
