"""Whose records a dashboard adds up: a programme lead's programmes, an ICS lead's organisations.
``ics_enrolments`` is for aggregates only: no view lists their rows."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from django.db.models import Q, QuerySet

from preceptorship import access
from preceptorship.models import Membership, Organisation
from programmes.access import lead_organisation_ids
from programmes.models import Enrolment
from progression.models import ProgressionCase

Role = Membership.Role


def lead_enrolments(user: Any) -> QuerySet[Enrolment]:
    return access.scope(user, Enrolment).filter(programme__organisation_id__in=lead_organisation_ids(user))


def ics_organisations(user: Any) -> QuerySet[Organisation]:
    return access.scope(user, Organisation).filter(ics_id__in=access.ics_ids(user, Role.ICS_LEAD)).order_by("name")


def lead_scope(user: Any) -> Q:
    """The summary rows of ``lead_enrolments``: enrolments on the programmes of the lead's organisations."""
    return provider_scope(lead_organisation_ids(user))


def provider_scope(organisation_ids: Iterable[int]) -> Q:
    """The summary rows of the enrolments on the programmes of ``organisation_ids``."""
    return Q(provider_id__in=list(organisation_ids))


def ics_scope(user: Any) -> Q:
    """The summary rows of ``ics_enrolments``."""
    return ics_scope_of(access.ics_ids(user, Role.ICS_LEAD))


def ics_scope_of(ics_ids: Iterable[int]) -> Q:
    """The summary rows of the enrolments of staff employed in the systems ``ics_ids``."""
    return Q(organisation__ics_id__in=list(ics_ids))


def ics_enrolments(user: Any) -> QuerySet[Enrolment]:
    """Aggregate-only: enrolments of staff employed in the user's ICS. Never list these rows."""
    return Enrolment.objects.filter(organisation__ics_id__in=access.ics_ids(user, Role.ICS_LEAD))


def lead_cases(user: Any) -> QuerySet[ProgressionCase]:
    """Aggregate-only: the progression cases of the staff of the organisations the user leads, which
    the dashboard counts by stage. A programme lead takes no step of a case and opens none, so
    ``access.scope`` would give them nothing to count. Never list these rows."""
    return cases_of(lead_organisation_ids(user))


def cases_of(organisation_ids: Iterable[int]) -> QuerySet[ProgressionCase]:
    """Aggregate-only: the progression cases of the staff of ``organisation_ids`` (``lead_cases``)."""
    return ProgressionCase.objects.filter(organisation_id__in=list(organisation_ids))
