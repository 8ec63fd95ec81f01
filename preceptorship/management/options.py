"""Options the management commands share."""

from __future__ import annotations

import datetime

from django.core.management.base import CommandError


def today_option(text: str | None) -> datetime.date | None:
    """The date of a ``--today YYYY-MM-DD`` option, None when it was not given; a clear error otherwise."""
    if not text:
        return None
    try:
        return datetime.date.fromisoformat(text)
    except ValueError:
        raise CommandError(f"--today {text!r} is not a date in the form YYYY-MM-DD.") from None
