"""Refuse to start with a retention schedule that cannot be read (schedule.py)."""

from __future__ import annotations

from typing import Any

from django.core import checks
from django.core.exceptions import ImproperlyConfigured

from programmes.privacy import schedule


@checks.register()
def retention_schedule(app_configs: Any = None, **kwargs: Any) -> list[checks.CheckMessage]:
    try:
        schedule.periods()
    except ImproperlyConfigured as error:
        return [checks.Error(str(error), hint="See docs/data-protection.md.", id="privacy.E001")]
    return []
