"""The standards scorecard's rules that read the preceptor register and the protected caseload:
preceptor time per year, protected caseload respected, an exception agreed on the register for the
registration rule, and time paused taken out of the meeting interval; through the services and the
scorecard's pages, the lead's copy and the download."""

from __future__ import annotations

import datetime
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from preceptorship.models import Membership
from preceptorship.tests.factories import person
from programmes.models import Enrolment
from programmes.preceptors.models import PreceptorRecord, TimeGiven
from programmes.reporting import services, standards
from programmes.reporting.models import Criterion, RuleKind, StandardSet
from programmes.schedule import add_months
from programmes.tests.exports_reading import csv_rows
from programmes.tests.factories import EnrolmentFactory, PauseFactory, ProgrammeFactory
from programmes.tests.factories_practice import ReviewFactory

Role = Membership.Role
pytestmark = pytest.mark.django_db


def _criterion(kind: str, parameter: int | None = None) -> Criterion:
    standard_set = StandardSet.objects.create(code=f"test-{kind}", name="Test set", source="A test")
    return Criterion.objects.create(standard_set=standard_set, code=kind, title=kind, kind=kind, parameter=parameter,
                                    source="A test")


def _verdict(criterion: Criterion, enrolment: Enrolment, today: datetime.date) -> bool | None:
    found = {fact.pk: fact for fact in standards.facts(Enrolment.objects.filter(pk=enrolment.pk), today)}
    return standards.judge(criterion, found[enrolment.pk], today)


def _given(enrolment: Enrolment, hours: str, mentor=None) -> None:
    TimeGiven.objects.create(enrolment=enrolment, mentor=mentor or enrolment.mentor, on=enrolment.start_date,
                             hours=Decimal(hours))


def _exception(organisation, mentor) -> PreceptorRecord:
    return PreceptorRecord.objects.create(
        organisation=organisation, mentor=mentor, has_exception=True, exception_reason="Only specialist in the team",
        exception_agreed_by="Head of therapies", exception_agreed_on=datetime.date(2026, 1, 5),
    )


def test_national_sets_ship_the_new_criteria_switched_off_with_a_note():
    for standard_set in StandardSet.objects.filter(organisation__isnull=True):
        time = standard_set.criteria.get(kind=RuleKind.PRECEPTOR_TIME)
        caseload = standard_set.criteria.get(kind=RuleKind.PROTECTED_CASELOAD)
        assert not time.enabled and time.parameter is None and "no number of hours is set" in time.source
        assert not caseload.enabled and "no caseload rule is set" in caseload.source


def test_preceptor_time_per_preceptee_a_year_pro_rata(organisation, today):
    criterion = _criterion(RuleKind.PRECEPTOR_TIME, 24)  # 24 hours a year: 2 for each whole month
    programme = ProgrammeFactory(organisation=organisation)
    start = add_months(today, -3)  # three whole months: 6 hours needed
    enough = EnrolmentFactory(programme=programme, start_date=start)
    _given(enough, "4")
    _given(enough, "2")
    short = EnrolmentFactory(programme=programme, start_date=start)
    _given(short, "5.5")
    # Time another mentor gave this preceptee is not their mentor's time.
    _given(short, "3", mentor=person(organisation, Role.MENTOR))
    first_month = EnrolmentFactory(programme=programme, start_date=today - datetime.timedelta(days=20))
    assert _verdict(criterion, enough, today) is True
    assert _verdict(criterion, short, today) is False
    assert _verdict(criterion, first_month, today) is None


