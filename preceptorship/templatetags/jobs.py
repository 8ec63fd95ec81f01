"""Template filters for background jobs (evidence packs, exports, staff imports)."""

from __future__ import annotations

from django import template

from preceptorship import jobs

register = template.Library()


@register.filter
def job_failure(error: str) -> str:
    """Why a job failed, in words, from its recorded ``error``."""
    return jobs.failure_reason(error or "")
