"""Each rule kind of a standard criterion judged on small worlds: met, not met, the edge of the
limit, and "not judged yet"; a lead's copy changes the results; the national sets are loaded; the
programme's own rules that break a criterion."""

from __future__ import annotations

import datetime
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from preceptorship.models import AuditEntry, Membership
from preceptorship.tests.factories import person
from programmes.reporting import services, standards
from programmes.reporting.models import Criterion, RuleKind, StandardSet
from programmes.schedule import add_months
from programmes.tests.factories import EnrolmentFactory, EvaluationFactory, ProgrammeFactory
from programmes.tests.factories_practice import NeedsAssessmentFactory, ProtectedTimeFactory, ReviewFactory

Role = Membership.Role
pytestmark = pytest.mark.django_db


def _criterion(kind: str, parameter: int | None = None) -> Criterion:
    standard_set = StandardSet.objects.create(code=f"test-{kind}", name="Test set", source="A test")
    return Criterion.objects.create(standard_set=standard_set, code=kind, title=kind, kind=kind, parameter=parameter,
                                    source="A test")


def _verdict(criterion: Criterion, enrolment, today: datetime.date) -> bool | None:
    found = {fact.pk: fact for fact in standards.facts(type(enrolment).objects.filter(pk=enrolment.pk), today)}
    return standards.judge(criterion, found[enrolment.pk], today)


def _held(enrolment, *days: datetime.date) -> None:
    for number, day in enumerate(days, start=1):
        ReviewFactory(enrolment=enrolment, number=number, held_on=day)


def test_national_sets_are_loaded_with_their_sources():
    national = StandardSet.objects.filter(organisation__isnull=True)
    assert set(national.values_list("code", flat=True)) >= {"ahp-preceptorship", "nursing-core", "nursing-gold"}
    for standard_set in national:
        assert standard_set.source
        assert standard_set.criteria.exists()
        assert all(criterion.source for criterion in standard_set.criteria.all())


@pytest.mark.parametrize(("length", "met"), [(11, False), (12, True), (18, True)])
def test_programme_length(organisation, today, length, met):
    enrolment = EnrolmentFactory(programme=ProgrammeFactory(organisation=organisation, length_months=length,
                                                            review_interval_months=3))
    assert _verdict(_criterion(RuleKind.PROGRAMME_LENGTH, 12), enrolment, today) is met


@pytest.mark.parametrize(("days_after_start", "met"), [(13, True), (14, True), (15, False)])
def test_first_meeting_within_days_edge(organisation, today, days_after_start, met):
    start = today - datetime.timedelta(days=60)
    enrolment = EnrolmentFactory(programme=ProgrammeFactory(organisation=organisation), start_date=start)
    _held(enrolment, start + datetime.timedelta(days=days_after_start))
    assert _verdict(_criterion(RuleKind.FIRST_MEETING, 14), enrolment, today) is met


def test_first_meeting_not_judged_until_due_then_not_met(organisation, today):
    criterion = _criterion(RuleKind.FIRST_MEETING, 14)
    recent = EnrolmentFactory(programme=ProgrammeFactory(organisation=organisation),
                              start_date=today - datetime.timedelta(days=10))
    overdue = EnrolmentFactory(programme=ProgrammeFactory(organisation=organisation),
                               start_date=today - datetime.timedelta(days=20))
    assert _verdict(criterion, recent, today) is None
    assert _verdict(criterion, overdue, today) is False


def test_meeting_interval(organisation, today):
    criterion = _criterion(RuleKind.MEETING_INTERVAL, 3)
    programme = ProgrammeFactory(organisation=organisation)
    start = add_months(today, -7)
    regular = EnrolmentFactory(programme=programme, start_date=start)
    _held(regular, add_months(start, 3), add_months(start, 6))  # exactly every 3 months: the edge is met
    gap = EnrolmentFactory(programme=programme, start_date=start)
    _held(gap, add_months(start, 3) + datetime.timedelta(days=1), add_months(start, 6))
    lapsed = EnrolmentFactory(programme=programme, start_date=add_months(today, -10))
    _held(lapsed, add_months(today, -7), add_months(today, -4))  # none in the last 4 months
    new = EnrolmentFactory(programme=programme, start_date=add_months(today, -2))
    assert _verdict(criterion, regular, today) is True
    assert _verdict(criterion, gap, today) is False
    assert _verdict(criterion, lapsed, today) is False
    assert _verdict(criterion, new, today) is None


