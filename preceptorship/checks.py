"""System checks of the deployment itself (``manage.py check --deploy``)."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core import checks

LONG_JOBS_IN_REQUESTS = "preceptorship.W001"


@checks.register(checks.Tags.compatibility, deploy=True)
def long_jobs_need_a_worker(app_configs: Any = None, **kwargs: Any) -> list[checks.CheckMessage]:
    """Without a broker Celery runs every task eagerly, inside the web request that queued it."""
    if settings.DEBUG or getattr(settings, "REDIS_URL", ""):
        return []
    return [
        checks.Warning(
            "REDIS_URL is not set, so long jobs (evidence packs and other PDFs, exports, staff imports, "
            "reminder e-mails) would run inside web requests, where a slow one times out the page and "
            "nothing retries it.",
            hint="Set REDIS_URL to a Redis server and run a Celery worker and one beat, as the README's "
            "'Running in production' says.",
            id=LONG_JOBS_IN_REQUESTS,
        )
    ]
