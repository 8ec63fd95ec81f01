"""Who sees which reports. The figures are aggregates, each scoped in ``measures`` (a lead's
organisations, an ICS lead's system); these rules decide who may open each page at all."""

from __future__ import annotations

from typing import Any

from django.db import models

from preceptorship import access
from preceptorship.models import Membership
from programmes.reporting.models import Criterion, StandardSet

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


# Standard sets: everyone who sees a scorecard reads the national sets; a programme lead reads and
# edits the copies of the organisations they lead; nobody edits a national set.


def _lead_organisations(user: Any) -> set[int]:
    return access.organisation_ids(user, Role.PROGRAMME_LEAD)


@access.register(StandardSet)
class StandardSetPolicy(access.Policy):
    def scope(self, user: Any, queryset: models.QuerySet) -> models.QuerySet:
        if not (may_see_lead_dashboard(user) or may_see_ics_dashboard(user)):
            return queryset.none()
        return queryset.filter(
            models.Q(organisation__isnull=True) | models.Q(organisation_id__in=_lead_organisations(user))
        )

    def allows(self, user: Any, obj: Any, action: str) -> bool:
        if action == "copy":
            return may_see_lead_dashboard(user)
        return obj.organisation_id is not None and obj.organisation_id in _lead_organisations(user)


@access.register(Criterion)
class CriterionPolicy(access.Policy):
    def scope(self, user: Any, queryset: models.QuerySet) -> models.QuerySet:
        return queryset.filter(standard_set__in=access.scope(user, StandardSet))

    def allows(self, user: Any, obj: Any, action: str) -> bool:
        return StandardSetPolicy().allows(user, obj.standard_set, action)
