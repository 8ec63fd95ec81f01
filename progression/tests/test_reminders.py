"""Progression cases: who is told when a case reaches a step, and nudged after 10 working days there."""

from __future__ import annotations

import datetime

import pytest
from django.utils import timezone

from preceptorship import reminders
from preceptorship.models import Membership, Notification
from preceptorship.tests.factories import TeamFactory, person
from progression import services
from progression.models import ProgressionCase
from progression.reminders import waiting_case_reminders
from progression.tests.factories import agree, mark_required, small_framework

pytestmark = pytest.mark.django_db
Role = Membership.Role
Stage = ProgressionCase.Stage
D = datetime.date
LONDON = timezone.get_default_timezone()


def london(year, month, day, hour=10, minute=0):
    return datetime.datetime(year, month, day, hour, minute, tzinfo=LONDON)


def at_stage(case, stage, since, **fields):
    ProgressionCase.objects.filter(pk=case.pk).update(stage=stage, stage_changed_at=since, **fields)
    case.refresh_from_db()
    return case


def nudges(today):
    return {(r.recipient_id, r.due_on) for r in waiting_case_reminders(today)}


def test_still_with_the_head_of_service_after_10_working_days(cast):
    case = at_stage(cast.open_case(), Stage.SUBMITTED, london(2026, 3, 2))  # a Monday
    assert nudges(D(2026, 3, 13)) == set()  # 9 working days
    found = list(waiting_case_reminders(D(2026, 3, 16)))
    assert [(r.kind, r.recipient_id, r.due_on, r.essential) for r in found] == [
        ("progression_case_waiting", cast.hos.pk, D(2026, 3, 16), True)
    ]
    assert found[0].url == case.get_absolute_url()
    assert "recommend the case" in found[0].body and "10 working days" in found[0].subject


def test_bank_holidays_do_not_count(cast):
    # Reached on the Thursday before Easter 2025: Good Friday, Easter Monday and 5 May do not count.
    at_stage(cast.open_case(), Stage.SUBMITTED, london(2025, 4, 17))
    assert nudges(D(2025, 5, 5)) == set()
    assert nudges(D(2025, 5, 6)) == {(cast.hos.pk, D(2025, 5, 6))}


def test_the_day_a_step_was_reached_is_the_london_day_in_march(cast):
    # 00:30 BST on Monday 30 March 2026 is still Sunday in UTC; Good Friday and Easter Monday follow.
    at_stage(cast.open_case(), Stage.SUBMITTED, datetime.datetime(2026, 3, 29, 23, 30, tzinfo=datetime.UTC))
    assert nudges(D(2026, 4, 14)) == set()
    assert nudges(D(2026, 4, 15)) == {(cast.hos.pk, D(2026, 4, 15))}


def test_the_day_a_step_was_reached_is_the_london_day_across_the_october_change(cast):
    # 00:30 BST on Tuesday 20 October 2026 (Monday in UTC); the clocks go back on the 25th.
    at_stage(cast.open_case(), Stage.SUBMITTED, datetime.datetime(2026, 10, 19, 23, 30, tzinfo=datetime.UTC))
    assert nudges(D(2026, 11, 2)) == set()
    assert nudges(D(2026, 11, 3)) == {(cast.hos.pk, D(2026, 11, 3))}


def test_nudged_again_every_10_working_days_and_once_each_time(cast, django_capture_on_commit_callbacks):
    at_stage(cast.open_case(), Stage.SUBMITTED, london(2026, 3, 2))
    assert nudges(D(2026, 3, 20)) == {(cast.hos.pk, D(2026, 3, 16))}  # the first, if a sweep missed its day
    assert nudges(D(2026, 3, 30)) == {(cast.hos.pk, D(2026, 3, 30))}
    with django_capture_on_commit_callbacks(execute=True):
        assert reminders.sweep(today=D(2026, 3, 16)) == {"progression_case_waiting": 1, "total": 1}
        assert reminders.sweep(today=D(2026, 3, 17)) == {"total": 0}
        assert reminders.sweep(today=D(2026, 3, 30)) == {"progression_case_waiting": 1, "total": 1}
    assert Notification.objects.filter(kind="progression_case_waiting", recipient=cast.hos).count() == 2


@pytest.mark.parametrize(("stage", "who"), [
    (Stage.SUBMITTED, ["hos"]),
    (Stage.RECOMMENDED, ["director"]),
    (Stage.SIGNED_OFF, ["hr"]),
    (Stage.HR_RECORDED, ["manager"]),
    (Stage.WORKER_TOLD, ["manager", "hr"]),
    (Stage.DRAFT, []),  # the line manager is building it
    (Stage.CONFIRMED, []),
    (Stage.DECLINED, []),
])
def test_the_people_who_can_take_the_step_are_nudged(cast, stage, who):
    person(cast.organisation, Role.OPERATIONAL_DIRECTOR, is_active=False)  # left: not nudged
    at_stage(cast.open_case(), stage, london(2026, 3, 2))
    assert {pk for pk, _ in nudges(D(2026, 3, 16))} == {getattr(cast, name).pk for name in who}


