"""Factories for programmes, enrolments and what happens to an enrolment (pauses, extensions,
completion confirmations, evaluations).

The factories write rows directly (fast, any state); the schedule fields of an enrolment
(``next_review_due``, ``completion_due``) are derived from the programme's rules as the services
would derive them for an enrolment with no pauses, extensions or reviews. Tests of the rules
themselves go through ``programmes.services``.

An enrolment's preceptee, mentor and line manager default to new people of the programme's
organisation holding the practitioner, mentor and line manager roles.
"""

from __future__ import annotations

import datetime
from decimal import Decimal

import factory
from django.utils import timezone

from preceptorship.models import Membership
from preceptorship.tests.factories import OrganisationFactory, person
from programmes.models import (
    CompletionConfirmation,
    Enrolment,
    Evaluation,
    Extension,
    Pause,
    Programme,
    Transition,
)
from programmes.schedule import add_months

Role = Membership.Role


def _today() -> datetime.date:
    return timezone.localdate()


class ProgrammeFactory(factory.django.DjangoModelFactory):
    """An open, uni-professional programme of 18 months with reviews every 3 months from the start
    (no "first meeting within N days" setting: tests of that rule set ``first_meeting_days``).

    ``professions`` takes a list of Profession objects (none by default)."""

    class Meta:
        model = Programme
        skip_postgeneration_save = True

    name = factory.Sequence(lambda n: f"Occupational Therapy preceptorship {n}")
    organisation = factory.SubFactory(OrganisationFactory)
    transitions = factory.LazyFunction(lambda: [Transition.NEWLY_REGISTERED.value])
    length_months = 18
    review_interval_months = 3
    first_meeting_days = None
    entry_level = "Level 1"
    exit_level = "Level 2"
    protected_hours_per_month = Decimal("4.0")
    mentor_capacity = 4

    @factory.post_generation
    def professions(obj, create, extracted, **kwargs):
        if create and extracted:
            obj.professions.set(extracted)


class EnrolmentFactory(factory.django.DjangoModelFactory):
    """An active enrolment that started ``start_date`` (default: 60 days ago)."""

    class Meta:
        model = Enrolment

    programme = factory.SubFactory(ProgrammeFactory)
    organisation = factory.LazyAttribute(lambda o: o.programme.organisation)
    team = None
    preceptee = factory.LazyAttribute(lambda o: person(o.organisation, Role.PRACTITIONER, team=o.team))
    mentor = factory.LazyAttribute(lambda o: person(o.organisation, Role.MENTOR))
    line_manager = factory.LazyAttribute(lambda o: person(o.organisation, Role.LINE_MANAGER, team=o.team))
    start_date = factory.LazyFunction(lambda: _today() - datetime.timedelta(days=60))
    transition = Transition.NEWLY_REGISTERED
    status = Enrolment.Status.ACTIVE
    next_review_due = factory.LazyAttribute(
        lambda o: add_months(o.start_date, o.programme.review_interval_months)
        if o.status in (Enrolment.Status.ACTIVE, Enrolment.Status.PAUSED) else None
    )
    completion_due = factory.LazyAttribute(lambda o: add_months(o.start_date, o.programme.length_months))

    class Params:
        withdrawn = factory.Trait(
            status=Enrolment.Status.WITHDRAWN,
            withdrawn_on=factory.LazyFunction(_today),
            withdrawal_reason=Enrolment.WithdrawalReason.LEFT_ORGANISATION,
        )
        completed = factory.Trait(
            status=Enrolment.Status.COMPLETED,
            start_date=factory.LazyFunction(lambda: add_months(_today(), -19)),
            completed_on=factory.LazyFunction(_today),
            outcome="Progressed to Level 2",
        )


class PauseFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Pause

    enrolment = factory.SubFactory(EnrolmentFactory)
    reason = Pause.Reason.SICKNESS
    start_date = factory.LazyFunction(lambda: _today() - datetime.timedelta(days=10))
    end_date = factory.LazyFunction(lambda: _today() + datetime.timedelta(days=20))
    recorded_by = factory.LazyAttribute(lambda o: o.enrolment.mentor)


class ExtensionFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Extension

    enrolment = factory.SubFactory(EnrolmentFactory)
    months = 3
    reason = "More time to complete the practice standards after a change of team."
    recorded_by = None


class CompletionConfirmationFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = CompletionConfirmation

    enrolment = factory.SubFactory(EnrolmentFactory)
    role = CompletionConfirmation.Role.MENTOR
    by = factory.LazyAttribute(
        lambda o: o.enrolment.mentor if o.role == CompletionConfirmation.Role.MENTOR else o.enrolment.line_manager
    )
    confirmed = True


class EvaluationFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Evaluation

    enrolment = factory.SubFactory(EnrolmentFactory, completed=True)
    support_received = 4
    confidence_now = 4
    protected_time = 3
    would_recommend = Evaluation.Recommend.YES
    comments = "Regular supervision made the difference."


__all__ = [
    "CompletionConfirmationFactory", "EnrolmentFactory", "EvaluationFactory", "ExtensionFactory", "PauseFactory",
    "ProgrammeFactory",
]
