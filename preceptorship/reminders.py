"""The reminder sweep: finds what is due, records each reminder once, and queues its delivery.

The apps register *sources*: functions that, given today's date, return the reminders due with
set-based queries (a handful of queries whatever the number of enrolments or cases). The sweep
records every reminder as a Notification under its unique key before anything is sent, so a
second sweep, a second beat or a retried task finds the key taken and sends nothing twice; and
notifications whose queue message was lost (still pending long after being queued) are queued
again by the next sweep.
"""

from __future__ import annotations

import datetime
from collections import Counter
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from typing import TypeVar

from django.db import transaction
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone

from preceptorship.models import Notification
from preceptorship.notifications import enqueue_delivery

T = TypeVar("T")

KEY_BATCH = 2000
# A pending notification queued longer ago than this lost its message; a sending one lost its worker.
REQUEUE_AFTER = datetime.timedelta(minutes=30)


@dataclass(frozen=True)
class Reminder:
    kind: str
    about: str  # "<app_label>.<model>:<pk>", as notification_key builds it
    recipient_id: int
    due_on: datetime.date
    subject: str
    url: str
    body: str = ""
    essential: bool = False
    # The invitation text, or a function that builds it: only new reminders need it built.
    ics: str | Callable[[], str] = ""

    @property
    def key(self) -> str:
        return f"{self.kind}:{self.about}:{self.recipient_id}:{self.due_on.isoformat()}"


Source = Callable[[datetime.date], Iterable[Reminder]]
_sources: dict[str, Source] = {}


def register_source(name: str) -> Callable[[Source], Source]:
    def decorator(source: Source) -> Source:
        _sources[name] = source
        return source

    return decorator


def sources() -> dict[str, Source]:
    return dict(_sources)


def url_maker(view_name: str) -> Callable[[int], str]:
    """``reverse(view_name, args=[pk])`` for many rows at the cost of one ``reverse()``."""
    sentinel = "987654321"
    head, tail = reverse(view_name, args=[int(sentinel)]).split(sentinel, 1)
    return lambda pk: f"{head}{pk}{tail}"


def _batches(items: list[T], size: int) -> Iterator[list[T]]:
    for start in range(0, len(items), size):
        yield items[start:start + size]


def sweep(*, today: datetime.date | None = None, dry_run: bool = False) -> dict[str, int]:
    """Record and queue every reminder due on ``today``. Returns a count of new ones per kind."""
    today = today or timezone.localdate()
    candidates: dict[str, Reminder] = {}
    for source in _sources.values():
        for reminder in source(today):
            candidates.setdefault(reminder.key, reminder)

    keys = list(candidates)
    existing: set[str] = set()
    for batch in _batches(keys, KEY_BATCH):
        existing.update(Notification.objects.filter(key__in=batch).values_list("key", flat=True))
    new = [candidates[key] for key in keys if key not in existing]
    counts = Counter(reminder.kind for reminder in new)
    result = {kind: counts[kind] for kind in sorted(counts)}
    result["total"] = len(new)
    if dry_run:
        return result

    now = timezone.now()
    with transaction.atomic():
        Notification.objects.bulk_create(
            [
                Notification(
                    recipient_id=r.recipient_id, kind=r.kind, key=r.key, subject=r.subject[:300], body=r.body,
                    url=r.url, due_on=r.due_on, essential=r.essential, ics=r.ics() if callable(r.ics) else r.ics,
                    created_at=now,
                )
                for r in new
            ],
            batch_size=1000,
            ignore_conflicts=True,  # another sweep may have recorded the same key a moment ago
        )
        stale = now - REQUEUE_AFTER
        due_ids = list(
            Notification.objects.filter(
                Q(status=Notification.Status.PENDING, queued_at__isnull=True)
                | Q(status=Notification.Status.PENDING, queued_at__lt=stale)
            ).values_list("pk", flat=True)
        )
        # A row left in "sending" (claimed and committed before its e-mail went, as delivery once
        # did, so a killed worker stranded it): give it back to the queue. Delivery now holds its
        # claim in a transaction, which a killed worker's dropped connection rolls back.
        revived = list(
            Notification.objects.filter(status=Notification.Status.SENDING, claimed_at__lt=stale).values_list(
                "pk", flat=True
            )
        )
        if revived:
            Notification.objects.filter(pk__in=revived, status=Notification.Status.SENDING).update(
                status=Notification.Status.PENDING
            )
        enqueue_delivery(due_ids + revived)
    return result
