"""Delivery through Celery: retries, failures that do not block the others, a worker killed mid-way.

The first tests run the task bodies in this process. The tests marked ``redis`` start a real
worker (in a thread, with the solo pool) on the Redis broker named by ``REDIS_URL`` and send
reminders end to end through the queue, as CI does; without ``REDIS_URL`` they are skipped.
"""

from __future__ import annotations

import datetime
import os
import smtplib
import time
from contextlib import contextmanager
from unittest import mock

import pytest
from celery.contrib.testing.worker import start_worker
from django.core import mail
from django.db import connection
from django.utils import timezone

from preceptorship import reminders
from preceptorship.celery import app
from preceptorship.models import Notification
from preceptorship.tasks import MAX_RETRIES, deliver_notification, deliver_notifications, sweep_reminders
from preceptorship.tests.factories import NotificationFactory, UserFactory
from programmes.tests.factories import EnrolmentFactory

SEND = "django.core.mail.EmailMultiAlternatives.send"
DAY = datetime.timedelta(days=1)


def refuse_for(*addresses):
    """A mail server that refuses the given recipients and accepts everyone else."""
    real_send = __import__("django.core.mail", fromlist=["EmailMultiAlternatives"]).EmailMultiAlternatives.send

    def send(message, fail_silently=False):
        if set(message.to) & set(addresses):
            raise smtplib.SMTPRecipientsRefused({message.to[0]: (550, b"mailbox unavailable")})
        return real_send(message, fail_silently)

    return mock.patch(SEND, autospec=True, side_effect=send)


@contextmanager
def not_eager():
    """Tasks go through the broker (or, with apply(), retry as a worker would) as in production."""
    app.conf.task_always_eager = app.conf.task_eager_propagates = False
    try:
        yield
    finally:
        app.conf.task_always_eager = app.conf.task_eager_propagates = True


# The task bodies, in this process


@pytest.mark.django_db
def test_a_mail_server_error_is_retried_then_recorded_as_failed():
    notification = NotificationFactory(recipient=UserFactory(email="full@example.org"))
    with refuse_for("full@example.org"), not_eager():
        # apply() runs the task here; each retry runs at once instead of after its back-off.
        result = deliver_notification.apply(args=[notification.pk], throw=False)
    notification.refresh_from_db()
    assert result.get() == "failed"
    assert notification.status == Notification.Status.FAILED
    assert notification.attempts == MAX_RETRIES + 1
    assert "SMTPRecipientsRefused" in notification.error and "mailbox unavailable" in notification.error


@pytest.mark.django_db
def test_a_retry_that_succeeds_sends_once():
    notification = NotificationFactory()
    real_send = __import__("django.core.mail", fromlist=["EmailMultiAlternatives"]).EmailMultiAlternatives.send
    calls = []

    def flaky(message, fail_silently=False):
        calls.append(message)
        if len(calls) == 1:
            raise smtplib.SMTPServerDisconnected("Connection unexpectedly closed")
        return real_send(message, fail_silently)

    with mock.patch(SEND, autospec=True, side_effect=flaky), not_eager():
        assert deliver_notification.apply(args=[notification.pk], throw=False).get() == Notification.Status.SENT
    notification.refresh_from_db()
    assert (notification.status, notification.attempts, notification.error) == (Notification.Status.SENT, 2, "")
    assert len(mail.outbox) == 1


@pytest.mark.django_db(transaction=True)
def test_one_failing_recipient_does_not_stop_the_others(monkeypatch):
    people = [UserFactory(email=f"person{n}@example.org") for n in range(3)]
    monkeypatch.setattr(reminders, "_sources", {})
    reminders.register_source("test")(lambda today: [
        reminders.Reminder(kind="test_due", about="thing:1", recipient_id=p.pk, due_on=today, subject="Due", url="/")
        for p in people
    ])
    with refuse_for("person0@example.org"):
        assert reminders.sweep()["total"] == 3
    statuses = dict(Notification.objects.values_list("recipient__email", "status"))
    assert statuses == {"person0@example.org": "failed", "person1@example.org": "sent", "person2@example.org": "sent"}
    assert sorted(m.to[0] for m in mail.outbox) == ["person1@example.org", "person2@example.org"]


