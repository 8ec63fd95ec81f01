"""The dashboard figures: each read from the summary rebuilt from the records, suppressed below five
people, and at a constant number of queries whatever the data size."""

from __future__ import annotations

import datetime
from decimal import Decimal

import pytest
from django.db import connection
from django.db.models import Q
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from preceptorship.models import Membership
from preceptorship.tests.factories import UserFactory, person, profession
from programmes.models import Enrolment, Evaluation, Extension, ProtectedTime
from programmes.reporting import measures
from programmes.reporting.measures import SUPPRESSED, Figure, Filters, Period
from programmes.tests.factories_reports import (
    ReportEnrolmentFactory,
    ReportProgrammeFactory,
    completed,
    held_review,
    rebuild_figures,
    withdrawn,
)
from progression.models import ProgressionCase
from progression.tests.factories import FrameworkFactory

Role = Membership.Role
PERIOD = Period(datetime.date(2026, 1, 1), datetime.date(2026, 6, 30))
REASON = Enrolment.WithdrawalReason


@pytest.fixture
def as_of() -> datetime.date:
    """The day the figures are asked for: mid-June, inside PERIOD."""
    return datetime.date(2026, 6, 15)


@pytest.fixture
def programme(organisation):
    return ReportProgrammeFactory(organisation=organisation)


@pytest.fixture
def mentor(organisation):
    return person(organisation, Role.MENTOR)


@pytest.fixture
def figures_of(as_of):
    """The figures of every enrolment, after the summary is rebuilt from the records."""
    def figures(**options):
        rebuild_figures(as_of)
        return measures.figures(Q(), PERIOD, as_of, **options)
    return figures


def enrol(programme, mentor, n, **fields):
    return [ReportEnrolmentFactory(programme=programme, mentor=mentor, **fields) for _ in range(n)]


def test_a_figure_with_fewer_than_five_people_is_suppressed_everywhere():
    assert str(Figure(3, 3)) == SUPPRESSED
    assert Figure(3, 3).export_value() == SUPPRESSED
    assert Figure(3, 3).number is None
    assert str(Figure(5, 5)) == "5"
    assert Figure(5, 5).export_value() == 5
    assert str(Figure(0, 0)) == "0"  # nobody behind it: nothing to hide
    assert str(measures.percent(4, 4)) == SUPPRESSED  # 100% of four people
    assert str(measures.percent(3, 6)) == "50%"
    assert str(Figure(Decimal("7.25"), 9, "months")) == "7.2 months"


def test_period_covers_whole_months(as_of):
    period = Period(datetime.date(2026, 1, 17), datetime.date(2026, 3, 2))
    assert (period.start, period.end) == (datetime.date(2026, 1, 1), datetime.date(2026, 3, 31))
    assert period.months() == [datetime.date(2026, 1, 1), datetime.date(2026, 2, 1), datetime.date(2026, 3, 1)]
    assert Period.last_months(12, as_of).start == datetime.date(2025, 7, 1)


def test_starts_completions_and_active_enrolments_by_month(programme, mentor, figures_of):
    enrol(programme, mentor, 6, start_date=datetime.date(2026, 2, 3))
    for _ in range(5):
        completed(programme, mentor=mentor, start=datetime.date(2024, 9, 1), on=datetime.date(2026, 3, 10))
    figures = figures_of()[None]
    by_month = {m.label: m for m in figures.months}
    assert by_month["Feb 2026"].starts.value == 6
    assert by_month["Jan 2026"].starts.value == 0
    assert by_month["Mar 2026"].completions.value == 5
    assert by_month["Jan 2026"].active.value == 5  # the five not yet completed
    assert by_month["Feb 2026"].active.value == 11
    assert by_month["Mar 2026"].active.value == 6
    assert figures.starts.value == 6 and figures.completions.value == 5
    assert figures.active_now.value == 6


def test_small_monthly_counts_read_fewer_than_five(programme, mentor, figures_of):
    enrol(programme, mentor, 2, start_date=datetime.date(2026, 4, 3))
    figures = figures_of()[None]
    april = next(m for m in figures.months if m.label == "Apr 2026")
    assert str(april.starts) == SUPPRESSED
    assert str(figures.active_now) == SUPPRESSED


