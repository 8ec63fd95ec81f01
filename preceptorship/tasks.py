"""Celery tasks of the core: delivering notifications. Tasks take ids and call a service.

A single notification (something just happened) is one task; the sweep's reminders go in batches
of ids, so queueing thousands costs a few messages. Within a batch each notification is claimed
and sent on its own: a mail server error sends that one alone on to ``deliver_notification``'s
retries, and any other error marks it failed, so one recipient never stops the others.
"""

from __future__ import annotations

import smtplib
from collections import Counter

from celery import shared_task
from django.conf import settings

from preceptorship.notifications import notification_deliver, notification_mark_failed

MAX_RETRIES = 4


def retry_seconds() -> float:
    """The first retry's delay; each later one waits twice as long (30 s, 1, 2 and 4 minutes)."""
    return float(getattr(settings, "NOTIFICATION_RETRY_SECONDS", 30))


@shared_task(
    bind=True,
    acks_late=True,
    max_retries=MAX_RETRIES,
    time_limit=60,
    soft_time_limit=50,
)
def deliver_notification(self, notification_id: int) -> str:
    try:
        return notification_deliver(notification_id=notification_id)
    except (smtplib.SMTPException, OSError) as error:
        if self.request.retries >= MAX_RETRIES or self.app.conf.task_always_eager:
            notification_mark_failed(notification_id=notification_id, error=repr(error))
            return "failed"
        # Back to pending so the retry (or a later sweep) may claim it again.
        raise self.retry(exc=error, countdown=retry_seconds() * 2**self.request.retries)


@shared_task(acks_late=True, time_limit=900, soft_time_limit=840)
def deliver_notifications(notification_ids: list[int]) -> dict[str, int]:
    outcomes: Counter[str] = Counter()
    for notification_id in notification_ids:
        try:
            outcomes[notification_deliver(notification_id=notification_id)] += 1
        except (smtplib.SMTPException, OSError):
            # Back to pending: its own task retries it with back-off (this was the first attempt).
            deliver_notification.apply_async((notification_id,), countdown=retry_seconds(), retries=1)
            outcomes["retrying"] += 1
        except Exception as error:  # noqa: BLE001 - one broken notification must not stop the batch
            notification_mark_failed(notification_id=notification_id, error=repr(error))
            outcomes["failed"] += 1
    return dict(outcomes)


@shared_task(acks_late=True, time_limit=600, soft_time_limit=540)
def sweep_reminders() -> dict[str, int]:
    """Run hourly by celery beat: record and queue every reminder due today."""
    from preceptorship.reminders import sweep

    return sweep()


# The staff import's background steps live with the import service.
from preceptorship.imports import apply_staff_import, check_staff_import, invite_staff  # noqa: E402, F401
