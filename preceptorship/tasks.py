"""Celery tasks of the core: delivering one notification. Tasks take ids and call a service."""

from __future__ import annotations

import smtplib

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


@shared_task(acks_late=True, time_limit=600, soft_time_limit=540)
def sweep_reminders() -> dict[str, int]:
    """Run hourly by celery beat: record and queue every reminder due today."""
    from preceptorship.reminders import sweep

    return sweep()


# The staff import's background steps live with the import service.
from preceptorship.imports import apply_staff_import, check_staff_import  # noqa: E402, F401
