"""Who may answer subject access and erasure requests: administrators for anyone, and an
organisation's data protection officer for the people of that organisation (those who hold a
role there, or whose enrolment or progression case is there, leavers included). Anyone else is
outside the scope: 404.
"""

from __future__ import annotations

from typing import Any

from django.db import models
from django.db.models import Exists, OuterRef, Q

from preceptorship import access
from preceptorship.models import Membership
from programmes.models import Enrolment
from programmes.privacy.models import DataSubject, SubjectAccessExport
from progression.models import ProgressionCase

Role = Membership.Role
REFUSAL = "Only an administrator or a data protection officer can answer subject access and erasure requests."


def dpo_organisation_ids(user: Any) -> set[int]:
    return access.organisation_ids(user, Role.DATA_PROTECTION)


def may_answer_requests(user: Any) -> bool:
    return access.is_administrator(user) or bool(dpo_organisation_ids(user))


def people_q(organisation_ids: set[int]) -> Q:
    """People whose records an organisation holds: a role there, or an enrolment or a case there."""
    ids = list(organisation_ids)
    return (
        Exists(Membership.objects.filter(user_id=OuterRef("pk"), organisation_id__in=ids))
        | Exists(Enrolment.objects.filter(preceptee_id=OuterRef("pk"), organisation_id__in=ids))
        | Exists(ProgressionCase.objects.filter(practitioner_id=OuterRef("pk"), organisation_id__in=ids))
    )


def answering_organisation(user: Any, person: Any) -> int | None:
    """The organisation on whose behalf ``user`` answers for ``person``: None for an administrator
    (or a data protection officer who is also one)."""
    if access.is_administrator(user):
        return None
    mine = dpo_organisation_ids(user)
    for organisation_id in sorted(mine):
        if DataSubject.objects.filter(pk=person.pk).filter(people_q({organisation_id})).exists():
            return organisation_id
    return None


def may_act_for(user: Any, person: Any, action: str) -> bool:
    """The services' own check: ``person`` is in the user's scope and the action is allowed."""
    subject = DataSubject.objects.filter(pk=person.pk)
    return access.scope(user, subject).exists() and access.policy_for(DataSubject).allows(user, person, action)


@access.register(DataSubject)
class DataSubjectPolicy(access.Policy):
    def scope(self, user: Any, queryset: models.QuerySet) -> models.QuerySet:
        if access.is_administrator(user):
            return queryset
        organisations = dpo_organisation_ids(user)
        if not organisations:
            return queryset.none()
        return queryset.filter(people_q(organisations))

    def allows(self, user: Any, obj: Any, action: str) -> bool:
        # Whoever sees the person here may ask for their export or erase them: the scope is the rule.
        return action in ("export", "erase") and may_answer_requests(user)


@access.register(SubjectAccessExport)
class SubjectAccessExportPolicy(access.Policy):
    """An export is seen by administrators, and by the data protection officers of the organisation
    it was asked for (a colleague may download what another asked for, while they hold the role)."""

    def scope(self, user: Any, queryset: models.QuerySet) -> models.QuerySet:
        if access.is_administrator(user):
            return queryset
        return queryset.filter(organisation_id__in=dpo_organisation_ids(user))

    def allows(self, user: Any, obj: Any, action: str) -> bool:
        if action != "download":
            return False
        return access.is_administrator(user) or obj.organisation_id in dpo_organisation_ids(user)
