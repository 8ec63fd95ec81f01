"""Background work of the privacy app. Tasks take ids (or nothing) and call one service."""

from __future__ import annotations

from celery import shared_task
from django.utils import timezone

from programmes.privacy import services


@shared_task(time_limit=services.EXPORT_TIME_LIMIT, soft_time_limit=services.EXPORT_TIME_LIMIT - 60)
def build_subject_access_export(export_id: int) -> str:
    return services.export_build(export_id=export_id).status


@shared_task(acks_late=True, time_limit=services.RETENTION_TIME_LIMIT,
             soft_time_limit=services.RETENTION_TIME_LIMIT - 60)
def apply_retention() -> dict[str, int] | None:
    """Nightly (celery beat): claims the day's run, so a second fire the same day does nothing."""
    claim = f"nightly:{timezone.localdate():%Y-%m-%d}"
    run = services.retention_run(dry_run=False, trigger="nightly task", claim=claim)
    return run.counts if run else None
