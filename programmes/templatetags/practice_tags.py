"""Template helpers of the practice pages."""

from __future__ import annotations

from typing import Any

from django import template

from programmes.access import record_sight
from programmes.models import Enrolment

register = template.Library()


@register.simple_tag
def practice_access(user: Any, enrolment: Enrolment) -> dict[str, bool]:
    """Which of an enrolment's practice records the user may open (``programmes.access.record_sight``)."""
    return record_sight(user, enrolment)