@pytest.mark.django_db
def test_a_batch_sends_each_one_and_hands_a_failing_one_to_its_own_retries():
    full, fine = NotificationFactory(recipient=UserFactory(email="full@example.org")), NotificationFactory()
    broken = NotificationFactory()
    real = __import__("preceptorship.tasks", fromlist=["notification_deliver"]).notification_deliver

    def deliver(*, notification_id):
        if notification_id == broken.pk:
            raise ValueError("template missing")
        return real(notification_id=notification_id)

    with refuse_for("full@example.org"), mock.patch.object(deliver_notification, "apply_async") as retry, \
            mock.patch("preceptorship.tasks.notification_deliver", side_effect=deliver):
        outcome = deliver_notifications.apply(args=[[full.pk, broken.pk, fine.pk]]).get()
    assert outcome == {"retrying": 1, "failed": 1, "sent": 1}
    retry.assert_called_once_with((full.pk,), countdown=30.0, retries=1)
    statuses = {n.pk: (n.status, n.attempts) for n in Notification.objects.all()}
    assert statuses[full.pk] == (Notification.Status.PENDING, 1)  # waiting for its retry
    assert statuses[fine.pk] == (Notification.Status.SENT, 1)
    assert Notification.objects.get(pk=broken.pk).error == "ValueError('template missing')"


@pytest.mark.django_db(transaction=True)
def test_the_sweep_queues_its_reminders_in_batches(monkeypatch):
    people = UserFactory.create_batch(120)
    monkeypatch.setattr(reminders, "_sources", {})
    reminders.register_source("test")(lambda today: [
        reminders.Reminder(kind="test_due", about="thing:1", recipient_id=p.pk, due_on=today, subject="Due", url="/")
        for p in people
    ])
    with mock.patch.object(deliver_notifications, "delay", wraps=deliver_notifications.delay) as queued:
        assert reminders.sweep()["total"] == 120
    assert [len(call.args[0]) for call in queued.call_args_list] == [50, 50, 20]
    assert Notification.objects.filter(status=Notification.Status.SENT).count() == 120 == len(mail.outbox)


@pytest.mark.django_db(transaction=True)
def test_a_worker_killed_mid_delivery_is_picked_up_once_and_a_live_one_is_left_alone():
    long_ago = timezone.now() - datetime.timedelta(hours=2)
    killed = NotificationFactory(status=Notification.Status.SENDING, claimed_at=long_ago, queued_at=long_ago)
    # Another worker is sending this one right now: it must not be sent a second time.
    in_flight = NotificationFactory(status=Notification.Status.SENDING, claimed_at=timezone.now(),
                                    queued_at=timezone.now())
    reminders.sweep()
    reminders.sweep()
    # The broker redelivers the killed worker's message too (acks_late): the row is no longer pending.
    assert deliver_notification.delay(killed.pk).get() == "not-pending"
    killed.refresh_from_db()
    in_flight.refresh_from_db()
    assert killed.status == Notification.Status.SENT and killed.attempts == 1
    assert in_flight.status == Notification.Status.SENDING
    assert [m.to for m in mail.outbox] == [[killed.recipient.email]]


# A real worker on a real Redis broker


@pytest.fixture
def worker(settings):
    if not os.environ.get("REDIS_URL"):
        pytest.skip("needs a Redis broker: set REDIS_URL (CI uses redis://127.0.0.1:6379/15)")
    if connection.vendor == "sqlite":
        # The worker's thread and the test share an in-memory SQLite database, which locks whole tables.
        pytest.skip("needs PostgreSQL as well: set DATABASE_URL, as CI does with REDIS_URL")
    settings.NOTIFICATION_RETRY_SECONDS = 0.2
    # Messages an earlier test left in the queue name rows of a database emptied since: this
    # test's worker starts on an empty queue.
    app.control.purge()
    with not_eager(), start_worker(app, pool="solo", perform_ping_check=False, shutdown_timeout=30) as running:
        yield running


