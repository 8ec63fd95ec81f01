"""The two national comparators of people (seed 001: first-year leavers, no structured period of
learning), measured from the staff record's dates and the enrolments, at a pinned date, with fewer
than 5 people not shown."""

from __future__ import annotations

import datetime

import pytest
from django.utils import timezone

from preceptorship.figures import SUPPRESSED
from preceptorship.models import Membership
from preceptorship.tests.factories import person, profession
from programmes.models import Enrolment
from programmes.reporting.comparators import comparators
from programmes.tests.factories import EnrolmentFactory, ProgrammeFactory

Role = Membership.Role
pytestmark = [pytest.mark.django_db, pytest.mark.time_machine("2027-06-15 12:00:00+01:00", tick=False)]
LEAVERS = "AHPs leaving the NHS in their first year"
UNSTRUCTURED = "AHPs with no structured period of learning on entering the workplace"


def _ahp(organisation, started, registered, left=None, slug="physiotherapy"):
    return person(organisation, Role.PRACTITIONER, profession=profession(slug), started_in_post_on=started,
                  first_registered_on=registered, left_on=left)


def _rows(*organisations):
    # As of the pinned day (the module's time_machine mark).
    return {row.measure: row for row in comparators([o.pk for o in organisations], timezone.localdate())}


def test_first_year_leavers_is_a_rate_of_newly_registered_starters_12_to_24_months_ago(organisation):
    start = datetime.date(2026, 1, 10)
    registered = datetime.date(2025, 7, 1)
    # Six newly registered starters: two left within their first year, one after it.
    _ahp(organisation, start, registered, left=datetime.date(2026, 6, 30))
    _ahp(organisation, start, registered, left=datetime.date(2027, 1, 10))
    _ahp(organisation, start, registered, left=datetime.date(2027, 1, 11))
    for _ in range(3):
        _ahp(organisation, start, registered)
    # Not counted: started too recently, registered long before starting, not an AHP.
    _ahp(organisation, datetime.date(2026, 7, 1), datetime.date(2026, 6, 1), left=datetime.date(2026, 8, 1))
    _ahp(organisation, start, datetime.date(2020, 1, 1), left=datetime.date(2026, 2, 1))
    _ahp(organisation, start, registered, left=datetime.date(2026, 2, 1), slug="social-work")
    leavers = _rows(organisation)[LEAVERS]
    assert (leavers.ours.value, leavers.ours.unit, leavers.ours.hidden) == (33, "%", False)
    assert str(leavers.ours) == "33%" and leavers.national.value == 11
    assert "leaving the organisation" in leavers.how and "whole NHS" in leavers.how
    assert "only as complete as the leaving dates" in leavers.how


def test_no_structured_support_counts_no_enrolment_or_one_withdrawn_within_3_months(organisation, other_organisation):
    started, registered = datetime.date(2026, 9, 1), datetime.date(2026, 6, 1)
    programme = ProgrammeFactory(organisation=organisation)
    people = [_ahp(organisation, started, registered) for _ in range(8)]
    EnrolmentFactory(programme=programme, preceptee=people[0], start_date=started)
    EnrolmentFactory(programme=programme, preceptee=people[1], start_date=started, status=Enrolment.Status.COMPLETED,
                     completed_on=datetime.date(2027, 6, 1))
    # Withdrawn after 5 months: a period of learning; after 1 month: none.
    EnrolmentFactory(programme=programme, preceptee=people[2], start_date=started, withdrawn=True,
                     withdrawn_on=datetime.date(2027, 2, 1))
    EnrolmentFactory(programme=programme, preceptee=people[3], start_date=started, withdrawn=True,
                     withdrawn_on=datetime.date(2026, 10, 1))
    # Enrolled by another organisation: not this one's support.
    EnrolmentFactory(programme=ProgrammeFactory(organisation=other_organisation), preceptee=people[4],
                     start_date=started)
    # Not counted: started under 3 months ago, registered over 24 months ago.
    _ahp(organisation, datetime.date(2027, 4, 1), datetime.date(2027, 3, 1))
    _ahp(organisation, started, datetime.date(2025, 5, 1))
    unstructured = _rows(organisation)[UNSTRUCTURED]
    assert (unstructured.ours.value, unstructured.ours.hidden) == (62, False)  # 5 of 8
    assert "measured from the records" in unstructured.how and "survey" in unstructured.how


def test_fewer_than_5_people_are_not_shown_and_say_why(organisation):
    for _ in range(4):
        _ahp(organisation, datetime.date(2026, 1, 10), datetime.date(2025, 7, 1), left=datetime.date(2026, 3, 1))
    rows = _rows(organisation)
    assert rows[LEAVERS].ours.hidden and str(rows[LEAVERS].ours) == SUPPRESSED
    assert rows[UNSTRUCTURED].ours.value is None or rows[UNSTRUCTURED].ours.hidden
    _ahp(organisation, datetime.date(2026, 1, 10), datetime.date(2025, 7, 1))
    assert str(_rows(organisation)[LEAVERS].ours) == "80%"
