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
from django.utils import timezone

from preceptorship.models import AuditEntry, Membership
from preceptorship.tests.factories import person
from programmes import services
from programmes.models import Enrolment, Pause
from programmes.schedule import add_months
from programmes.tests.factories import EnrolmentFactory, ProgrammeFactory

pytestmark = pytest.mark.django_db
DAY = datetime.timedelta(days=1)
TODAY = timezone.localdate()


@pytest.fixture
def lead(organisation):
    return person(organisation, Membership.Role.PROGRAMME_LEAD)


@pytest.fixture
def enrolment(organisation, lead):
    """Started 100 days ago, paused from 40 days ago for 80 days (sickness)."""
    enrolment = EnrolmentFactory(programme=ProgrammeFactory(organisation=organisation), organisation=organisation,
                                 start_date=TODAY - 100 * DAY)
    services.enrolment_pause(actor=lead, enrolment=enrolment, reason=Pause.Reason.SICKNESS,
                             start_date=TODAY - 40 * DAY, end_date=TODAY + 39 * DAY)
    enrolment.refresh_from_db()
    assert enrolment.status == Enrolment.Status.PAUSED
    return enrolment


def test_an_early_return_shortens_the_pause_and_brings_the_dates_forward(enrolment, lead):
    services.enrolment_resume(actor=lead, enrolment=enrolment, on=TODAY - 10 * DAY)
    enrolment.refresh_from_db()
    assert enrolment.status == Enrolment.Status.ACTIVE
    assert enrolment.pauses.get().end_date == TODAY - 11 * DAY
    assert enrolment.completion_due == add_months(enrolment.start_date, 18) + 30 * DAY
    entry = AuditEntry.objects.filter(action="enrolment.resume").get()
    assert entry.before["status"] == "paused" and entry.after["status"] == "active"
    assert entry.before["pause_end"] == str(TODAY + 39 * DAY) and entry.after["pause_end"] == str(TODAY - 11 * DAY)


def test_a_return_later_than_planned_lengthens_the_pause(enrolment, lead):
    Pause.objects.update(end_date=TODAY - 20 * DAY)  # planned back 19 days ago; came back 5 days ago
    services.enrolment_resume(actor=lead, enrolment=enrolment, on=TODAY - 5 * DAY)
    enrolment.refresh_from_db()
    assert enrolment.pauses.get().end_date == TODAY - 6 * DAY
    assert enrolment.completion_due == add_months(enrolment.start_date, 18) + 35 * DAY


def test_without_a_date_a_pause_past_its_planned_end_ends_as_planned(enrolment, lead):
    Pause.objects.update(end_date=TODAY - 20 * DAY)
    assert services.default_return_date(enrolment) == TODAY - 19 * DAY
    services.enrolment_resume(actor=lead, enrolment=enrolment)
    assert enrolment.pauses.get().end_date == TODAY - 20 * DAY


def test_back_on_the_first_day_of_the_pause_removes_it(enrolment, lead):
    """A pause recorded and ended the same day (or by mistake) leaves the schedule as it was."""
    services.enrolment_resume(actor=lead, enrolment=enrolment, on=TODAY - 40 * DAY)
    enrolment.refresh_from_db()
    assert enrolment.status == Enrolment.Status.ACTIVE and not enrolment.pauses.exists()
    assert enrolment.completion_due == add_months(enrolment.start_date, 18)
    entry = AuditEntry.objects.get(action="enrolment.resume")
    assert "the pause is removed" in entry.summary and entry.after["pause_end"] is None


@pytest.mark.parametrize(("on", "message"), [
    (TODAY + DAY, "cannot be in the future"),
    (TODAY - 41 * DAY, "cannot be before the pause started"),
    (TODAY - 90 * DAY, "cannot be before the pause started"),
])
def test_a_return_date_that_cannot_be_right_is_refused(enrolment, lead, on, message):
    with pytest.raises(ValidationError) as caught:
        services.enrolment_resume(actor=lead, enrolment=enrolment, on=on)
    assert message in caught.value.message_dict["on"][0]
    enrolment.refresh_from_db()
    assert enrolment.status == Enrolment.Status.PAUSED and enrolment.pauses.get().end_date == TODAY + 39 * DAY


def date_parts(day: datetime.date) -> dict[str, str]:
    return {"on_0": str(day.day), "on_1": str(day.month), "on_2": str(day.year)}


def test_the_return_form_defaults_to_today_and_keeps_a_refused_date(enrolment, lead):
    client = Client()
    client.force_login(lead)
    url = reverse("programmes:enrolment-resume", args=[enrolment.pk])
    page = client.get(enrolment.get_absolute_url()).content.decode()
    assert f'href="{url}"' in page and "Record the return from the pause" in page
    form = client.get(url)
    assert form.status_code == HTTPStatus.OK and form.context["form"]["on"].value() == TODAY
    assert "Paused from" in form.content.decode()

    future = client.post(url, date_parts(TODAY + 3 * DAY))
    content = future.content.decode()
    assert future.status_code == HTTPStatus.OK and "cannot be in the future" in content
    assert "nhsuk-error-summary" in content and f'value="{(TODAY + 3 * DAY).day}"' in content
    nonsense = client.post(url, {"on_0": "31", "on_1": "2", "on_2": "2026"})
    assert nonsense.status_code == HTTPStatus.OK and "nhsuk-error-message" in nonsense.content.decode()

    done = client.post(url, date_parts(TODAY - 3 * DAY))
    assert done.status_code == HTTPStatus.FOUND and done["Location"] == enrolment.get_absolute_url()
    enrolment.refresh_from_db()
    assert enrolment.status == Enrolment.Status.ACTIVE and enrolment.pauses.get().end_date == TODAY - 4 * DAY
    # Nothing left to resume: back to the enrolment with a message.
    again = client.get(url, follow=True)
    assert "Only a paused enrolment can resume." in again.content.decode()


def test_only_those_who_change_the_enrolment_record_the_return(enrolment):
    client = Client()
    client.force_login(enrolment.preceptee)
    url = reverse("programmes:enrolment-resume", args=[enrolment.pk])
    assert client.get(url).status_code == HTTPStatus.FORBIDDEN
    assert client.post(url, date_parts(TODAY)).status_code == HTTPStatus.FORBIDDEN
    assert Enrolment.objects.get(pk=enrolment.pk).status == Enrolment.Status.PAUSED
