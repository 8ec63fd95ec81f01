"""Resuming after a pause on the date the preceptee came back: the pause ends the day before (earlier
or later than planned), the schedule is worked out again, the change is audited, and a date that
cannot be right gets a message beside the field. Through the service and the form."""

from __future__ import annotations

import datetime
from http import HTTPStatus

import pytest
from django.core.exceptions import ValidationError
from django.test import Client
from django.urls import reverse

from preceptorship.models import AuditEntry, Membership
from preceptorship.tests.factories import person
from programmes import services
from programmes.models import Enrolment, Pause
from programmes.schedule import add_months
from programmes.tests.factories import EnrolmentFactory, ProgrammeFactory

pytestmark = pytest.mark.django_db
DAY = datetime.timedelta(days=1)


@pytest.fixture
def lead(organisation):
    return person(organisation, Membership.Role.PROGRAMME_LEAD)


@pytest.fixture
def enrolment(organisation, lead, today):
    """Started 100 days ago, paused from 40 days ago for 80 days (sickness)."""
    enrolment = EnrolmentFactory(programme=ProgrammeFactory(organisation=organisation), organisation=organisation,
                                 start_date=today - 100 * DAY)
    services.enrolment_pause(actor=lead, enrolment=enrolment, reason=Pause.Reason.SICKNESS,
                             start_date=today - 40 * DAY, end_date=today + 39 * DAY)
    enrolment.refresh_from_db()
    assert enrolment.status == Enrolment.Status.PAUSED
    return enrolment


def test_an_early_return_shortens_the_pause_and_brings_the_dates_forward(enrolment, lead, today):
    services.enrolment_resume(actor=lead, enrolment=enrolment, on=today - 10 * DAY)
    enrolment.refresh_from_db()
    assert enrolment.status == Enrolment.Status.ACTIVE
    assert enrolment.pauses.get().end_date == today - 11 * DAY
    assert enrolment.completion_due == add_months(enrolment.start_date, 18) + 30 * DAY
    entry = AuditEntry.objects.filter(action="enrolment.resume").get()
    assert entry.before["status"] == "paused" and entry.after["status"] == "active"
    assert entry.before["pause_end"] == str(today + 39 * DAY) and entry.after["pause_end"] == str(today - 11 * DAY)


def test_a_return_later_than_planned_lengthens_the_pause(enrolment, lead, today):
    Pause.objects.update(end_date=today - 20 * DAY)  # planned back 19 days ago; came back 5 days ago
    services.enrolment_resume(actor=lead, enrolment=enrolment, on=today - 5 * DAY)
    enrolment.refresh_from_db()
    assert enrolment.pauses.get().end_date == today - 6 * DAY
    assert enrolment.completion_due == add_months(enrolment.start_date, 18) + 35 * DAY


def test_without_a_date_a_pause_past_its_planned_end_ends_as_planned(enrolment, lead, today):
    Pause.objects.update(end_date=today - 20 * DAY)
    assert services.default_return_date(enrolment) == today - 19 * DAY
    services.enrolment_resume(actor=lead, enrolment=enrolment)
    assert enrolment.pauses.get().end_date == today - 20 * DAY


def test_back_on_the_first_day_of_the_pause_removes_it(enrolment, lead, today):
    """A pause recorded and ended the same day (or by mistake) leaves the schedule as it was."""
    services.enrolment_resume(actor=lead, enrolment=enrolment, on=today - 40 * DAY)
    enrolment.refresh_from_db()
    assert enrolment.status == Enrolment.Status.ACTIVE and not enrolment.pauses.exists()
    assert enrolment.completion_due == add_months(enrolment.start_date, 18)
    entry = AuditEntry.objects.get(action="enrolment.resume")
    assert "the pause is removed" in entry.summary and entry.after["pause_end"] is None


@pytest.mark.parametrize(("days_from_today", "message"), [
    (1, "cannot be in the future"),
    (-41, "cannot be before the pause started"),
    (-90, "cannot be before the pause started"),
])
def test_a_return_date_that_cannot_be_right_is_refused(enrolment, lead, today, days_from_today, message):
    with pytest.raises(ValidationError) as caught:
        services.enrolment_resume(actor=lead, enrolment=enrolment, on=today + days_from_today * DAY)
    assert message in caught.value.message_dict["on"][0]
    enrolment.refresh_from_db()
    assert enrolment.status == Enrolment.Status.PAUSED and enrolment.pauses.get().end_date == today + 39 * DAY


def date_parts(day: datetime.date) -> dict[str, str]:
    return {"on_0": str(day.day), "on_1": str(day.month), "on_2": str(day.year)}


def test_the_return_form_defaults_to_today_and_keeps_a_refused_date(enrolment, lead, today):
    client = Client()
    client.force_login(lead)
    url = reverse("programmes:enrolment-resume", args=[enrolment.pk])
    page = client.get(enrolment.get_absolute_url()).content.decode()
    assert f'href="{url}"' in page and "Record the return from the pause" in page
    form = client.get(url)
    assert form.status_code == HTTPStatus.OK and form.context["form"]["on"].value() == today
    assert "Paused from" in form.content.decode()

    future = client.post(url, date_parts(today + 3 * DAY))
    content = future.content.decode()
    assert future.status_code == HTTPStatus.OK and "cannot be in the future" in content
    assert "nhsuk-error-summary" in content and f'value="{(today + 3 * DAY).day}"' in content
    nonsense = client.post(url, {"on_0": "31", "on_1": "2", "on_2": "2026"})
    assert nonsense.status_code == HTTPStatus.OK and "nhsuk-error-message" in nonsense.content.decode()

    done = client.post(url, date_parts(today - 3 * DAY))
    assert done.status_code == HTTPStatus.FOUND and done["Location"] == enrolment.get_absolute_url()
    enrolment.refresh_from_db()
    assert enrolment.status == Enrolment.Status.ACTIVE and enrolment.pauses.get().end_date == today - 4 * DAY
    # Nothing left to resume: back to the enrolment with a message.
    again = client.get(url, follow=True)
    assert "Only a paused enrolment can resume." in again.content.decode()


def test_only_those_who_change_the_enrolment_record_the_return(enrolment, today):
    client = Client()
    client.force_login(enrolment.preceptee)
    url = reverse("programmes:enrolment-resume", args=[enrolment.pk])
    assert client.get(url).status_code == HTTPStatus.FORBIDDEN
    assert client.post(url, date_parts(today)).status_code == HTTPStatus.FORBIDDEN
    assert Enrolment.objects.get(pk=enrolment.pk).status == Enrolment.Status.PAUSED
