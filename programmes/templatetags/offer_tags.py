"""The lead dashboard's "waiting to be offered preceptorship" line: one count query, read live so a
decline or an enrolment shows at once (the list is the staff record's, not a summary figure)."""

from __future__ import annotations

from typing import Any

from django import template
from django.utils import timezone

from programmes import offer

register = template.Library()


@register.inclusion_tag("programmes/offer/includes/waiting.html", takes_context=True)
def offer_waiting(context: template.Context) -> dict[str, Any]:
    user = context["request"].user
    if not offer.lead_organisation_ids(user):
        return {"shown": False}
    return {"shown": True, "waiting": offer.waiting_count(user, timezone.localdate())}
