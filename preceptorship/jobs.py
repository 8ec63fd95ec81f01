"""Background jobs that never hang: evidence packs, exports and staff imports.

Each job is a row with a ``status`` (waiting states, then done or ``failed``), an ``error`` and a
``finished_at``. Two things end a job that will not finish on its own:

- A task that raises records the job as failed, with the name of the error as its reason
  (``record_failure``), before the error goes on to Celery's log. Jobs are queued with
  ``transaction.on_commit(..., robust=True)``: where tasks run eagerly (no broker) a failing job
  is logged and the person is still taken to its page, which shows the failure.
- A worker that died (killed, out of memory, its machine lost) or a queue message that was lost
  leaves the job queued or running. The job's time runs from the last save of its row, which is
  when it was queued (progress is written with ``update()``, which leaves ``updated_at`` alone).
  Once that time passes its task's hard time limit plus ``MARGIN`` (for the queue's wait), the
  first read of the job (its page, its status, a list showing it) marks it failed with the reason
  ``WORKER_LOST`` (``fail_stale``). The person then starts it again.

Marking is one conditional ``UPDATE``, so two readers at once mark a job once, and a job that
finished meanwhile is left alone.
"""

from __future__ import annotations

import datetime
import logging
from typing import Any

from django.db.models import QuerySet
from django.utils import timezone

logger = logging.getLogger(__name__)

# Time a job may wait in the queue behind others before its hard time limit starts to count.
MARGIN = datetime.timedelta(minutes=10)
WORKER_LOST = "WorkerLost"
TIMED_OUT = "SoftTimeLimitExceeded"
FAILED = "failed"

REASONS = {
    WORKER_LOST: "It was not finished in the time it is allowed: the background worker stopped before "
                 "finishing it, or never started it.",
    TIMED_OUT: "It took longer than the time it is allowed.",
}


def stale_after(time_limit: int) -> datetime.timedelta:
    """How long after being queued a job whose task has this hard time limit (seconds) is lost."""
    return datetime.timedelta(seconds=time_limit) + MARGIN


def fail_stale(queryset: QuerySet, *, waiting: tuple[str, ...], time_limit: int, **extra: Any) -> int:
    """Mark failed every job of ``queryset`` still in a ``waiting`` state ``stale_after(time_limit)``
    after its last save. Returns how many were marked; ``extra`` sets further fields (a step)."""
    now = timezone.now()
    marked = queryset.filter(status__in=waiting, updated_at__lt=now - stale_after(time_limit)).update(
        status=FAILED, error=WORKER_LOST, finished_at=now, updated_at=now, **extra
    )
    if marked:
        logger.warning("%s %s job(s) marked failed: not finished within %s of being queued",
                       marked, queryset.model._meta.label, stale_after(time_limit))
    return marked


def fail_if_stale(job: Any, *, waiting: tuple[str, ...], time_limit: int, **extra: Any) -> bool:
    """``fail_stale`` for one job already read: no query unless it looks lost. When it was marked
    (or finished meanwhile) the job is read again; returns whether it was marked."""
    if job.status not in waiting or job.updated_at >= timezone.now() - stale_after(time_limit):
        return False
    marked = fail_stale(type(job)._default_manager.filter(pk=job.pk), waiting=waiting, time_limit=time_limit,
                        **extra)
    job.refresh_from_db()
    return bool(marked)


def record_failure(queryset: QuerySet, error: BaseException, **extra: Any) -> None:
    """Record the job(s) of ``queryset`` as failed because ``error`` was raised. The caller raises
    it again, for Celery's log (a job is queued with ``on_commit(..., robust=True)``, so with tasks
    run eagerly the error is logged and the request that queued the job still answers)."""
    queryset.update(status=FAILED, error=error.__class__.__name__, finished_at=timezone.now(), **extra)


def failure_reason(error: str) -> str:
    """The reason shown to the person, from what ``error`` recorded."""
    if error in REASONS:
        return REASONS[error]
    if error:
        return f"It stopped with an error ({error[:100]})."
    return "It stopped before finishing."

