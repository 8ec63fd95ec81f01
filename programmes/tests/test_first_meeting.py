"""The first review meeting falls in the first two weeks: the schedule plans review 1 the programme's
"first meeting within" days after the start and each later one an interval after it; a new enrolment's
next review, its reminders and its calendar invitation follow; once a meeting is held the next one is
planned from the day it was held; the programme's form sets it and the standards warn when it is
later than a criterion asks."""

from __future__ import annotations

import datetime
import io
from http import HTTPStatus

import pytest
from django.core.management import call_command
from django.urls import reverse
from icalendar import Calendar

from preceptorship import reminders
from preceptorship.models import Membership, Notification, Profession
from preceptorship.tests.factories import person
from programmes import services
from programmes.calendar_events import enrolment_invitation
from programmes.models import Enrolment, Programme, ReviewMeeting
from programmes.schedule import Period, add_months, build_schedule
from programmes.tests.factories import ProgrammeFactory

Role = Membership.Role
D = datetime.date
DAY = datetime.timedelta(days=1)


def test_review_1_is_the_days_after_the_start_and_the_rest_follow_it():
    schedule = build_schedule(start=D(2025, 1, 6), interval_months=3, length_months=18, first_meeting_days=14)
    assert schedule.reviews == (
        D(2025, 1, 20), D(2025, 4, 20), D(2025, 7, 20), D(2025, 10, 20), D(2026, 1, 20), D(2026, 4, 20)
    )
    assert schedule.completion == D(2026, 7, 6)  # the length is unchanged


def test_a_pause_before_the_first_meeting_moves_it_and_every_later_one():
    pause = Period(D(2025, 1, 10), D(2025, 1, 19))  # ten days
    schedule = build_schedule(start=D(2025, 1, 6), interval_months=3, length_months=18, first_meeting_days=14,
                              pauses=[pause])
    assert schedule.reviews[:2] == (D(2025, 1, 30), D(2025, 4, 30))


def test_a_first_meeting_of_no_days_is_refused():
    with pytest.raises(ValueError, match="at least a day"):
        build_schedule(start=D(2025, 1, 6), interval_months=3, length_months=18, first_meeting_days=0)


@pytest.fixture
def programme(organisation):
    return ProgrammeFactory(organisation=organisation, first_meeting_days=14)


@pytest.mark.django_db
def test_a_new_enrolment_is_due_its_first_meeting_in_two_weeks_and_invited_to_it(programme, organisation, today):
    mentor = person(organisation, Role.MENTOR)
    manager = person(organisation, Role.LINE_MANAGER)
    enrolment = services.enrolment_create(
        actor=person(organisation, Role.PROGRAMME_LEAD), programme=programme,
        preceptee=person(organisation, Role.PRACTITIONER), start_date=today, transition="newly_registered",
        mentor=mentor, line_manager=manager,
    )
    assert enrolment.next_review_due == today + 14 * DAY
    assert services.enrolment_schedule(enrolment).review_due(1) == today + 14 * DAY

    # The "due soon" reminder (two weeks before) comes on the start day, with the invitation for that day.
    reminders.sweep(today=today)
    soon = Notification.objects.filter(kind="review_due_soon", recipient=mentor).get()
    assert soon.due_on == today + 14 * DAY
    event = next(iter(Calendar.from_ical(enrolment_invitation(enrolment)).walk("VEVENT")))
    assert event.decoded("dtstart") == today + 14 * DAY

    # Held on the start day: the next meeting is planned the interval after the day it was held.
    services.review_record(actor=mentor, enrolment=enrolment, held_on=today, discussion="First weeks",
                           wellbeing=4, confidence=3)
    enrolment.refresh_from_db()
    assert enrolment.next_review_due == add_months(today, 3)


@pytest.mark.django_db
def test_the_programme_form_sets_the_first_meeting(client, organisation):
    lead = person(organisation, Role.PROGRAMME_LEAD)
    client.force_login(lead)
    page = client.get(reverse("programmes:programme-create"))
    assert page.context["form"]["first_meeting_days"].value() == 14
    form_data = {
        "name": "Speech and language therapy preceptorship", "organisation": organisation.pk,
        "professions": [Profession.objects.get(slug="occupational-therapy").pk],
        "transitions": ["newly_registered"], "length_months": "12", "review_interval_months": "3",
        "protected_hours_per_month": "4", "mentor_capacity": "4", "entry_level": "Level 1", "exit_level": "Level 2",
    }
    refused = client.post(reverse("programmes:programme-create"), {**form_data, "first_meeting_days": "0"})
    assert refused.status_code == HTTPStatus.OK
    assert refused.context["form"].errors == {"first_meeting_days": ["The first review meeting must be at least 1 day after the start."]}
    assert "0" == refused.context["form"]["first_meeting_days"].value()
    client.post(reverse("programmes:programme-create"), {**form_data, "first_meeting_days": "10"})
    programme = Programme.objects.get(name="Speech and language therapy preceptorship")
    assert programme.first_meeting_days == 10
    detail = client.get(programme.get_absolute_url()).content.decode()
    assert "The first within 10 days of the start, then every 3 months" in detail


@pytest.mark.django_db
def test_the_demo_plans_and_holds_first_meetings_in_the_first_two_weeks():
    call_command("seed_demo", password="demo-password-1", stdout=io.StringIO())
    new = Enrolment.objects.get(preceptee__email__startswith="ellie.turner@")
    assert new.programme.first_meeting_days == 14
    assert new.next_review_due == new.start_date + 14 * DAY
    for email in ("jordan.hayes@", "chloe.adams@"):
        first = ReviewMeeting.objects.get(enrolment__preceptee__email__startswith=email, number=1,
                                          status=ReviewMeeting.Status.HELD)
        assert first.held_on <= first.enrolment.start_date + 14 * DAY
