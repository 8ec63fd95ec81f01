"""The enrolment page keeps its enrolment's own records between requests (programmes.enrolment_content):
every change to one of them shows on the next request, and a change that fails leaves the kept
records in use."""

from __future__ import annotations

import datetime
from decimal import Decimal

import pytest
from django.db import transaction
from django.test import Client
from django.urls import reverse

from preceptorship.models import Membership
from preceptorship.tests.factories import person
from programmes import services
from programmes.models import Enrolment, ReviewMeeting
from programmes.tests.factories import (
    CompletionConfirmationFactory,
    EnrolmentFactory,
    ExtensionFactory,
    PauseFactory,
    ProgrammeFactory,
)
from programmes.tests.factories_practice import GoalFactory, ProtectedTimeFactory, ReviewFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def enrolment(organisation, today):
    return EnrolmentFactory(programme=ProgrammeFactory(organisation=organisation),
                            start_date=today - datetime.timedelta(days=400))


def page(enrolment: Enrolment, viewer=None) -> str:
    client = Client()
    client.force_login(viewer or enrolment.mentor)
    return client.get(reverse("programmes:enrolment-detail", args=[enrolment.pk])).content.decode()


def test_each_kind_of_record_shows_on_the_next_request(enrolment, today):
    first = page(enrolment)
    assert "Paused from" not in first and "Goal achieved" not in first and "Review 1 held" not in first
    PauseFactory(enrolment=enrolment, start_date=today - datetime.timedelta(days=30),
                 end_date=today - datetime.timedelta(days=20))
    assert "Paused from" in page(enrolment)
    ExtensionFactory(enrolment=enrolment, months=2, reason="Time lost to a long illness")
    assert "Extended by 2 months" in page(enrolment)
    goal = GoalFactory(enrolment=enrolment, achieved_on=today - datetime.timedelta(days=3))
    assert "Goal achieved" in page(enrolment)
    ReviewFactory(enrolment=enrolment, number=1, held_on=today - datetime.timedelta(days=200))
    assert "Review 1 held" in page(enrolment)
    ProtectedTimeFactory(enrolment=enrolment, hours=Decimal("7.5"))
    assert "7.5 of" in page(enrolment)
    CompletionConfirmationFactory(enrolment=enrolment, confirmed=False, reason="Two standards to go")
    assert "Two standards to go" in page(enrolment)
    goal.delete()
    assert "Goal achieved" not in page(enrolment)
    ReviewMeeting.objects.filter(enrolment=enrolment).delete()
    assert "Review 1 held" not in page(enrolment)


def test_a_new_mentor_shows_at_once(enrolment, organisation):
    page(enrolment)
    new = person(organisation, Membership.Role.MENTOR, first_name="Newly", last_name="Assigned",
                 profession=enrolment.preceptee.profession)
    services.enrolment_change_people(actor=person(organisation, Membership.Role.PROGRAMME_LEAD),
                                     enrolment=enrolment, mentor=new, line_manager=enrolment.line_manager)
    assert "Newly Assigned" in page(enrolment, viewer=new)


def test_a_change_rolled_back_leaves_the_enrolment_untouched(enrolment):
    page(enrolment)
    before = Enrolment.objects.get(pk=enrolment.pk).updated_at
    with pytest.raises(RuntimeError), transaction.atomic():
        ExtensionFactory(enrolment=enrolment, months=1)
        raise RuntimeError("the database refused the rest of the change")
    assert Enrolment.objects.get(pk=enrolment.pk).updated_at == before
    assert "Extended by" not in page(enrolment)


def test_kept_records_are_per_enrolment(organisation, today):
    programme = ProgrammeFactory(organisation=organisation)
    first, second = (EnrolmentFactory(programme=programme, start_date=today - datetime.timedelta(days=100))
                     for _ in range(2))
    ExtensionFactory(enrolment=first, months=4, reason="Only the first")
    assert "Only the first" in page(first)
    assert "Only the first" not in page(second)