def test_protected_time_per_month(organisation, today):
    criterion = _criterion(RuleKind.PROTECTED_TIME, 4)
    programme = ProgrammeFactory(organisation=organisation)
    start = add_months(today, -2)  # two whole months: 8 hours needed
    enough = EnrolmentFactory(programme=programme, start_date=start)
    ProtectedTimeFactory(enrolment=enough, hours=Decimal("4.0"))
    ProtectedTimeFactory(enrolment=enough, hours=Decimal("4.0"))
    short = EnrolmentFactory(programme=programme, start_date=start)
    ProtectedTimeFactory(enrolment=short, hours=Decimal("7.5"))
    first_month = EnrolmentFactory(programme=programme, start_date=today - datetime.timedelta(days=20))
    assert _verdict(criterion, enough, today) is True
    assert _verdict(criterion, short, today) is False
    assert _verdict(criterion, first_month, today) is None


def test_named_preceptor(organisation, today):
    criterion = _criterion(RuleKind.NAMED_PRECEPTOR)
    programme = ProgrammeFactory(organisation=organisation)
    named = EnrolmentFactory(programme=programme)
    own = person(organisation, Role.PRACTITIONER, Role.MENTOR)
    self_mentored = EnrolmentFactory(programme=programme, preceptee=own, mentor=own)
    assert _verdict(criterion, named, today) is True
    assert _verdict(criterion, self_mentored, today) is False


def test_preceptor_registered_months_before_start(organisation, today):
    criterion = _criterion(RuleKind.PRECEPTOR_REGISTERED, 12)
    programme = ProgrammeFactory(organisation=organisation)
    start = today - datetime.timedelta(days=30)
    cases = {
        add_months(start, -12): True,  # exactly 12 months: met
        add_months(start, -12) + datetime.timedelta(days=1): False,
        add_months(start, -30): True,
        None: False,  # no date recorded
    }
    for registered, met in cases.items():
        mentor = person(organisation, Role.MENTOR, first_registered_on=registered)
        enrolment = EnrolmentFactory(programme=programme, start_date=start, mentor=mentor)
        assert _verdict(criterion, enrolment, today) is met, registered


def test_needs_assessment_within_days(organisation, today, time_machine):
    criterion = _criterion(RuleKind.NEEDS_ASSESSMENT, 28)
    programme = ProgrammeFactory(organisation=organisation)
    start = today - datetime.timedelta(days=60)
    on_time = EnrolmentFactory(programme=programme, start_date=start)
    NeedsAssessmentFactory(enrolment=on_time, submitted_at=datetime.datetime.combine(
        start + datetime.timedelta(days=28), datetime.time(12), tzinfo=datetime.UTC))
    late = EnrolmentFactory(programme=programme, start_date=start)
    NeedsAssessmentFactory(enrolment=late, submitted_at=datetime.datetime.combine(
        start + datetime.timedelta(days=29), datetime.time(12), tzinfo=datetime.UTC))
    missing = EnrolmentFactory(programme=programme, start_date=start)
    draft_only = EnrolmentFactory(programme=programme, start_date=today - datetime.timedelta(days=5))
    NeedsAssessmentFactory(enrolment=draft_only, submitted_at=None)
    assert _verdict(criterion, on_time, today) is True
    assert _verdict(criterion, late, today) is False
    assert _verdict(criterion, missing, today) is False
    assert _verdict(criterion, draft_only, today) is None


def test_evaluation_only_judged_at_completion(organisation, today):
    criterion = _criterion(RuleKind.EVALUATION)
    programme = ProgrammeFactory(organisation=organisation)
    answered = EvaluationFactory(enrolment=EnrolmentFactory(programme=programme, completed=True)).enrolment
    unanswered = EnrolmentFactory(programme=programme, completed=True)
    current = EnrolmentFactory(programme=programme)
    assert _verdict(criterion, answered, today) is True
    assert _verdict(criterion, unanswered, today) is False
    assert _verdict(criterion, current, today) is None


def test_score_counts_met_and_judged_and_lists_who_falls_short(organisation, today):
    criterion = _criterion(RuleKind.PROGRAMME_LENGTH, 12)
    short_programme = ProgrammeFactory(organisation=organisation, length_months=6, review_interval_months=3)
    long_programme = ProgrammeFactory(organisation=organisation, length_months=12)
    falls_short = EnrolmentFactory(programme=short_programme)
    EnrolmentFactory.create_batch(3, programme=long_programme)
    EnrolmentFactory(programme=long_programme, withdrawn=True, withdrawn_on=today - datetime.timedelta(days=400),
                     start_date=today - datetime.timedelta(days=500))  # finished over a year ago: not counted
    from programmes.models import Enrolment

    [result] = standards.score([criterion], standards.facts(Enrolment.objects.all(), today), today)
    assert (result.met, result.assessed) == (3, 4)
    assert [fact.pk for fact in result.short] == [falls_short.pk]
    assert result.rate_exact.value == 75


