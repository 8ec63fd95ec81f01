"""Faults: Redis unreachable, and the database refusing a write in the middle of a change.

Redis is made unreachable by pointing the broker and REDIS_URL at a port nothing listens on, with
Celery no longer eager, as in production. "Redis returns" is Celery eager again: the task runs as
a worker would run it. (Workers killed mid-batch are covered in test_worker_integration.py.)
"""

from __future__ import annotations

import datetime
from collections.abc import Iterator
from contextlib import contextmanager
from http import HTTPStatus
from typing import Any

import pytest
from django.core import mail
from django.db import DatabaseError
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from preceptorship import reminders
from preceptorship.celery import app
from preceptorship.models import AuditEntry, Membership, Notification, User
from preceptorship.notifications import notify
from preceptorship.reminders import Reminder
from preceptorship.tests.factories import UserFactory, person

Role = Membership.Role
CLOSED_PORT = "redis://127.0.0.1:1/0"  # nothing listens on port 1


@contextmanager
def redis_down(settings: Any) -> Iterator[None]:
    """The broker and the health check point at a closed port; tasks go through the broker."""
    saved = app.conf.broker_url, app.conf.task_always_eager, app.conf.task_eager_propagates
    settings.REDIS_URL = CLOSED_PORT
    app.conf.broker_url = CLOSED_PORT
    app.conf.task_always_eager = app.conf.task_eager_propagates = False
    _new_connections()
    try:
        yield
    finally:
        app.conf.broker_url, app.conf.task_always_eager, app.conf.task_eager_propagates = saved
        _new_connections()


def _new_connections() -> None:
    """Drop the pooled broker connections, so the next task uses the broker URL now configured
    (what Celery itself does in a freshly forked worker)."""
    app._after_fork()


@pytest.fixture
def due_for(monkeypatch: Any) -> list[int]:
    """A reminder source: one reminder, due today, for each listed person."""
    recipients: list[int] = []
    monkeypatch.setattr(reminders, "_sources", {})

    @reminders.register_source("faults")
    def due(today: datetime.date) -> list[Reminder]:
        return [
            Reminder(kind="fault_test", about=f"thing:{pk}", recipient_id=pk, due_on=today,
                     subject="Your review is due", url="/")
            for pk in recipients
        ]

    return recipients


@pytest.mark.django_db
def test_with_redis_unreachable_pages_work_and_healthz_names_redis(
    organisation: Any, settings: Any, django_capture_on_commit_callbacks: Any
) -> None:
    mentor = person(organisation, Role.MENTOR, email="mentor@example.org")
    client = Client(raise_request_exception=True)
    client.force_login(mentor)
    with redis_down(settings):
        for name in ("home", "notifications", "profile"):
            assert client.get(reverse(name)).status_code == HTTPStatus.OK, name
        data = {"first_name": "Maya", "last_name": "Okafor", "job_title": "Mentor", "band": "Range 6",
                "email_reminders": "on"}
        assert client.post(reverse("profile"), data).status_code == HTTPStatus.FOUND

        with django_capture_on_commit_callbacks(execute=True):
            notify(recipient=mentor, kind="fault_test", about="thing:1", subject="A review is due",
                   body="", url="/", due_on=None)
        assert client.get(reverse("notifications")).status_code == HTTPStatus.OK
        assert "A review is due" in client.get(reverse("notifications")).content.decode()

        health = Client().get(reverse("healthz"))
    assert health.status_code == HTTPStatus.SERVICE_UNAVAILABLE
    assert health.json()["failing"] == ["redis"] and health.json()["checks"]["database"] == "ok"
    assert Notification.objects.get().status == Notification.Status.PENDING
    assert mail.outbox == []


