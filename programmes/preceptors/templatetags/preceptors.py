"""The preceptor register's flags where mentors are chosen: beside an enrolment's mentor, and above
the enrol form (the mentors of the programme's organisation the register flags). For the
programme's leads only; three queries whatever the number of mentors."""

from __future__ import annotations

from typing import Any

from django import template
from django.utils import timezone

from preceptorship.models import Membership
from programmes.access import lead_organisation_ids
from programmes.preceptors import selectors

register = template.Library()


@register.inclusion_tag("preceptors/includes/mentor_flags.html", takes_context=True)
def mentor_flags(context: dict[str, Any], enrolment: Any) -> dict[str, Any]:
    """The register's flags of ``enrolment``'s mentor in the programme's organisation."""
    user = context["request"].user
    organisation_id = enrolment.programme.organisation_id
    if enrolment.mentor_id is None or organisation_id not in lead_organisation_ids(user):
        return {"flags": []}
    found = selectors.mentor_flags([enrolment.mentor_id], organisation_id, timezone.localdate())
    return {"flags": found.get(enrolment.mentor_id, [])}


@register.inclusion_tag("preceptors/includes/flagged_mentors.html", takes_context=True)
def flagged_mentors(context: dict[str, Any], programme: Any) -> dict[str, Any]:
    """The mentors of the programme's organisation that the register flags, with why."""
    user = context["request"].user
    organisation_id = programme.organisation_id
    if organisation_id not in lead_organisation_ids(user):
        return {"flagged": []}
    mentors = {m.user_id: m.user for m in Membership.objects.filter(
        organisation_id=organisation_id, role=Membership.Role.MENTOR).select_related("user")}
    found = selectors.mentor_flags(mentors, organisation_id, timezone.localdate())
    flagged = sorted(((mentors[pk], flags) for pk, flags in found.items() if flags),
                     key=lambda pair: (pair[0].last_name, pair[0].first_name, pair[0].pk))
    return {"flagged": flagged}