def test_protected_caseload_respected_in_the_protected_months(organisation, today):
    criterion = _criterion(RuleKind.PROTECTED_CASELOAD)
    protected = ProgrammeFactory(organisation=organisation, protected_caseload_months=3,
                                 protected_caseload_percent=60)
    start = add_months(today, -5)
    within = EnrolmentFactory(programme=protected, start_date=start)
    ReviewFactory(enrolment=within, number=1, held_on=add_months(start, 1), caseload_percent=60)  # the edge
    ReviewFactory(enrolment=within, number=2, held_on=add_months(start, 4), caseload_percent=100)  # after: free
    above = EnrolmentFactory(programme=protected, start_date=start)
    ReviewFactory(enrolment=above, number=1, held_on=add_months(start, 1), caseload_percent=50)
    ReviewFactory(enrolment=above, number=2, held_on=add_months(start, 3) - datetime.timedelta(days=1),
                  caseload_percent=61)
    unrecorded = EnrolmentFactory(programme=protected, start_date=start)
    ReviewFactory(enrolment=unrecorded, number=1, held_on=add_months(start, 1), caseload_percent=None)
    unprotected = EnrolmentFactory(programme=ProgrammeFactory(organisation=organisation), start_date=start)
    ReviewFactory(enrolment=unprotected, number=1, held_on=add_months(start, 1), caseload_percent=100)
    assert _verdict(criterion, within, today) is True
    assert _verdict(criterion, above, today) is False
    assert _verdict(criterion, unrecorded, today) is None
    assert _verdict(criterion, unprotected, today) is None


def test_an_exception_agreed_on_the_register_meets_the_registration_rule_and_is_noted(
        organisation, other_organisation, today):
    criterion = _criterion(RuleKind.PRECEPTOR_REGISTERED, 12)
    programme = ProgrammeFactory(organisation=organisation)
    start = today - datetime.timedelta(days=30)
    recent = add_months(start, -6)
    excepted = EnrolmentFactory(programme=programme, start_date=start,
                                mentor=person(organisation, Role.MENTOR, first_registered_on=recent))
    _exception(organisation, excepted.mentor)
    # An exception on another organisation's register does not count here.
    elsewhere = EnrolmentFactory(programme=programme, start_date=start,
                                 mentor=person(organisation, Role.MENTOR, first_registered_on=recent))
    _exception(other_organisation, elsewhere.mentor)
    in_time = EnrolmentFactory(programme=programme, start_date=start,
                               mentor=person(organisation, Role.MENTOR, first_registered_on=add_months(start, -24)))
    _exception(organisation, in_time.mentor)  # met on its dates: not noted as an exception
    [result] = standards.score([criterion], standards.facts(Enrolment.objects.all(), today), today)
    assert (result.met, result.assessed) == (2, 3)
    assert [fact.pk for fact in result.short] == [elsewhere.pk]
    assert [fact.pk for fact in result.excepted] == [excepted.pk]


def test_time_paused_is_taken_out_of_the_meeting_interval(organisation, today):
    criterion = _criterion(RuleKind.MEETING_INTERVAL, 3)
    programme = ProgrammeFactory(organisation=organisation)
    start = add_months(today, -8)
    pause_start, pause_end = add_months(start, 1), add_months(start, 1) + datetime.timedelta(days=29)  # 30 days
    paused = EnrolmentFactory(programme=programme, start_date=start)
    PauseFactory(enrolment=paused, start_date=pause_start, end_date=pause_end)
    ReviewFactory(enrolment=paused, number=1, held_on=add_months(start, 3) + datetime.timedelta(days=30))  # the edge
    ReviewFactory(enrolment=paused, number=2, held_on=add_months(today, -2))
    late = EnrolmentFactory(programme=programme, start_date=start)
    PauseFactory(enrolment=late, start_date=pause_start, end_date=pause_end)
    ReviewFactory(enrolment=late, number=1, held_on=add_months(start, 3) + datetime.timedelta(days=31))
    ReviewFactory(enrolment=late, number=2, held_on=add_months(today, -2))
    unpaused = EnrolmentFactory(programme=programme, start_date=start)
    ReviewFactory(enrolment=unpaused, number=1, held_on=add_months(start, 3) + datetime.timedelta(days=30))
    ReviewFactory(enrolment=unpaused, number=2, held_on=add_months(today, -2))
    # A pause after the meeting was already overdue does not excuse the gap.
    overdue_then_paused = EnrolmentFactory(programme=programme, start_date=start)
    PauseFactory(enrolment=overdue_then_paused, start_date=add_months(start, 4), end_date=add_months(start, 5))
    ReviewFactory(enrolment=overdue_then_paused, number=1, held_on=add_months(start, 5))
    ReviewFactory(enrolment=overdue_then_paused, number=2, held_on=add_months(today, -2))
    assert _verdict(criterion, paused, today) is True
    assert _verdict(criterion, late, today) is False
    assert _verdict(criterion, unpaused, today) is False
    assert _verdict(criterion, overdue_then_paused, today) is False


