import datetime
import json
from io import StringIO

import pytest
from django.core import mail
from django.core.management import CommandError, call_command
from django.utils import timezone

from preceptorship import reminders
from preceptorship.models import Notification
from preceptorship.reminders import Reminder
from preceptorship.tests.factories import UserFactory


@pytest.fixture
def source(monkeypatch):
    """A stand-in source: one reminder per listed recipient, due on the given day."""
    recipients: list[int] = []
    monkeypatch.setattr(reminders, "_sources", {})

    @reminders.register_source("test")
    def due(today: datetime.date):
        return [
            Reminder(kind="test_due", about=f"thing:{pk}", recipient_id=pk, due_on=today, subject="Due", url="/")
            for pk in recipients
        ]

    return recipients


@pytest.mark.django_db(transaction=True)
def test_sweep_twice_sends_each_reminder_once(source):
    source.extend(user.pk for user in UserFactory.create_batch(3))
    assert reminders.sweep()["total"] == 3
    assert reminders.sweep()["total"] == 0
    assert len(mail.outbox) == 3
    assert set(Notification.objects.values_list("status", flat=True)) == {Notification.Status.SENT}


@pytest.mark.django_db(transaction=True)
def test_dry_run_records_nothing(source):
    source.append(UserFactory().pk)
    assert reminders.sweep(dry_run=True) == {"test_due": 1, "total": 1}
    assert Notification.objects.count() == 0


@pytest.mark.django_db(transaction=True)
def test_a_lost_queue_message_is_queued_again_by_the_next_sweep(source, monkeypatch):
    source.append(UserFactory().pk)
    monkeypatch.setattr("preceptorship.notifications._send_task", lambda task, pk: None)  # the broker loses it
    reminders.sweep()
    notification = Notification.objects.get()
    assert notification.status == Notification.Status.PENDING and len(mail.outbox) == 0
    Notification.objects.update(queued_at=timezone.now() - reminders.REQUEUE_AFTER - datetime.timedelta(minutes=1))
    monkeypatch.undo()
    monkeypatch.setattr(reminders, "_sources", {})  # nothing new is due, only the lost one
    assert reminders.sweep()["total"] == 0
    assert len(mail.outbox) == 1


@pytest.mark.django_db(transaction=True)
def test_a_worker_killed_while_sending_is_revived_once(source):
    user = UserFactory()
    notification = Notification.objects.create(
        recipient=user, kind="k", key="k:x:1:-", subject="S", status=Notification.Status.SENDING,
        claimed_at=timezone.now() - datetime.timedelta(hours=2), queued_at=timezone.now() - datetime.timedelta(hours=2),
    )
    reminders.sweep()
    reminders.sweep()
    notification.refresh_from_db()
    assert notification.status == Notification.Status.SENT
    assert len(mail.outbox) == 1


@pytest.mark.django_db
def test_command_prints_json_counts(source):
    source.append(UserFactory().pk)
    out = StringIO()
    call_command("send_due_reminders", "--today", "2026-03-29", "--dry-run", stdout=out)
    assert json.loads(out.getvalue()) == {"test_due": 1, "total": 1}
    with pytest.raises(CommandError, match="not a date"):
        call_command("send_due_reminders", "--today", "29/03/2026")
