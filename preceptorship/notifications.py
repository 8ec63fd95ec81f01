"""Telling people things: in-app notifications, each delivered by e-mail through Celery.

A notification is recorded first, under a unique key (kind, object, recipient, due date), and
delivered afterwards by a task that takes its id. Recording the same key twice is a no-op, so a
repeated sweep or a retried task never tells anyone twice.
"""

from __future__ import annotations

import datetime
import logging
import re
from collections.abc import Callable
from typing import Any

from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.db import IntegrityError, transaction
from django.db.models import F, Model
from django.template.loader import render_to_string
from django.utils import timezone

from preceptorship.models import Notification, User

logger = logging.getLogger(__name__)

DELIVERY_BATCH = 50  # notifications per delivery task when the sweep queues many at once

# kind -> function building the calendar invitation of such a notification when it is e-mailed
# (apps register them; see register_invitation). "" leaves the e-mail without one.
InvitationBuilder = Callable[[Notification], str]
_invitations: dict[str, InvitationBuilder] = {}


def register_invitation(*kinds: str) -> Callable[[InvitationBuilder], InvitationBuilder]:
    """Attach a calendar invitation, built at delivery, to notifications of these kinds.

    Building it in the worker, not in the sweep, keeps the sweep fast (thousands of reminders) and
    the invitation as current as the moment it is sent."""

    def decorator(builder: InvitationBuilder) -> InvitationBuilder:
        for kind in kinds:
            _invitations[kind] = builder
        return builder

    return decorator


def _invitation_for(notification: Notification) -> str:
    if notification.ics or notification.kind not in _invitations:
        return notification.ics
    try:
        ics = _invitations[notification.kind](notification) or ""
    except Exception:  # noqa: BLE001 - the reminder goes out even if its invitation cannot be built
        logger.exception("Could not build the calendar invitation of notification %s.", notification.pk)
        return ""
    if ics:
        Notification.objects.filter(pk=notification.pk).update(ics=ics)  # kept with what was sent
    return ics


def notification_key(kind: str, obj: Model | str, recipient_id: int, due_on: datetime.date | None = None) -> str:
    label = obj if isinstance(obj, str) else f"{obj._meta.label_lower}:{obj.pk}"
    return f"{kind}:{label}:{recipient_id}:{due_on.isoformat() if due_on else '-'}"


def tasks_done(*, recipient: User, about: Model | str, kinds: tuple[str, ...] = ()) -> int:
    """The recipient has done what their unread notifications about ``about`` asked (of ``kinds``,
    or of any kind): they are marked read, so the to-do leaves their list and the header's count.
    A label with a revision (``progression.case:5:r2``) matches ``about`` without one."""
    label = about if isinstance(about, str) else f"{about._meta.label_lower}:{about.pk}"
    kind = "|".join(re.escape(k) for k in kinds) if kinds else "[^:]+"
    pattern = rf"^({kind}):{re.escape(label)}(:r[0-9]+)?:{recipient.pk}:"
    return Notification.objects.filter(recipient=recipient, read_at=None, key__regex=pattern).update(
        read_at=timezone.now()
    )


def notify(
    *,
    recipient: User,
    kind: str,
    about: Model | str,
    subject: str,
    body: str = "",
    url: str = "",
    due_on: datetime.date | None = None,
    essential: bool = False,
    ics: str = "",
) -> Notification | None:
    """Record a notification and queue its e-mail once the transaction commits.

    Returns None when the same notification (same key) was already recorded."""
    key = notification_key(kind, about, recipient.pk, due_on)
    try:
        with transaction.atomic():
            notification = Notification.objects.create(
                recipient=recipient,
                kind=kind,
                key=key,
                subject=subject[:300],
                body=body,
                url=url,
                due_on=due_on,
                essential=essential,
                ics=ics,
            )
    except IntegrityError:
        return None
    enqueue_delivery([notification.pk])
    return notification


def enqueue_delivery(notification_ids: list[int]) -> None:
    """Queue delivery tasks once the surrounding transaction commits."""
    if notification_ids:
        transaction.on_commit(lambda: _send_tasks(notification_ids))


def _send_tasks(notification_ids: list[int]) -> None:
    from preceptorship.tasks import deliver_notification, deliver_notifications

    Notification.objects.filter(pk__in=notification_ids).update(queued_at=timezone.now())
    if len(notification_ids) == 1:
        _send_task(deliver_notification, notification_ids[0])
        return
    # The sweep's thousands go a batch a message: queueing each alone costs milliseconds apiece.
    for start in range(0, len(notification_ids), DELIVERY_BATCH):
        _send_task(deliver_notifications, notification_ids[start:start + DELIVERY_BATCH])


