"""The pinned clock: every test starts at noon London time on the suite's day, ticking; a test that
chooses its own moment (the time_machine marker or fixture) gets it."""

from __future__ import annotations

import datetime

import pytest
from django.utils import timezone


def test_every_test_starts_at_noon_in_london_on_the_suites_day(today):
    now = timezone.localtime()
    assert now.date() == today and (now.hour, now.minute) == (12, 0)


@pytest.mark.time_machine(datetime.datetime(2027, 10, 31, 1, 30, tzinfo=datetime.UTC), tick=False)
def test_a_test_marked_with_its_own_moment_gets_it():
    assert timezone.now() == datetime.datetime(2027, 10, 31, 1, 30, tzinfo=datetime.UTC)
    assert timezone.localdate() == datetime.date(2027, 10, 31)


def test_the_fixture_moves_the_clock_within_a_test(time_machine):
    time_machine.move_to(datetime.datetime(2028, 2, 29, 23, 59, tzinfo=datetime.UTC), tick=False)
    assert timezone.localdate() == datetime.date(2028, 2, 29)
