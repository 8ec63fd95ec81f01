"""An e-mail that cannot be built is marked failed with its reason, once, and never queued again."""

from __future__ import annotations

import pytest
from django.core import mail

from preceptorship import notifications, reminders
from preceptorship.models import Notification
from preceptorship.tests.factories import NotificationFactory

pytestmark = pytest.mark.django_db


def test_a_subject_with_a_line_break_is_failed_with_its_reason_and_not_queued_again(
    monkeypatch, django_capture_on_commit_callbacks
):
    broken = NotificationFactory(subject="Review meeting with Ann\nBcc: someone@example.org", essential=True)
    waiting = NotificationFactory(essential=True)
    assert notifications.notification_deliver(notification_id=broken.pk) == Notification.Status.FAILED
    broken.refresh_from_db()
    assert broken.status == Notification.Status.FAILED
    assert broken.error.startswith("The e-mail could not be built: BadHeaderError")
    assert mail.outbox == []
    queued: list[int] = []
    monkeypatch.setattr(notifications, "_send_tasks", lambda ids: queued.extend(ids))
    with django_capture_on_commit_callbacks(execute=True):
        reminders.sweep()
    assert waiting.pk in queued and broken.pk not in queued


def test_a_template_that_fails_fails_the_notification_and_the_next_one_is_sent(monkeypatch):
    broken, fine = NotificationFactory(essential=True), NotificationFactory(essential=True)
    real = notifications._message

    def failing(notification):
        if notification.pk == broken.pk:
            raise KeyError("missing")
        return real(notification)

    monkeypatch.setattr(notifications, "_message", failing)
    assert notifications.notification_deliver(notification_id=broken.pk) == Notification.Status.FAILED
    assert notifications.notification_deliver(notification_id=fine.pk) == Notification.Status.SENT
    broken.refresh_from_db()
    assert "KeyError" in broken.error and broken.attempts == 1
    assert [message.to for message in mail.outbox] == [[fine.recipient.email]]