def test_a_case_waiting_to_be_taken_up_nudges_the_line_managers_of_its_team(cast, organisation):
    whole_organisation = person(organisation, Role.LINE_MANAGER)
    other_team = person(organisation, Role.LINE_MANAGER, team=TeamFactory(organisation=organisation))
    case = services.progression_case_open(
        actor=cast.practitioner, practitioner=cast.practitioner, framework=small_framework(),
        target_role="Advanced Practitioner, Range 7", head_of_service=cast.hos, organisation=organisation,
        team=cast.team,
    )
    at_stage(case, Stage.DRAFT, london(2026, 3, 2))
    recipients = {pk for pk, _ in nudges(D(2026, 3, 16))}
    # A line manager role without a team covers the people they manage only (progression.line_managers).
    assert recipients == {cast.manager.pk}
    assert whole_organisation.pk not in recipients
    assert other_team.pk not in recipients and cast.practitioner.pk not in recipients


def test_a_case_that_moves_on_starts_counting_again(cast):
    case = at_stage(cast.open_case(), Stage.SUBMITTED, london(2026, 3, 2))
    at_stage(case, Stage.RECOMMENDED, london(2026, 3, 12), revision=case.revision + 1)
    assert nudges(D(2026, 3, 16)) == set()
    assert nudges(D(2026, 3, 26)) == {(cast.director.pk, D(2026, 3, 26))}


@pytest.mark.parametrize("cases", [1, 8])
def test_two_queries_whatever_the_number_of_cases(cast, cases, django_assert_num_queries):
    for _ in range(cases):
        at_stage(cast.open_case(), Stage.RECOMMENDED, london(2026, 3, 2))
        at_stage(cast.open_case(), Stage.WORKER_TOLD, london(2026, 3, 2))
    # 1. the cases at a step someone must take, unchanged for two weeks or more;
    # 2. the line managers, Operational Directors and HR of their organisations.
    with django_assert_num_queries(2):
        found = list(waiting_case_reminders(D(2026, 3, 16)))
    assert len(found) == cases * 3


# Told when a case reaches a step, and of its outcome (by the services, as it happens)


def _told(kind):
    return set(Notification.objects.filter(kind=kind).values_list("recipient_id", flat=True))


def _submitted(cast):
    case = cast.open_case()
    mark_required(case, cast.manager)
    return services.progression_case_submit(actor=cast.manager, case=case)


def test_each_step_tells_the_people_who_take_the_next_one(cast):
    case = _submitted(cast)
    assert _told("progression_case_submitted") == {cast.hos.pk}
    case = services.progression_case_hos_decide(actor=cast.hos, case=case, recommend=True)
    assert _told("progression_case_recommended") == {cast.director.pk}
    case = services.progression_case_od_decide(actor=cast.director, case=case, decision="sign_off")
    assert {cast.hr.pk, cast.manager.pk} <= _told("progression_case_signed_off")
    case = services.progression_case_hr_record(actor=cast.hr, case=case, hr_reference="PAY-1",
                                               effective_date=D(2026, 4, 1))
    assert _told("progression_case_hr_recorded") == {cast.manager.pk}
    case = services.progression_case_record_told(actor=cast.manager, case=case, told_on=timezone.localdate(),
                                                 told_by=cast.manager)
    assert _told("progression_case_worker_told") == {cast.hr.pk}
    services.progression_case_confirm(actor=cast.hr, case=case)
    assert _told("progression_case_confirmed") == {cast.practitioner.pk, cast.manager.pk}


def test_a_returned_or_declined_case_tells_the_line_manager_and_the_practitioner(cast):
    case = _submitted(cast)
    case = services.progression_case_hos_decide(actor=cast.hos, case=case, recommend=False, comment="Add K2.")
    assert {cast.manager.pk, cast.practitioner.pk} <= _told("progression_case_returned")
    case = services.progression_case_submit(actor=cast.manager, case=agree(case))
    case = services.progression_case_hos_decide(actor=cast.hos, case=case, recommend=True)
    services.progression_case_od_decide(actor=cast.director, case=case, decision="decline", comment="Not yet.")
    assert {cast.manager.pk, cast.practitioner.pk} <= _told("progression_case_declined")


def test_a_delegate_of_the_head_of_service_is_nudged_too(cast, time_machine):
    time_machine.move_to(london(2026, 3, 16, 9), tick=False)
    stand_in = person(cast.organisation, Role.HEAD_OF_SERVICE, team=cast.team, email="stand.in@example.org")
    at_stage(cast.open_case(), Stage.SUBMITTED, london(2026, 3, 2))  # a Monday: 10 working days on the 16th
    services.delegation_create(actor=cast.hos, delegate=stand_in, starts_on=D(2026, 3, 16), ends_on=D(2026, 3, 20))
    assert nudges(D(2026, 3, 16)) == {(cast.hos.pk, D(2026, 3, 16)), (stand_in.pk, D(2026, 3, 16))}