def test_completion_rate_median_months_and_extensions(programme, mentor, figures_of):
    start = datetime.date(2024, 10, 1)
    lengths = [480, 510, 540, 570, 600, 630]  # days; median of the middle two = 555 days
    done = [completed(programme, mentor=mentor, start=start, on=start + datetime.timedelta(days=d)) for d in lengths
            if start + datetime.timedelta(days=d) <= PERIOD.end]
    assert len(done) == 6
    for _ in range(2):
        withdrawn(programme, mentor=mentor, start=start, on=datetime.date(2026, 2, 1), reason=REASON.LEFT_ORGANISATION)
    active = enrol(programme, mentor, 5)
    for enrolment in active:
        Extension.objects.create(enrolment=enrolment, months=3, reason="Long sickness")
    Extension.objects.filter(enrolment__in=active).update(created_at=timezone.make_aware(datetime.datetime(2026, 3, 1)))
    figures = figures_of()[None]
    assert figures.completions.value == 6
    assert figures.completion_rate.value == 75  # 6 of the 8 who finished
    assert figures.median_months.value == pytest.approx(555 / 30.4375, abs=0.1)
    assert figures.extensions.value == 5


def test_median_of_an_odd_number_is_the_middle_one(programme, mentor, figures_of):
    start = datetime.date(2025, 1, 1)
    for days in (400, 420, 440, 460, 480):
        completed(programme, mentor=mentor, start=start, on=start + datetime.timedelta(days=days))
    figures = figures_of()[None]
    assert figures.median_months.value == pytest.approx(440 / 30.4375, abs=0.1)


def test_withdrawals_in_the_first_twelve_months_by_reason(programme, mentor, figures_of):
    for _ in range(5):
        withdrawn(programme, mentor=mentor, start=datetime.date(2025, 11, 1), on=datetime.date(2026, 3, 1),
                  reason=REASON.LEFT_ORGANISATION)
    withdrawn(programme, mentor=mentor, start=datetime.date(2025, 11, 1), on=datetime.date(2026, 3, 1),
              reason=REASON.LEFT_PROFESSION)
    # After 14 months: not a first-year withdrawal.
    withdrawn(programme, mentor=mentor, start=datetime.date(2025, 1, 1), on=datetime.date(2026, 3, 1),
              reason=REASON.LEFT_ORGANISATION)
    figures = figures_of()[None]
    assert figures.withdrawals_first_year.value == 6
    assert figures.withdrawals_by_reason["Left the organisation"].value == 5
    assert str(figures.withdrawals_by_reason["Left the profession"]) == SUPPRESSED


def test_reviews_on_time_and_overdue_now(programme, mentor, as_of, figures_of):
    enrolments = enrol(programme, mentor, 6, start_date=datetime.date(2025, 12, 1))
    due = datetime.date(2026, 3, 1)
    for index, enrolment in enumerate(enrolments):
        late = 20 if index == 0 else 14 if index == 1 else 3  # 14 days late is still on time
        held_review(enrolment, 1, due=due, held=due + datetime.timedelta(days=late))
    Enrolment.objects.filter(pk__in=[e.pk for e in enrolments[:5]]).update(next_review_due=datetime.date(2026, 6, 1))
    Enrolment.objects.filter(pk=enrolments[5].pk).update(next_review_due=as_of)  # due today: not overdue yet
    figures = figures_of()[None]
    assert figures.reviews_on_time.value == 83  # 5 of 6
    assert figures.reviews_overdue.value == 5


def test_protected_time_received_against_the_allowance(programme, mentor, figures_of):
    enrolments = enrol(programme, mentor, 5, start_date=datetime.date(2026, 4, 1))  # April to June: 3 months
    for enrolment in enrolments:
        ProtectedTime.objects.create(enrolment=enrolment, on=datetime.date(2026, 5, 1), hours=Decimal("6"),
                                     activity=ProtectedTime.Activity.STUDY)
    figures = figures_of()[None]
    assert figures.protected_allowance.value == Decimal("60.0")  # 5 people x 3 months x 4 hours
    assert figures.protected_hours.value == Decimal("30")
    assert figures.protected_share.value == 50


