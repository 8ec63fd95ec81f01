"""The demo's comparators of people: the council's six occupational therapy preceptees, first
registered and started in post a year ago, are enough for a first-year leavers rate (one left the
organisation on withdrawing, the leaving date in the staff record); the trust's two AHP
preceptees alone are too few, so its figure is not shown and says why."""

from __future__ import annotations

import pytest
from django.utils import timezone

from preceptorship.figures import SUPPRESSED
from preceptorship.models import Organisation, User
from programmes.reporting.comparators import comparators

pytestmark = pytest.mark.django_db
LEAVERS = "AHPs leaving the NHS in their first year"


def _leavers(*organisations: Organisation):
    rows = {row.measure: row for row in comparators([o.pk for o in organisations], timezone.localdate())}
    return rows[LEAVERS].ours


def test_the_demo_council_shows_a_first_year_leavers_rate_and_the_trust_too_few(seeded_demo):
    council = Organisation.objects.get(name__startswith="Dalesford County Council")
    trust = Organisation.objects.get(name__icontains="trust", ics=council.ics)
    assert User.objects.get(email="luke.morgan@council.dalesford.example").left_on is not None
    figure = _leavers(council)
    assert not figure.hidden and figure.unit == "%" and figure.value is not None
    assert str(_leavers(trust)) == SUPPRESSED