def test_a_leads_copy_switches_preceptor_time_on_with_a_number(organisation, today):
    lead = person(organisation, Role.PROGRAMME_LEAD)
    national = StandardSet.objects.get(code="ahp-preceptorship", organisation__isnull=True)
    copy = services.standard_set_copy(actor=lead, standard_set=national, organisation=organisation)
    time = copy.criteria.get(kind=RuleKind.PRECEPTOR_TIME)
    with pytest.raises(ValidationError) as error:
        services.criterion_change(actor=lead, criterion=time, parameter=None, enabled=True)
    assert "parameter" in error.value.message_dict
    services.criterion_change(actor=lead, criterion=time, parameter=12, enabled=True)
    time.refresh_from_db()
    assert time.enabled and time.rule == "Preceptor time given at least 12 hours a year to each preceptee"


# Through the pages.


@pytest.fixture
def lead(organisation):
    return person(organisation, Role.PROGRAMME_LEAD)


def _copy_with_new_rules_on(client, organisation) -> StandardSet:
    national = StandardSet.objects.get(code="ahp-preceptorship", organisation__isnull=True)
    assert client.post(reverse("programmes:standard-set-copy", args=[national.pk])).status_code == 302
    copy = StandardSet.objects.get(organisation=organisation)
    time = copy.criteria.get(kind=RuleKind.PRECEPTOR_TIME)
    page = client.get(reverse("programmes:criterion-change", args=[time.pk]))
    assert page.status_code == 200 and "Number of hours a year" in page.content.decode()
    assert client.post(reverse("programmes:criterion-change", args=[time.pk]),
                       {"parameter": "12", "enabled": "on"}).status_code == 302
    caseload = copy.criteria.get(kind=RuleKind.PROTECTED_CASELOAD)
    assert client.post(reverse("programmes:criterion-change", args=[caseload.pk]),
                       {"enabled": "on"}).status_code == 302
    return copy


def test_scorecard_page_and_download_show_the_new_rules_and_the_exception(client, lead, organisation, today):
    client.force_login(lead)
    copy = _copy_with_new_rules_on(client, organisation)
    programme = ProgrammeFactory(organisation=organisation, protected_caseload_months=3,
                                 protected_caseload_percent=60)
    start = add_months(today, -2)
    mentor = person(organisation, Role.MENTOR, first_registered_on=add_months(start, -3))
    _exception(organisation, mentor)
    enrolment = EnrolmentFactory(programme=programme, start_date=start, mentor=mentor,
                                 preceptee=person(organisation, Role.PRACTITIONER, first_name="Ezra",
                                                  last_name="Excepted"))
    ReviewFactory(enrolment=enrolment, number=1, held_on=add_months(start, 1), caseload_percent=80)
    _given(enrolment, "2")
    page = client.get(reverse("programmes:standards"), {"standard_set": copy.pk})
    html = page.content.decode()
    assert page.status_code == 200
    assert "1 enrolment met through an exception agreed on the preceptor register" in html
    assert "Ezra Excepted" in html
    assert "The preceptor has time to support each preceptee every year" in html
    download = client.get(reverse("programmes:standards-export", args=["csv"]), {"standard_set": copy.pk})
    rows = csv_rows(download)
    header = rows[0]
    found = {row[header.index("criterion")]: dict(zip(header, row, strict=False)) for row in rows[1:]
             if row[header.index("programme")] == "All programmes"}
    assert found["preceptor-time"]["rule"] == "Preceptor time given at least 12 hours a year to each preceptee"
    assert (found["preceptor-time"]["met"], found["preceptor-time"]["judged"]) == ("1", "1")  # 2 h for 2 months
    assert (found["protected-caseload"]["met"], found["protected-caseload"]["judged"]) == ("0", "1")
    assert (found["preceptor-experience"]["met"], found["preceptor-experience"]["judged"]) == ("1", "1")
