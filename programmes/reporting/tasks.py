"""Celery tasks of the reports."""

from __future__ import annotations

from celery import shared_task
from django.utils import timezone

from programmes.reporting import summary


@shared_task(time_limit=300, soft_time_limit=240)
def rebuild_dashboard_figures() -> str:
    """Every few minutes: the dashboards' figures, worked out again from the records."""
    return summary.rebuild(today=timezone.localdate()).built_at.isoformat()
