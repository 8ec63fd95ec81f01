"""Celery tasks of the programmes app. Tasks take ids and call a service."""

from __future__ import annotations

from celery import shared_task

from programmes import exports, services


@shared_task(time_limit=exports.EXPORT_TIME_LIMIT, soft_time_limit=exports.EXPORT_TIME_LIMIT - 60)
def build_export(job_id: int) -> str:
    return exports.export_job_build(job_id=job_id).status


@shared_task(time_limit=300, soft_time_limit=240)
def begin_pauses() -> int:
    """Hourly: enrolments whose recorded pause has begun become paused."""
    return services.enrolment_pauses_begin()

