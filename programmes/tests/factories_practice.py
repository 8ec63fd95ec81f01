"""Factories and a cast of people for the practice side: reviews, goals, reflections, protected time.

``make_cast`` builds one enrolment with its
preceptee, mentor and line manager, the programme lead and Head of Service of the organisation, a
colleague (another practitioner of the same organisation) and an outsider (another organisation).
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

import factory
from django.utils import timezone

from preceptorship.models import Membership, Organisation, User
from preceptorship.tests.factories import person
from programmes.models import (
    Enrolment,
    Goal,
    GoalUpdate,
    NeedsAssessment,
    ProtectedTime,
    Reflection,
    ReflectionFeedback,
    ReviewMeeting,
)
from programmes.tests.factories import EnrolmentFactory, ProgrammeFactory

Role = Membership.Role


def _today() -> datetime.date:
    return timezone.localdate()


class ReviewFactory(factory.django.DjangoModelFactory):
    """A held review meeting, recorded now."""

    class Meta:
        model = ReviewMeeting

    enrolment = factory.SubFactory(EnrolmentFactory)
    number = factory.Sequence(lambda n: n + 1)
    held_on = factory.LazyFunction(lambda: _today() - datetime.timedelta(days=1))
    discussion = "Settling in well; talked through caseload and supervision."
    wellbeing = 4
    confidence = 3
    recorded_by = factory.LazyAttribute(lambda o: o.enrolment.mentor)


class GoalFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Goal

    enrolment = factory.SubFactory(EnrolmentFactory)
    what = factory.Sequence(lambda n: f"Complete moving and handling assessments independently ({n})")
    measure = "Three assessments signed off by my mentor"
    target_date = factory.LazyFunction(lambda: _today() + datetime.timedelta(days=90))
    created_by = factory.LazyAttribute(lambda o: o.enrolment.preceptee)


class GoalUpdateFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = GoalUpdate

    goal = factory.SubFactory(GoalFactory)
    on = factory.LazyFunction(_today)
    note = "Did the first assessment with my mentor watching."
    author = factory.LazyAttribute(lambda o: o.goal.enrolment.preceptee)


class ReflectionFactory(factory.django.DjangoModelFactory):
    """A finished Gibbs reflection, private unless shared_with_mentor is given."""

    class Meta:
        model = Reflection

    enrolment = factory.SubFactory(EnrolmentFactory)
    author = factory.LazyAttribute(lambda o: o.enrolment.preceptee)
    title = factory.Sequence(lambda n: f"A home visit that did not go to plan {n}")
    model = Reflection.Model.GIBBS
    answers = factory.LazyFunction(lambda: {"description": "I visited a client at home.", "feelings": "Anxious."})
    status = Reflection.Status.FINISHED
    shared_with_mentor = False
    shared_with_line_manager = False
    shared_at = factory.LazyAttribute(
        lambda o: timezone.now() if o.shared_with_mentor or o.shared_with_line_manager else None
    )


class ReflectionFeedbackFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = ReflectionFeedback

    reflection = factory.SubFactory(ReflectionFactory, shared_with_mentor=True)
    author = factory.LazyAttribute(lambda o: o.reflection.enrolment.mentor)
    text = "A thoughtful reflection: next time, plan the visit with the family."


class ProtectedTimeFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = ProtectedTime

    enrolment = factory.SubFactory(EnrolmentFactory)
    on = factory.LazyFunction(lambda: _today() - datetime.timedelta(days=7))
    hours = Decimal("2.0")
    activity = ProtectedTime.Activity.STUDY
    logged_by = factory.LazyAttribute(lambda o: o.enrolment.preceptee)


class NeedsAssessmentFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = NeedsAssessment

    enrolment = factory.SubFactory(EnrolmentFactory)
    strengths = "Good rapport with clients; placement in reablement."
    learning_needs = "Complex equipment assessments."
    reasonable_adjustments = "Dyslexia: extra time for written reports."


@dataclass
class Cast:
    enrolment: Enrolment
    preceptee: User
    mentor: User
    line_manager: User
    lead: User
    head_of_service: User
    colleague: User
    outsider: User
    administrator: User

    def everyone(self) -> dict[str, User]:
        return {name: getattr(self, name) for name in (
            "preceptee", "mentor", "line_manager", "lead", "head_of_service", "colleague", "outsider", "administrator"
        )}


def make_cast(organisation: Organisation, other_organisation: Organisation) -> Cast:
    enrolment = EnrolmentFactory(programme=ProgrammeFactory(organisation=organisation))
    administrator = person(organisation, Role.ADMINISTRATOR, is_staff=True, is_superuser=True)
    return Cast(
        enrolment=enrolment,
        preceptee=enrolment.preceptee,
        mentor=enrolment.mentor,
        line_manager=enrolment.line_manager,
        lead=person(organisation, Role.PROGRAMME_LEAD),
        head_of_service=person(organisation, Role.HEAD_OF_SERVICE),
        colleague=person(organisation, Role.PRACTITIONER, Role.MENTOR, Role.LINE_MANAGER),
        outsider=person(other_organisation, Role.PRACTITIONER, Role.MENTOR, Role.PROGRAMME_LEAD),
        administrator=administrator,
    )


__all__: list[Any] = [
    "Cast", "GoalFactory", "GoalUpdateFactory", "NeedsAssessmentFactory", "ProtectedTimeFactory", "ReflectionFactory", "ReflectionFeedbackFactory",
    "ReviewFactory", "make_cast",
]