def test_a_leads_copy_changes_the_results_and_is_audited(organisation, other_organisation, today):
    lead = person(organisation, Role.PROGRAMME_LEAD)
    national = StandardSet.objects.get(code="ahp-preceptorship", organisation__isnull=True)
    programme = ProgrammeFactory(organisation=organisation, length_months=6, review_interval_months=3)
    EnrolmentFactory(programme=programme)
    from programmes.models import Enrolment

    def length_result(standard_set):
        criteria = [c for c in standard_set.criteria.all() if c.kind == RuleKind.PROGRAMME_LENGTH]
        found = standards.facts(Enrolment.objects.all(), today)
        return standards.score(criteria, found, today)

    assert [(r.met, r.assessed) for r in length_result(national)] == [(0, 1)]
    copy = services.standard_set_copy(actor=lead, standard_set=national, organisation=organisation)
    assert copy.organisation == organisation and copy.based_on == national
    assert list(standards.sets_for([organisation.pk]).filter(code="ahp-preceptorship")) == [copy]
    length = copy.criteria.get(kind=RuleKind.PROGRAMME_LENGTH)
    services.criterion_change(actor=lead, criterion=length, parameter=6, enabled=True)
    assert [(r.met, r.assessed) for r in length_result(copy)] == [(1, 1)]
    services.criterion_change(actor=lead, criterion=length, parameter=6, enabled=False)
    assert length_result(copy) == []
    # The national set is unchanged.
    assert national.criteria.get(kind=RuleKind.PROGRAMME_LENGTH).parameter == 12
    actions = list(AuditEntry.objects.filter(organisation=organisation).values_list("action", flat=True))
    assert actions.count("standard_set.copy") == 1 and actions.count("criterion.change") == 2


def test_copy_and_change_are_refused_outside_the_leads_organisation(organisation, other_organisation):
    lead = person(organisation, Role.PROGRAMME_LEAD)
    other_lead = person(other_organisation, Role.PROGRAMME_LEAD)
    national = StandardSet.objects.get(code="nursing-core", organisation__isnull=True)
    with pytest.raises(PermissionDenied):
        services.standard_set_copy(actor=lead, standard_set=national, organisation=other_organisation)
    copy = services.standard_set_copy(actor=lead, standard_set=national, organisation=organisation)
    with pytest.raises(ValidationError):
        services.standard_set_copy(actor=lead, standard_set=national, organisation=organisation)
    with pytest.raises(PermissionDenied):
        services.criterion_change(actor=other_lead, criterion=copy.criteria.first(), parameter=1, enabled=True)
    with pytest.raises(PermissionDenied):
        services.criterion_change(actor=lead, criterion=national.criteria.first(), parameter=1, enabled=True)
    with pytest.raises(ValidationError) as error:
        services.criterion_change(actor=lead, criterion=copy.criteria.get(kind=RuleKind.PROGRAMME_LENGTH),
                                  parameter=0, enabled=True)
    assert "parameter" in error.value.message_dict


def test_programme_breaches(organisation):
    national = standards.sets_for([organisation.pk]).filter(code="ahp-preceptorship")
    fine = ProgrammeFactory(organisation=organisation, length_months=12, review_interval_months=3,
                            protected_hours_per_month=Decimal("4"), first_meeting_days=14)
    assert standards.programme_breaches(fine, national) == []
    poor = ProgrammeFactory(organisation=organisation, length_months=6, review_interval_months=6,
                            protected_hours_per_month=Decimal("0"))
    whys = [breach.why for breach in standards.programme_breaches(poor, national)]
    assert any("lasts 6 months" in why for why in whys)
    assert any("every 6 months" in why for why in whys)
    assert any("no protected time allowance" in why for why in whys)
    assert any("planned one review interval in; the criterion asks for it within 14 days" in why for why in whys)


def test_comparators_are_rates_of_organisations_or_say_they_are_not_measured(organisation, other_organisation, today):
    from preceptorship.tests.factories import profession
    from programmes.reporting.comparators import comparators

    ProgrammeFactory(organisation=organisation,
                     professions=[profession("occupational-therapy"), profession("physiotherapy")])
    ProgrammeFactory(organisation=other_organisation, professions=[profession("physiotherapy")])
    rows = {row.measure: row for row in comparators([organisation.pk, other_organisation.pk], today)}
    multi = rows["Organisations offering a multi-professional preceptorship programme"]
    assert (multi.national.value, multi.ours.value, multi.ours.unit) == (57, 50, "%")
    leavers = rows["AHPs leaving the NHS in their first year"]
    assert leavers.national.value == 11 and leavers.ours.unit == "%" and "whole NHS" in leavers.how
    assert rows["Organisations offering preceptorship to all their AHPs"].national.value == 64
