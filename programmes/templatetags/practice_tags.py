"""Template helpers of the practice pages."""

from __future__ import annotations

from typing import Any

from django import template
from django.utils import timezone
from django.utils.html import format_html
from django.utils.safestring import SafeString

from programmes import selectors
from programmes.access import record_sight
from programmes.models import Enrolment, ReviewDraft, ReviewMeeting
from programmes.selectors import review_draft

register = template.Library()


@register.simple_tag
def practice_access(user: Any, enrolment: Enrolment) -> dict[str, bool]:
    """Which of an enrolment's practice records the user may open (``programmes.access.record_sight``)."""
    return record_sight(user, enrolment)


@register.simple_tag
def review_draft_of(user: Any, enrolment: Enrolment) -> ReviewDraft | None:
    """The review record saved to finish later, for the mentor who may continue it (nobody else sees it)."""
    if enrolment.mentor_id != user.pk or not enrolment.is_current:
        return None
    return review_draft(enrolment)


@register.simple_tag
def caseload_above_protection(enrolment: Enrolment) -> ReviewMeeting | None:
    """The last review's caseload when above the programme's protection (for those who see the reviews)."""
    return selectors.caseload_above_protection(enrolment, timezone.localdate())


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
    return status_value_tag(enrolment.status)


def status_value_tag(status: str) -> SafeString:
    """``status_tag`` of an enrolment's ``status`` value (for rows read as values)."""
    label = Enrolment.Status(status).label if status in Enrolment.Status.values else status
    return format_html('<strong class="nhsuk-tag nhsuk-tag--{}">{}</strong>', STATUS_COLOURS.get(status, "grey"), label)