def test_wellbeing_and_confidence_by_review_number(programme, mentor, figures_of):
    enrolments = enrol(programme, mentor, 5, start_date=datetime.date(2025, 6, 1))
    for enrolment in enrolments:
        held_review(enrolment, 1, due=datetime.date(2026, 1, 1), held=datetime.date(2026, 1, 2), confidence=2)
        held_review(enrolment, 2, due=datetime.date(2026, 4, 1), held=datetime.date(2026, 4, 2), confidence=4)
    held_review(ReportEnrolmentFactory(programme=programme, mentor=mentor), 3, due=datetime.date(2026, 5, 1),
                held=datetime.date(2026, 5, 1))
    scores = {number: (wellbeing, confidence) for number, wellbeing, confidence in
              figures_of()[None].scores}
    assert scores[1][1].value == 2.0 and scores[2][1].value == 4.0
    assert str(scores[3][1]) == SUPPRESSED
    assert scores[6][1].missing


def test_evaluation_answers_are_reported_only_from_five(programme, mentor, figures_of):
    finished = [completed(programme, mentor=mentor, start=datetime.date(2024, 9, 1), on=datetime.date(2026, 3, 1))
                for _ in range(5)]
    for enrolment in finished[:4]:
        Evaluation.objects.create(enrolment=enrolment, support_received=5, confidence_now=4, protected_time=2,
                                  would_recommend=Evaluation.Recommend.YES)
    Evaluation.objects.update(created_at=timezone.make_aware(datetime.datetime(2026, 3, 2)))
    figures = figures_of()[None]
    assert all(figure.suppressed for figure in figures.evaluation.values())
    Evaluation.objects.create(enrolment=finished[4], support_received=3, confidence_now=4, protected_time=2,
                              would_recommend=Evaluation.Recommend.NO,
                              created_at=timezone.make_aware(datetime.datetime(2026, 3, 2)))
    figures = figures_of()[None]
    assert figures.evaluation["support_received"].value == 4.6
    assert figures.evaluation["would_recommend_percent"].value == 80


def test_multi_professional_share(programme, mentor, organisation, figures_of):
    multi = ReportProgrammeFactory(
        organisation=organisation, professions=[profession("occupational-therapy"), profession("physiotherapy")]
    )
    enrol(programme, mentor, 5)
    enrol(multi, mentor, 5)
    assert figures_of()[None].multi_professional_share.value == 50


def test_filters_narrow_every_figure(programme, mentor, organisation, team, figures_of):
    other = ReportProgrammeFactory(organisation=organisation)
    enrol(programme, mentor, 5, team=team, start_date=datetime.date(2026, 2, 1))
    enrol(other, mentor, 7, start_date=datetime.date(2026, 2, 1), transition="return_to_practice")
    assert figures_of(filters=Filters(programme=programme))[None].starts.value == 5
    assert figures_of(filters=Filters(team=team))[None].starts.value == 5
    assert figures_of(filters=Filters(transition="return_to_practice"))[None].starts.value == 7
    assert figures_of(filters=Filters(profession=profession("physiotherapy")))[None].starts.value == 0


def test_grouped_by_organisation_side_by_side(programme, mentor, other_organisation, figures_of):
    other_programme = ReportProgrammeFactory(organisation=other_organisation)
    other_mentor = person(other_organisation, Role.MENTOR)
    enrol(programme, mentor, 5, start_date=datetime.date(2026, 2, 1))
    enrol(other_programme, other_mentor, 8, start_date=datetime.date(2026, 2, 1))
    grouped = figures_of(group="organisation_id")
    assert grouped[programme.organisation_id].starts.value == 5
    assert grouped[other_organisation.pk].starts.value == 8


