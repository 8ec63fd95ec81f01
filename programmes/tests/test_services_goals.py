"""Goals through the services: SMART fields, status changes with reasons, dated progress, competencies."""

from __future__ import annotations

import datetime

import pytest
from django.core.exceptions import ValidationError

from preceptorship.models import AuditEntry
from programmes import services
from programmes.models import Goal
from programmes.tests.factories_practice import GoalFactory, make_cast
from progression.models import Competency, Framework, Section

pytestmark = pytest.mark.django_db


@pytest.fixture
def cast(organisation, other_organisation):
    return make_cast(organisation, other_organisation)


def create(cast, today: datetime.date, **changes):
    values = {"actor": cast.preceptee, "enrolment": cast.enrolment, "what": "Lead a falls prevention group",
              "measure": "Two sessions run with feedback", "target_date": today + datetime.timedelta(days=90)}
    return services.goal_create(**{**values, **changes})


def competency(framework_name: str) -> Competency:
    framework = Framework.objects.create(name=framework_name, slug=framework_name.lower().replace(" ", "-"),
                                         status=Framework.Status.PUBLISHED)
    section = Section.objects.create(framework=framework, title="Practice")
    return Competency.objects.create(section=section, code="P1", statement="Plans care with the person")


def test_a_smart_goal_is_created_and_audited(cast, today):
    goal = create(cast, today, achievable="Joint visits first", relevant="Most referrals need it")
    assert (goal.status, goal.achievable, goal.created_by) == (Goal.Status.NOT_STARTED, "Joint visits first",
                                                               cast.preceptee)
    assert AuditEntry.objects.filter(action="goal.create", object_id=str(goal.pk)).exists()


@pytest.mark.parametrize(("changes", "field"), [
    (lambda today: {"measure": "  "}, "measure"),
    (lambda today: {"target_date": today - datetime.timedelta(days=365)}, "target_date"),
])
def test_a_goal_needs_a_measure_and_a_target_within_the_programme(cast, today, changes, field):
    with pytest.raises(ValidationError) as caught:
        create(cast, today, **changes(today))
    assert field in caught.value.message_dict
    assert not Goal.objects.exists()


def test_status_changes_need_a_reason_and_achieving_records_the_day(cast, today):
    goal = GoalFactory(enrolment=cast.enrolment)
    with pytest.raises(ValidationError) as caught:
        services.goal_update(actor=cast.mentor, goal=goal, status=Goal.Status.DROPPED)
    assert "status_reason" in caught.value.message_dict
    services.goal_update(actor=cast.mentor, goal=goal, status=Goal.Status.CHANGED, status_reason="Team changed")
    goal.refresh_from_db()
    assert goal.status_reason == "Team changed"
    services.goal_update(actor=cast.preceptee, goal=goal, status=Goal.Status.ACHIEVED)
    goal.refresh_from_db()
    assert (goal.achieved_on, goal.status_reason) == (today, "")
    services.goal_update(actor=cast.preceptee, goal=goal, status=Goal.Status.IN_PROGRESS)
    assert Goal.objects.get(pk=goal.pk).achieved_on is None
    with pytest.raises(ValueError, match="not a goal field"):
        services.goal_update(actor=cast.preceptee, goal=goal, enrolment=None)


def test_progress_is_dated_and_starts_the_goal(cast, today):
    goal = GoalFactory(enrolment=cast.enrolment)
    update = services.goal_add_progress(actor=cast.preceptee, goal=goal, on=today, note="First session planned")
    assert update.author == cast.preceptee and Goal.objects.get(pk=goal.pk).status == Goal.Status.IN_PROGRESS
    for on, note, field in [(today + datetime.timedelta(days=1), "Later", "on"),
                            (cast.enrolment.start_date - datetime.timedelta(days=1), "Before", "on"),
                            (today, " ", "note")]:
        with pytest.raises(ValidationError) as caught:
            services.goal_add_progress(actor=cast.preceptee, goal=goal, on=on, note=note)
        assert field in caught.value.message_dict


def test_only_competencies_of_the_programmes_framework_can_be_linked(cast, today):
    own = competency("OT practice standards")
    other = competency("Another framework")
    cast.enrolment.programme.framework = own.section.framework
    cast.enrolment.programme.save()
    goal = create(cast, today, competencies=[own])
    assert list(goal.competencies.all()) == [own]
    with pytest.raises(ValidationError) as caught:
        create(cast, today, competencies=[other])
    assert "competencies" in caught.value.message_dict