@pytest.mark.django_db(transaction=True)
def test_reminders_wait_while_redis_is_down_and_the_next_sweep_delivers_each_once(
    due_for: list[int], settings: Any, monkeypatch: Any
) -> None:
    people = UserFactory.create_batch(3)
    due_for.extend(user.pk for user in people)

    with redis_down(settings):
        assert reminders.sweep()["total"] == 3  # recorded, but the queue is unreachable
    assert set(Notification.objects.values_list("status", flat=True)) == {Notification.Status.PENDING}
    assert mail.outbox == []

    # Redis is back; beat's next hourly sweep finds the three still waiting and delivers them.
    an_hour_later = timezone.now() + datetime.timedelta(hours=1)
    monkeypatch.setattr(timezone, "now", lambda: an_hour_later)
    assert reminders.sweep()["total"] == 0  # nothing new is due: only the waiting ones are sent
    assert sorted(message.to[0] for message in mail.outbox) == sorted(user.email for user in people)
    assert set(Notification.objects.values_list("status", flat=True)) == {Notification.Status.SENT}

    # And never again.
    monkeypatch.setattr(timezone, "now", lambda: an_hour_later + datetime.timedelta(hours=1))
    reminders.sweep()
    assert len(mail.outbox) == 3


# The database refusing a write in the middle of a change.


def _refuse_saving(monkeypatch: Any, model: type) -> None:
    def refuse(*args: Any, **kwargs: Any) -> None:
        raise DatabaseError("could not write: disk full")

    monkeypatch.setattr(model, "save", refuse)


@pytest.mark.django_db
def test_a_refused_profile_write_changes_nothing_and_says_so(organisation: Any, monkeypatch: Any) -> None:
    user = person(organisation, Role.PRACTITIONER, email="refused@example.org")
    before = (user.first_name, user.job_title)
    client = Client(raise_request_exception=True)
    client.force_login(user)
    _refuse_saving(monkeypatch, User)
    response = client.post(reverse("profile"), {"first_name": "Changed", "last_name": "Name", "job_title": "New"})
    monkeypatch.undo()

    assert response.status_code == HTTPStatus.SERVICE_UNAVAILABLE
    page = response.content.decode()
    assert "Sorry, there is a problem with the service" in page and "Your changes have not been saved" in page
    assert response["Retry-After"]
    user.refresh_from_db()
    assert (user.first_name, user.job_title) == before
    assert not AuditEntry.objects.filter(action="user.profile_update").exists()


@pytest.mark.django_db
def test_a_refused_write_mid_transition_leaves_the_enrolment_as_it_was(
    organisation: Any, monkeypatch: Any
) -> None:
    """Pausing writes the pause, then the enrolment: the second write fails, so neither is kept."""
    from programmes.models import Enrolment, Pause
    from programmes.tests.factories import EnrolmentFactory, ProgrammeFactory

    enrolment = EnrolmentFactory(programme=ProgrammeFactory(organisation=organisation))
    lead = person(organisation, Role.PROGRAMME_LEAD, email="lead@example.org")
    before = Enrolment.objects.values("status", "next_review_due", "completion_due").get(pk=enrolment.pk)
    today = timezone.localdate()
    client = Client(raise_request_exception=True)
    client.force_login(lead)
    _refuse_saving(monkeypatch, Enrolment)
    response = client.post(reverse("programmes:enrolment-pause", args=[enrolment.pk]), {
        "reason": Pause.Reason.choices[0][0],
        "start_date_0": today.day, "start_date_1": today.month, "start_date_2": today.year,
        "end_date_0": "1", "end_date_1": "1", "end_date_2": today.year + 1,
    })
    monkeypatch.undo()

    assert response.status_code == HTTPStatus.SERVICE_UNAVAILABLE
    assert "Your changes have not been saved" in response.content.decode()
    assert not Pause.objects.filter(enrolment=enrolment).exists()
    assert Enrolment.objects.values("status", "next_review_due", "completion_due").get(pk=enrolment.pk) == before
    assert not AuditEntry.objects.filter(action="enrolment.pause").exists()


@pytest.mark.django_db
def test_a_failing_read_shows_the_problem_page_without_asking_the_database_again(
    organisation: Any, monkeypatch: Any
) -> None:
    client = Client(raise_request_exception=True)
    client.force_login(person(organisation, Role.MENTOR))

    def lost(*args: Any, **kwargs: Any) -> None:
        raise DatabaseError("server closed the connection unexpectedly")

    monkeypatch.setattr("preceptorship.views.Paginator.get_page", lost)
    response = client.get(reverse("notifications"))
    assert response.status_code == HTTPStatus.SERVICE_UNAVAILABLE
    assert "Try again in a few minutes" in response.content.decode()
    assert "Your changes have not been saved" not in response.content.decode()