def _send_task(task: Any, argument: int | list[int]) -> None:
    try:
        task.delay(argument)
    except Exception:  # noqa: BLE001
        # Broker down: the rows stay pending and the next sweep queues them again.
        logger.warning("Could not queue notification(s) %s; the next sweep will retry.", argument)


def notification_deliver(*, notification_id: int) -> str:
    """Send one pending notification's e-mail.

    The row stays locked (``select_for_update``) from the moment it is claimed until it is marked
    sent, in one transaction: a second worker, a retried task or a duplicated message skips a
    locked row (``skip_locked``) or finds it no longer pending, so it is never sent twice; and a
    worker killed before marking it sent leaves it pending, because the database rolls the
    transaction back when the connection drops, so the broker's redelivery of the unacknowledged
    task sends it. (Marked "sending" and committed first, it would wait for a sweep half an hour
    later instead.) Raises on a mail-server error so the task can retry; the row is then pending,
    with the attempt counted. An e-mail that cannot be built (a template or invitation that fails, a
    header that cannot be encoded) would fail again on every try: it is marked failed with the
    reason at once, and no sweep queues it again."""
    failure: Exception | None = None
    with transaction.atomic():
        notification = (
            Notification.objects.select_for_update(skip_locked=True, of=("self",))
            .select_related("recipient")
            .filter(pk=notification_id, status=Notification.Status.PENDING)
            .first()
        )
        if notification is None:
            return "not-pending"
        Notification.objects.filter(pk=notification.pk).update(claimed_at=timezone.now(), attempts=F("attempts") + 1)
        recipient = notification.recipient
        if not recipient.is_active or not recipient.email or (
            not notification.essential and not recipient.email_reminders
        ):
            Notification.objects.filter(pk=notification.pk).update(status=Notification.Status.SKIPPED)
            return Notification.Status.SKIPPED
        try:
            message = _message(notification)
            message.message()  # builds every part: a line break in a header shows here, not at the server
        except Exception as error:  # noqa: BLE001 - what stops an e-mail being built stops it every time
            logger.exception("Notification %s could not be built", notification.pk)
            Notification.objects.filter(pk=notification.pk).update(
                status=Notification.Status.FAILED,
                error=f"The e-mail could not be built: {type(error).__name__}: {error}"[:2000],
            )
            return Notification.Status.FAILED
        try:
            message.send()
        except Exception as error:  # noqa: BLE001 - re-raised below, once the attempt is recorded
            failure = error
        else:
            Notification.objects.filter(pk=notification.pk).update(
                status=Notification.Status.SENT, sent_at=timezone.now(), error=""
            )
    if failure is not None:
        raise failure
    return Notification.Status.SENT


def _message(notification: Notification) -> EmailMultiAlternatives:
    recipient = notification.recipient
    ics = _invitation_for(notification)
    method = re.search(r"^METHOD:(\w+)", ics, re.MULTILINE)
    context = {"notification": notification, "recipient": recipient, "link": f"{settings.SITE_URL}{notification.url}",
               "invitation": bool(ics), "cancellation": bool(method and method[1] == "CANCEL")}
    message = EmailMultiAlternatives(
        subject=notification.subject,
        body=render_to_string("email/notification-body.txt", context),
        to=[recipient.email],
    )
    message.attach_alternative(render_to_string("email/notification-body.html", context), "text/html")
    if ics:
        # As Outlook and Gmail expect a meeting request: a text/calendar alternative with the method,
        # and the same invitation as a file for mail programs that only offer attachments.
        message.attach_alternative(ics, f"text/calendar; method={method[1] if method else 'REQUEST'}")
        message.attach("invitation.ics", ics.encode("utf-8"), "application/ics")
    return message


def notification_mark_failed(*, notification_id: int, error: str) -> None:
    Notification.objects.filter(
        pk=notification_id, status__in=[Notification.Status.PENDING, Notification.Status.SENDING]
    ).update(status=Notification.Status.FAILED, error=error[:2000])


def notification_mark_read(*, user: User, notification: Notification) -> None:
    if notification.read_at is None and notification.recipient_id == user.pk:
        notification.read_at = timezone.now()
        notification.save(update_fields=["read_at"])


def notifications_mark_all_read(*, user: User) -> int:
    return Notification.objects.filter(recipient=user, read_at__isnull=True).update(read_at=timezone.now())