def test_scopes_keep_the_lead_to_their_organisation_and_the_ics_lead_to_their_system(
    programme, mentor, organisation, other_organisation, far_organisation
, as_of):
    lead = person(organisation, Role.PROGRAMME_LEAD)
    ics_lead = person(organisation, Role.ICS_LEAD)
    mine = enrol(programme, mentor, 1)[0]
    neighbours = ReportEnrolmentFactory(programme=ReportProgrammeFactory(organisation=other_organisation))
    far = ReportEnrolmentFactory(programme=ReportProgrammeFactory(organisation=far_organisation))
    assert set(measures.lead_enrolments(lead)) == {mine}
    assert set(measures.ics_enrolments(ics_lead)) == {mine, neighbours}
    assert far not in measures.ics_enrolments(ics_lead)
    assert list(measures.lead_enrolments(ics_lead)) == []
    assert list(measures.ics_enrolments(lead)) == []
    assert set(measures.ics_organisations(ics_lead)) == {organisation, other_organisation}
    rebuild_figures(as_of)  # the summary's scopes hold the same enrolments

    def active(scope):
        return measures.figures(scope, PERIOD, as_of)[None].active_now.value

    assert (active(measures.lead_scope(lead)), active(measures.ics_scope(ics_lead))) == (1, 2)
    assert (active(measures.lead_scope(ics_lead)), active(measures.ics_scope(lead))) == (0, 0)


def test_mentor_load_against_capacity(programme, mentor, organisation):
    idle = person(organisation, Role.MENTOR)
    enrol(programme, mentor, 3)
    completed(programme, mentor=mentor, start=datetime.date(2024, 1, 1), on=datetime.date(2025, 7, 1))
    rows = {row.user_id: row for row in measures.mentors([organisation.pk])}
    assert (rows[mentor.pk].load, rows[mentor.pk].capacity) == (3, programme.mentor_capacity)
    assert (rows[idle.pk].load, rows[idle.pk].capacity) == (0, measures.DEFAULT_CAPACITY)
    physio = measures.mentors([organisation.pk], profession=profession("physiotherapy"))
    assert not physio.filter(user=mentor).exists()


def test_mentor_rows_are_the_mentors_as_table_rows(programme, mentor, organisation):
    unnamed = person(organisation, Role.MENTOR)
    unnamed.first_name = unnamed.last_name = ""
    unnamed.save(update_fields=["first_name", "last_name"])
    enrol(programme, mentor, 2)
    expected = [[str(m.user), m.organisation.name, m.user.profession.name if m.user.profession else "",
                 m.team.name if m.team else "", m.load, m.capacity] for m in measures.mentors([organisation.pk])]
    assert measures.mentor_rows([organisation.pk]) == expected
    assert [unnamed.email, organisation.name] in [row[:2] for row in expected]  # no name: the e-mail address


def test_progression_cases_by_stage_and_time_in_stage(organisation, team):
    manager = person(organisation, Role.LINE_MANAGER, team=team)
    head = person(organisation, Role.HEAD_OF_SERVICE, team=team)
    framework = FrameworkFactory()
    long_ago = timezone.now() - datetime.timedelta(days=30)
    for _ in range(5):
        ProgressionCase.objects.create(
            practitioner=UserFactory(), organisation=organisation, team=team, framework=framework,
            target_role="Advanced Practitioner", line_manager=manager, head_of_service=head, opened_by=manager,
            stage=ProgressionCase.Stage.SUBMITTED, stage_changed_at=long_ago,
        )
    rows = {row.stage: row for row in measures.progression_by_stage(ProgressionCase.objects.all())[None]}
    assert rows["submitted"].cases.value == 5
    assert rows["submitted"].mean_days.value == pytest.approx(30, abs=0.1)
    assert rows["draft"].cases.value == 0


def test_the_ics_reads_cases_by_stage_from_the_summary_as_from_the_records(organisation, team, as_of):
    """The ICS dashboard's cases by stage come from the rebuilt summary: the same counts and mean
    days in stage as the records give."""
    manager = person(organisation, Role.LINE_MANAGER, team=team)
    head = person(organisation, Role.HEAD_OF_SERVICE, team=team)
    framework = FrameworkFactory()
    for days in (10, 20, 30, 40, 50):
        ProgressionCase.objects.create(
            practitioner=UserFactory(), organisation=organisation, team=team, framework=framework,
            target_role="Advanced Practitioner", line_manager=manager, head_of_service=head, opened_by=manager,
            stage=ProgressionCase.Stage.SUBMITTED, stage_changed_at=timezone.now() - datetime.timedelta(days=days),
        )
    rebuild_figures(as_of)
    scope = Q(organisation=organisation)
    from_summary = measures.progression_by_stage_of(scope, group="organisation_id")[organisation.pk]
    from_records = measures.progression_by_stage(ProgressionCase.objects.filter(scope), group="organisation_id")
    assert [row.cases for row in from_summary] == [row.cases for row in from_records[organisation.pk]]
    submitted = {row.stage: row for row in from_summary}["submitted"]
    assert submitted.cases.value == 5
    assert submitted.mean_days.value == pytest.approx(30, abs=0.1)


