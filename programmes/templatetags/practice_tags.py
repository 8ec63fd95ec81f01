"""Template helpers of the practice pages."""

from __future__ import annotations

import datetime
from collections.abc import Iterable
from typing import Any

from django import template
from django.utils.html import format_html
from django.utils.safestring import SafeString

from preceptorship import kept
from programmes.access import record_sight
from programmes.models import Enrolment

register = template.Library()


@register.simple_tag
def practice_access(user: Any, enrolment: Enrolment) -> dict[str, bool]:
    """Which of an enrolment's practice records the user may open (``programmes.access.record_sight``)."""
    return record_sight(user, enrolment)


STATUS_COLOURS = {
    Enrolment.Status.ACTIVE: "blue",
    Enrolment.Status.PAUSED: "yellow",
    Enrolment.Status.COMPLETED: "green",
    Enrolment.Status.WITHDRAWN: "grey",
}


@register.filter
def status_tag(enrolment: Enrolment) -> SafeString:
    """The enrolment's status as an NHS.UK tag (a filter: lists show one per row, and an include
    per row cost more than the rest of the row)."""
    return format_html('<strong class="nhsuk-tag nhsuk-tag--{}">{}</strong>',
                       STATUS_COLOURS.get(enrolment.status, "grey"), enrolment.get_status_display())


def _shown(row: Any, path: str) -> Any:
    value = row
    for name in path.split("."):
        value = getattr(value, name, None)
        if value is None:
            return None
    return value if isinstance(value, int | str | datetime.date) else str(value)


@register.simple_tag
def rows_digest(rows: Iterable[Any], today: Any, *paths: str) -> str:
    """A name for everything a table shows of its rows on ``today`` (an overdue tag depends on it):
    ``paths`` name each shown value (``"preceptee.profession.name"``). The rendered rows are kept
    under it, so the same rows render once and any change to what they show renders them anew."""
    shown = [tuple(_shown(row, path) for path in paths) for row in rows]
    return kept.digest((str(today), paths, shown))


@register.simple_tag
def items_digest(items: Iterable[Any]) -> str:
    """A name for a list of plain values (dataclasses such as ``selectors.TimelineItem``, whose repr
    holds every field): a part rendered from them is kept under it and renders anew when any changes."""
    return kept.digest(list(items))
