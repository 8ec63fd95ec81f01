"""Template helpers of the practice pages."""

from __future__ import annotations

from typing import Any

from django import template

from programmes.access import lead_organisation_ids
from programmes.models import Enrolment

register = template.Library()


@register.simple_tag
def practice_access(user: Any, enrolment: Enrolment) -> dict[str, bool]:
    """Which of an enrolment's practice records the user may open: ``records`` (goals, reflections,
    protected time, needs assessment: preceptee, mentor, line manager) and ``reviews`` (also the
    programme lead of the programme's organisation). Mirrors programmes.access without a query."""
    records = user.pk in {enrolment.preceptee_id, enrolment.mentor_id, enrolment.line_manager_id}
    reviews = records or enrolment.programme.organisation_id in lead_organisation_ids(user)
    return {"records": records, "reviews": reviews}