def test_preceptorship_offered_to_all_some_or_none_of_newly_registered_ahps(
    programme, mentor, organisation, other_organisation, far_organisation
, as_of):
    registered = datetime.date(2026, 2, 1)
    ot = profession("occupational-therapy")
    offered = [person(organisation, Role.PRACTITIONER, profession=ot, first_registered_on=registered)
               for _ in range(5)]
    for preceptee in offered:
        ReportEnrolmentFactory(programme=programme, mentor=mentor, preceptee=preceptee)
    missed = person(other_organisation, Role.PRACTITIONER, profession=ot, first_registered_on=registered)
    ReportEnrolmentFactory(programme=ReportProgrammeFactory(organisation=other_organisation), preceptee=person(
        other_organisation, Role.PRACTITIONER, profession=ot, first_registered_on=registered))
    person(other_organisation, Role.PRACTITIONER, profession=profession("social-work"), first_registered_on=registered)
    rebuild_figures(as_of)
    rows = measures.preceptorship_offer([organisation.pk, other_organisation.pk], PERIOD)
    found = {(row.organisation, row.profession): row for row in rows}
    assert found[(organisation.name, ot.name)].offer == "all"
    assert found[(other_organisation.name, ot.name)].offer == "some"
    assert str(found[(other_organisation.name, ot.name)].newly_registered) == SUPPRESSED
    assert all(row.profession != "Social work" for row in rows)  # AHPs only
    assert missed.pk  # the one without an enrolment makes it "some"
    summary = measures.offer_summary(rows)
    assert summary["all"].value == 50 and summary["some"].value == 50 and summary["none"].value == 0


def _count_queries(callable_) -> int:
    with CaptureQueriesContext(connection) as context:
        callable_()
    return len(context.captured_queries)


def _populate(programme, mentor, organisation, n):
    for index in range(n):
        enrolment = ReportEnrolmentFactory(programme=programme, mentor=mentor, start_date=datetime.date(2025, 12, 1))
        held_review(enrolment, 1, due=datetime.date(2026, 3, 1), held=datetime.date(2026, 3, 2 + index % 20))
        ProtectedTime.objects.create(enrolment=enrolment, on=datetime.date(2026, 4, 1), hours=2,
                                     activity=ProtectedTime.Activity.STUDY)
    for _ in range(n // 2):
        completed(programme, mentor=mentor, start=datetime.date(2024, 9, 1), on=datetime.date(2026, 3, 1))


def test_the_figures_take_the_same_number_of_queries_at_two_sizes(programme, mentor, organisation, other_organisation, as_of):
    def run():
        measures.figures(Q(), PERIOD, as_of)
        measures.figures(Q(), PERIOD, as_of, group="organisation_id")
        list(measures.mentors([organisation.pk, other_organisation.pk]))
        measures.progression_by_stage(ProgressionCase.objects.all(), group="organisation_id")
        measures.preceptorship_offer([organisation.pk, other_organisation.pk], PERIOD)

    _populate(programme, mentor, organisation, 3)
    rebuild_figures(as_of)
    small = _count_queries(run)
    _populate(programme, mentor, organisation, 30)
    _populate(ReportProgrammeFactory(organisation=other_organisation), person(other_organisation, Role.MENTOR),
              other_organisation, 20)
    rebuild_figures(as_of)
    # Per call of figures(): the monthly sums, the figures of the day, review meetings and
    # extensions, and the median window: 4 (x2 = 8); mentors 1; progression 1; offer 1.
    assert _count_queries(run) == small == 11