def worker_state() -> str:
    """What the worker holds and what waits in the queue, for a test that timed out."""
    from celery.worker import state

    with app.connection_for_read() as conn:
        waiting = conn.default_channel.client.llen(app.conf.task_default_queue)
    running = [(r.name, r.args) for r in state.active_requests]
    reserved = [(r.name, r.args) for r in state.reserved_requests]
    return f"running {running}, reserved {reserved}, {waiting} message(s) waiting in the queue"


def wait_for(condition, seconds=30, describe=None):
    """Wait until ``condition()`` holds; on timeout, say what ``describe()`` and the worker report."""
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if condition():
            return
        time.sleep(0.1)
    seen = f"{describe()}; " if describe else ""
    raise AssertionError(f"timed out after {seconds} s waiting for the worker: {seen}{worker_state()}")


def settled(expected):
    return lambda: Notification.objects.exclude(status__in=["pending", "sending"]).count() == expected


@pytest.mark.redis
@pytest.mark.django_db(transaction=True)
def test_beat_sweep_delivers_reminders_through_the_queue_once(worker):
    today = timezone.localdate()
    # Without a line manager: the preceptee and the mentor are reminded (the line manager would be a third).
    enrolment = EnrolmentFactory(next_review_due=today + 14 * DAY, line_manager=None)
    sweep_reminders.delay()  # what celery beat sends every hour
    wait_for(settled(2))
    assert set(Notification.objects.values_list("status", flat=True)) == {Notification.Status.SENT}
    assert sorted(m.to[0] for m in mail.outbox) == sorted([enrolment.preceptee.email, enrolment.mentor.email])
    assert all(m.alternatives[-1][1].startswith("text/calendar") for m in mail.outbox)
    # A second beat (or two beats by mistake) records and sends nothing new.
    sweep_reminders.delay()
    sweep_reminders.delay()
    marker = NotificationFactory()
    deliver_notification.delay(marker.pk)  # the solo worker takes tasks in order: this one comes last
    wait_for(settled(3))
    assert Notification.objects.count() == 3
    assert len(mail.outbox) == 3


@pytest.mark.redis
@pytest.mark.django_db(transaction=True)
def test_through_the_queue_a_failure_is_retried_and_the_others_still_go(worker):
    flaky, fine = NotificationFactory(recipient=UserFactory(email="full@example.org")), NotificationFactory()
    with refuse_for("full@example.org"):
        deliver_notifications.delay([flaky.pk, fine.pk])  # a batch, as the sweep queues them
        wait_for(settled(2))
    flaky.refresh_from_db()
    fine.refresh_from_db()
    assert (flaky.status, flaky.attempts) == (Notification.Status.FAILED, MAX_RETRIES + 1)
    assert "mailbox unavailable" in flaky.error
    assert fine.status == Notification.Status.SENT


@pytest.mark.redis
@pytest.mark.django_db(transaction=True)
def test_through_the_queue_a_killed_delivery_is_sent_again_exactly_once(worker):
    long_ago = timezone.now() - datetime.timedelta(hours=2)
    killed = NotificationFactory(status=Notification.Status.SENDING, claimed_at=long_ago, queued_at=long_ago)
    reminders.sweep()
    deliver_notification.delay(killed.pk)  # the broker's redelivery of the unacknowledged message
    marker = NotificationFactory()
    deliver_notification.delay(marker.pk)
    wait_for(settled(2))
    killed.refresh_from_db()
    assert killed.status == Notification.Status.SENT and killed.attempts == 1
    assert [m.to[0] for m in mail.outbox].count(killed.recipient.email) == 1
