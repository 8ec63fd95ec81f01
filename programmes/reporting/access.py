"""Who sees which reports. The figures are aggregates, each scoped in ``measures`` (a lead's
organisations, an ICS lead's system); these rules decide who may open each page at all."""

from __future__ import annotations

from typing import Any

from preceptorship import access
from preceptorship.models import Membership

Role = Membership.Role
REFUSAL = "Only a programme lead or ICS lead can see this."


def may_see_lead_dashboard(user: Any) -> bool:
    """The lead's dashboard and its downloads: programme leads."""
    return access.has_role(user, Role.PROGRAMME_LEAD)


def may_see_ics_dashboard(user: Any) -> bool:
    """The ICS dashboard, its organisations and downloads: ICS leads."""
    return access.has_role(user, Role.ICS_LEAD)


def may_see_mentor_directory(user: Any) -> bool:
    """The mentor directory: ICS leads and programme leads."""
    return access.has_role(user, Role.ICS_LEAD, Role.PROGRAMME_LEAD)
