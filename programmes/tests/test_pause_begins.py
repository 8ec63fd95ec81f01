"""Leave recorded ahead: on the pause's first day the enrolment becomes paused by itself (the hourly
beat), so the lists, the reports and the return form see it; once, audited."""

from __future__ import annotations

import datetime
from http import HTTPStatus

import pytest
from django.conf import settings
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from preceptorship.models import AuditEntry, Membership
from preceptorship.tests.factories import person
from programmes import services, tasks
from programmes.models import Enrolment, Pause
from programmes.tests.factories import EnrolmentFactory

Role = Membership.Role
pytestmark = pytest.mark.django_db


def test_a_pause_recorded_ahead_pauses_the_enrolment_on_its_first_day(organisation, monkeypatch):
    today = timezone.localdate()
    enrolment = EnrolmentFactory(programme__organisation=organisation)
    other = EnrolmentFactory(programme__organisation=organisation)
    lead = person(organisation, Role.PROGRAMME_LEAD)
    first_day = today + datetime.timedelta(days=10)
    services.enrolment_pause(actor=lead, enrolment=enrolment, reason=Pause.Reason.MATERNITY, start_date=first_day,
                             end_date=first_day + datetime.timedelta(days=200))
    enrolment.refresh_from_db()
    assert enrolment.status == Enrolment.Status.ACTIVE
    assert services.enrolment_pauses_begin(today=first_day - datetime.timedelta(days=1)) == 0

    later = timezone.now() + datetime.timedelta(days=11)
    monkeypatch.setattr(timezone, "now", lambda: later)  # the leave has begun
    assert tasks.begin_pauses() == 1
    assert tasks.begin_pauses() == 0, "once"
    enrolment.refresh_from_db()
    other.refresh_from_db()
    assert (enrolment.status, other.status) == (Enrolment.Status.PAUSED, Enrolment.Status.ACTIVE)
    assert AuditEntry.objects.filter(action="enrolment.pause_begins", object_id=str(enrolment.pk)).count() == 1

    client = Client()
    client.force_login(lead)
    page = client.get(enrolment.get_absolute_url()).content.decode()
    assert "Paused" in page and reverse("programmes:enrolment-resume", args=[enrolment.pk]) in page
    back = timezone.localdate()
    response = client.post(reverse("programmes:enrolment-resume", args=[enrolment.pk]), {
        "on_0": str(back.day), "on_1": str(back.month), "on_2": str(back.year),
    })
    assert response.status_code == HTTPStatus.FOUND
    enrolment.refresh_from_db()
    assert enrolment.status == Enrolment.Status.ACTIVE


def test_the_beat_runs_it_hourly():
    assert settings.CELERY_BEAT_SCHEDULE["begin-pauses"] == {"task": "programmes.tasks.begin_pauses",
                                                             "schedule": 60 * 60}
