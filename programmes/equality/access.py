"""Who sees what of equality monitoring.

A person's answers: that person alone, whatever other roles anyone holds (administrators
included; the Django admin does not list them). The figures (groups of five or more, and totals
that cannot give a hidden group away): programme leads for their organisation's people, ICS leads
for the organisations of their system; anyone else 403.
"""

from __future__ import annotations

from typing import Any

from django.db import models

from preceptorship import access
from preceptorship.models import Membership, Organisation
from programmes.equality.models import EqualityAnswers

Role = Membership.Role
FIGURES_REFUSAL = "Only programme leads and ICS leads see the equality monitoring figures."


@access.register(EqualityAnswers)
class EqualityAnswersPolicy(access.Policy):
    def scope(self, user: Any, queryset: models.QuerySet) -> models.QuerySet:
        return queryset.filter(user_id=user.pk)

    def allows(self, user: Any, obj: Any, action: str) -> bool:
        return action == "change" and obj.user_id == user.pk


def may_see_figures(user: Any) -> bool:
    return access.has_role(user, Role.PROGRAMME_LEAD, Role.ICS_LEAD)


def figure_organisations(user: Any) -> list[Organisation]:
    """The organisations whose people the user's figures count: their own as a programme lead, and
    every organisation of their system as an ICS lead."""
    own = access.organisation_ids(user, Role.PROGRAMME_LEAD)
    systems = access.ics_ids(user, Role.ICS_LEAD)
    return list(Organisation.objects.filter(models.Q(pk__in=own) | models.Q(ics_id__in=systems)).order_by("name"))
