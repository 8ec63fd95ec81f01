"""Goals through the services: SMART fields, status changes with reasons, dated progress, competencies."""

from __future__ import annotations

import datetime

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from preceptorship.models import AuditEntry
from programmes import services
from programmes.models import Goal
from programmes.tests.factories_practice import GoalFactory, make_cast
from progression.models import Competency, Framework, Section

pytestmark = pytest.mark.django_db
TODAY = timezone.localdate()


@pytest.fixture
def cast(organisation, other_organisation):
    return make_cast(organisation, other_organisation)


def create(cast, **changes):
    values = {"actor": cast.preceptee, "enrolment": cast.enrolment, "what": "Lead a falls prevention group",
              "measure": "Two sessions run with feedback", "target_date": TODAY + datetime.timedelta(days=90)}
    return services.goal_create(**{**values, **changes})


def competency(framework_name: str) -> Competency:
    framework = Framework.objects.create(name=framework_name, slug=framework_name.lower().replace(" ", "-"),
                                         status=Framework.Status.PUBLISHED)
    section = Section.objects.create(framework=framework, title="Practice")
    return Competency.objects.create(section=section, code="P1", statement="Plans care with the person")


def test_a_smart_goal_is_created_and_audited(cast):
    goal = create(cast, achievable="Joint visits first", relevant="Most referrals need it")
    assert (goal.status, goal.achievable, goal.created_by) == (Goal.Status.NOT_STARTED, "Joint visits first",
                                                               cast.preceptee)
    assert AuditEntry.objects.filter(action="goal.create", object_id=str(goal.pk)).exists()


@pytest.mark.parametrize(("changes", "field"), [
    ({"measure": "  "}, "measure"),
    ({"target_date": TODAY - datetime.timedelta(days=365)}, "target_date"),
])
def test_a_goal_needs_a_measure_and_a_target_within_the_programme(cast, changes, field):
    with pytest.raises(ValidationError) as caught:
        create(cast, **changes)
    assert field in caught.value.message_dict
    assert not Goal.objects.exists()


def test_status_changes_need_a_reason_and_achieving_records_the_day(cast):
    goal = GoalFactory(enrolment=cast.enrolment)
    with pytest.raises(ValidationError) as caught:
        services.goal_update(actor=cast.mentor, goal=goal, status=Goal.Status.DROPPED)
    assert "status_reason" in caught.value.message_dict
    services.goal_update(actor=cast.mentor, goal=goal, status=Goal.Status.CHANGED, status_reason="Team changed")
    goal.refresh_from_db()
    assert goal.status_reason == "Team changed"
    services.goal_update(actor=cast.preceptee, goal=goal, status=Goal.Status.ACHIEVED)
    goal.refresh_from_db()
    assert (goal.achieved_on, goal.status_reason) == (TODAY, "")
    services.goal_update(actor=cast.preceptee, goal=goal, status=Goal.Status.IN_PROGRESS)
    assert Goal.objects.get(pk=goal.pk).achieved_on is None
    with pytest.raises(ValueError, match="not a goal field"):
        services.goal_update(actor=cast.preceptee, goal=goal, enrolment=None)


def test_progress_is_dated_and_starts_the_goal(cast):
    goal = GoalFactory(enrolment=cast.enrolment)
    update = services.goal_add_progress(actor=cast.preceptee, goal=goal, on=TODAY, note="First session planned")
    assert update.author == cast.preceptee and Goal.objects.get(pk=goal.pk).status == Goal.Status.IN_PROGRESS
    for on, note, field in [(TODAY + datetime.timedelta(days=1), "Later", "on"),
                            (cast.enrolment.start_date - datetime.timedelta(days=1), "Before", "on"),
                            (TODAY, " ", "note")]:
        with pytest.raises(ValidationError) as caught:
            services.goal_add_progress(actor=cast.preceptee, goal=goal, on=on, note=note)
        assert field in caught.value.message_dict


def test_only_competencies_of_the_programmes_framework_can_be_linked(cast):
    own = competency("OT practice standards")
    other = competency("Another framework")
    cast.enrolment.programme.framework = own.section.framework
    cast.enrolment.programme.save()
    goal = create(cast, competencies=[own])
    assert list(goal.competencies.all()) == [own]
    with pytest.raises(ValidationError) as caught:
        create(cast, competencies=[other])
    assert "competencies" in caught.value.message_dict
