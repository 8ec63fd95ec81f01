"""Factories and a small world for the reporting tests: one organisation's programme with a lead,
a mentor and any number of enrolments in given states, plus the ICS around it."""

from __future__ import annotations

import datetime
import itertools
from decimal import Decimal

import factory
from django.utils import timezone

from preceptorship.models import Membership
from preceptorship.tests.factories import OrganisationFactory, UserFactory, person, profession
from programmes.models import Enrolment, Programme, ReviewMeeting, Transition
from programmes.reporting import summary
from programmes.reporting.measures import add_months

Role = Membership.Role
_PRECEPTEE_NUMBERS = itertools.count(1)


class ReportProgrammeFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Programme
        skip_postgeneration_save = True

    name = factory.Sequence(lambda n: f"AHP preceptorship {n}")
    organisation = factory.SubFactory(OrganisationFactory)
    transitions = [Transition.NEWLY_REGISTERED]
    protected_hours_per_month = Decimal("4.0")

    @factory.post_generation
    def professions(obj, create, extracted, **kwargs):
        if create:
            obj.professions.set(extracted or [profession("occupational-therapy")])


class ReportEnrolmentFactory(factory.django.DjangoModelFactory):
    """An enrolment whose preceptee works for the programme's organisation (mentor given or made)."""

    class Meta:
        model = Enrolment

    programme = factory.SubFactory(ReportProgrammeFactory)
    organisation = factory.LazyAttribute(lambda o: o.programme.organisation)
    # A surname no page text can contain by chance, so the privacy tests' "not in page" can fail only
    # when a preceptee's record really shows.
    preceptee = factory.LazyAttribute(
        lambda o: UserFactory(profession=profession("occupational-therapy"),
                              last_name=f"Preceptee-{next(_PRECEPTEE_NUMBERS):04d}")
    )
    mentor = factory.LazyAttribute(lambda o: person(o.organisation, Role.MENTOR))
    start_date = datetime.date(2026, 1, 10)
    transition = Transition.NEWLY_REGISTERED
    next_review_due = factory.LazyAttribute(lambda o: add_months(o.start_date, 3))
    completion_due = factory.LazyAttribute(lambda o: add_months(o.start_date, 18))


def completed(programme, *, start: datetime.date, on: datetime.date, **fields) -> Enrolment:
    return ReportEnrolmentFactory(
        programme=programme, start_date=start, status=Enrolment.Status.COMPLETED, completed_on=on,
        next_review_due=None, **fields,
    )


def withdrawn(programme, *, start: datetime.date, on: datetime.date, reason: str, **fields) -> Enrolment:
    return ReportEnrolmentFactory(
        programme=programme, start_date=start, status=Enrolment.Status.WITHDRAWN, withdrawn_on=on,
        withdrawal_reason=reason, next_review_due=None, **fields,
    )


def held_review(enrolment: Enrolment, number: int, *, due: datetime.date, held: datetime.date,
                wellbeing: int = 3, confidence: int = 3) -> ReviewMeeting:
    return ReviewMeeting.objects.create(
        enrolment=enrolment, number=number, due_on=due, held_on=held, wellbeing=wellbeing, confidence=confidence,
    )


def rebuild_figures(today: datetime.date | None = None) -> None:
    """What the beat task does every few minutes: the dashboards then show the records as they are."""
    summary.rebuild(today=today or timezone.localdate())
