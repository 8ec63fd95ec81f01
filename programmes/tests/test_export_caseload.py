"""The enrolment download carries the protected caseload: the programme's share and months, the last
caseload a review meeting recorded (a number) and whether it was above the protection on that day,
in the same number of queries however many enrolments and reviews there are."""

from __future__ import annotations

import datetime
import io

import pytest
from django.test import Client
from django.urls import reverse
from openpyxl import load_workbook

from preceptorship.models import Membership
from preceptorship.tests.factories import person
from preceptorship.tests.queries import assert_same_queries_at_two_sizes
from programmes import exports
from programmes.models import ReviewMeeting
from programmes.tests.factories_reports import ReportEnrolmentFactory, ReportProgrammeFactory

Role = Membership.Role
pytestmark = [pytest.mark.django_db, pytest.mark.time_machine(datetime.datetime(2026, 6, 10, 10, 0))]
START = datetime.date(2026, 1, 10)
COLUMNS = ["protected_caseload_percent", "protected_caseload_months", "latest_caseload_percent",
           "latest_caseload_on", "latest_caseload_above_protection"]


def _review(enrolment, number: int, held_on: datetime.date, caseload: int | None) -> None:
    ReviewMeeting.objects.create(enrolment=enrolment, number=number, held_on=held_on, caseload_percent=caseload)


def _rows(client: Client) -> dict[int, dict]:
    response = client.get(reverse("programmes:enrolments-export", args=["xlsx"]))
    rows = list(load_workbook(io.BytesIO(response.content)).active.values)
    return {row[0]: dict(zip(rows[0], row, strict=True)) for row in rows[1:]}


def test_the_download_has_the_protection_and_the_latest_caseload_in_flat_queries(organisation):
    lead = person(organisation, Role.PROGRAMME_LEAD)
    mentor = person(organisation, Role.MENTOR)
    protected = ReportProgrammeFactory(organisation=organisation, protected_caseload_percent=60,
                                       protected_caseload_months=6)
    open_ended = ReportProgrammeFactory(organisation=organisation)
    above = ReportEnrolmentFactory(programme=protected, mentor=mentor, start_date=START)
    _review(above, 1, datetime.date(2026, 2, 10), 50)
    _review(above, 2, datetime.date(2026, 4, 10), 80)  # the latest: above 60% in the first 6 months
    _review(above, 3, datetime.date(2026, 5, 1), None)  # no caseload recorded: not the latest caseload
    within = ReportEnrolmentFactory(programme=protected, mentor=mentor, start_date=START)
    _review(within, 1, datetime.date(2026, 3, 10), 60)
    after = ReportEnrolmentFactory(programme=protected, mentor=mentor, start_date=datetime.date(2025, 10, 1))
    _review(after, 1, datetime.date(2026, 5, 1), 90)  # its protected months ended on 1 April
    none = ReportEnrolmentFactory(programme=open_ended, mentor=mentor, start_date=START)
    _review(none, 1, datetime.date(2026, 3, 10), 100)
    nothing = ReportEnrolmentFactory(programme=protected, mentor=mentor, start_date=START)

    assert [code for code, _ in exports.LISTS["enrolments"].columns][-5:] == COLUMNS
    client = Client()
    client.force_login(lead)

    def grow() -> None:
        for _ in range(3):
            extra = ReportEnrolmentFactory(programme=protected, mentor=mentor, start_date=START)
            _review(extra, 1, datetime.date(2026, 2, 1), 70)

    rows, _ = assert_same_queries_at_two_sizes(lambda: _rows(client), grow)
    facts = {pk: [rows[pk][code] for code in COLUMNS] for pk in rows}
    assert facts[above.pk][:3] == [60, 6, 80] and facts[above.pk][4] == "yes"
    assert facts[above.pk][3].date() == datetime.date(2026, 4, 10)
    assert facts[within.pk][2] == 60 and facts[within.pk][4] == "no"
    assert facts[after.pk][2] == 90 and facts[after.pk][4] is None  # recorded after the protected months
    assert facts[none.pk][:3] == [None, None, 100] and facts[none.pk][4] is None
    assert facts[nothing.pk] == [60, 6, None, None, None]
