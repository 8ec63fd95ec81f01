"""Who may see and act on frameworks, progression cases, evidence and packs."""

from __future__ import annotations

import datetime
from typing import Any

from django.db import models
from django.db.models import Q
from django.utils import timezone

from preceptorship import access
from preceptorship.models import Membership
from progression import line_managers
from progression.models import (
    Delegation,
    Evidence,
    EvidencePack,
    Framework,
    LetterTemplate,
    ProgressionCase,
    SkillsPassport,
)

Role = Membership.Role
Stage = ProgressionCase.Stage

CHAIN_ROLES = (Role.HEAD_OF_SERVICE, Role.OPERATIONAL_DIRECTOR, Role.HR)


@access.register(Framework)
class FrameworkPolicy(access.Policy):
    """Everyone signed in sees published frameworks; programme leads manage their organisation's.
    A retired version stays readable (marked retired) to everyone who can see a case that uses it:
    a case page links to its framework."""

    def scope(self, user: Any, queryset: models.QuerySet) -> models.QuerySet:
        if access.is_administrator(user):
            return queryset
        in_use = access.scope(user, ProgressionCase).filter(framework_id=models.OuterRef("pk"))
        return queryset.filter(
            Q(status=Framework.Status.PUBLISHED) | Q(owner_id__in=access.organisation_ids(user, Role.PROGRAMME_LEAD))
            | (Q(status=Framework.Status.RETIRED) & models.Exists(in_use))
        )

    def allows(self, user: Any, obj: Any, action: str) -> bool:
        if action in ("change", "publish", "retire", "new_version"):
            if access.is_administrator(user):
                return True
            return obj.owner_id is not None and access.has_role(user, Role.PROGRAMME_LEAD, organisation=obj.owner_id)
        return False


def can_manage_frameworks(user: Any) -> bool:
    return access.is_administrator(user) or access.has_role(user, Role.PROGRAMME_LEAD)


def _is_line_manager(user: Any, case: ProgressionCase) -> bool:
    if case.practitioner_id == user.pk:
        return False
    if case.line_manager_id is not None:
        return case.line_manager_id == user.pk
    return _may_take_up(user, case)


def _may_take_up(user: Any, case: ProgressionCase) -> bool:
    """A case the practitioner opened is taken up by a line manager of their team (any line manager
    of the organisation when they have no team), or by one who manages them; a line manager role
    without a team covers only the people they manage (progression.line_managers)."""
    if case.practitioner_id == user.pk or case.line_manager_id is not None:
        return False
    held = [m for m in access.memberships(user)
            if m.role == Role.LINE_MANAGER and m.organisation_id == case.organisation_id]
    if not held:
        return False
    if case.team_id is None or any(m.team_id == case.team_id for m in held):
        return True
    return line_managers.manages(user, case.practitioner_id)


def holds_chain_role(user: Any, case: ProgressionCase, role: str) -> bool:
    """A holder of the role in the practitioner's organisation (for the Head of Service: of the
    team's service, or of the whole organisation); never the practitioner on their own case."""
    if case.practitioner_id == user.pk:
        return False
    for m in access.memberships(user):
        if m.role != role or m.organisation_id != case.organisation_id:
            continue
        if role == Role.HEAD_OF_SERVICE and m.team_id and case.team_id and m.team_id != case.team_id:
            continue
        return True
    return False


def delegations_in_force(user: Any, day: datetime.date | None = None) -> models.QuerySet:
    """Delegations to ``user`` in force on ``day`` (today)."""
    day = day or timezone.localdate()
    return Delegation.objects.filter(delegate_id=user.pk, withdrawn_at__isnull=True, starts_on__lte=day,
                                     ends_on__gte=day)


def delegation_for(user: Any, case: ProgressionCase) -> Delegation | None:
    """The delegation in force that lets ``user`` decide for the case's Head of Service, if any."""
    if not user.is_authenticated or case.head_of_service_id == user.pk:
        return None
    return (delegations_in_force(user).filter(delegator_id=case.head_of_service_id,
                                               organisation_id=case.organisation_id)
            .select_related("delegator").order_by("ends_on").last())


def may_decide_as_head_of_service(user: Any, case: ProgressionCase) -> bool:
    """The Head of Service named on the case decides (if they still hold the role there), or a Head of
    Service of the organisation they delegated to, for as long as the delegation is in force."""
    if case.practitioner_id == user.pk:
        return False
    if case.head_of_service_id == user.pk:
        return holds_chain_role(user, case, Role.HEAD_OF_SERVICE)
    return (access.has_role(user, Role.HEAD_OF_SERVICE, organisation=case.organisation_id)
            and delegation_for(user, case) is not None)


# The stage at which each chain step may be taken, and the role that takes it.
STEP_RULES: dict[str, tuple[str, str]] = {
    "hos_decide": (Stage.SUBMITTED, Role.HEAD_OF_SERVICE),
    "od_decide": (Stage.RECOMMENDED, Role.OPERATIONAL_DIRECTOR),
    "hr_record": (Stage.SIGNED_OFF, Role.HR),
}


@access.register(ProgressionCase)
class ProgressionCasePolicy(access.Policy):
    def scope(self, user: Any, queryset: models.QuerySet) -> models.QuerySet:
        if access.is_administrator(user):
            return queryset
        condition = Q(practitioner_id=user.pk) | Q(line_manager_id=user.pk)
        chain_orgs = access.organisation_ids(user, *CHAIN_ROLES)
        if chain_orgs:
            condition |= Q(organisation_id__in=chain_orgs)
        manager_orgs = access.organisation_ids(user, Role.LINE_MANAGER)
        if manager_orgs:
            # Cases a practitioner opened wait for a manager of their team (or who manages them)
            # to take them up: the same rule as _may_take_up.
            condition |= Q(line_manager__isnull=True, organisation_id__in=manager_orgs) & (
                Q(team_id__in=access.team_ids(user, Role.LINE_MANAGER)) | Q(team__isnull=True)
                | line_managers.managed_condition(user, "practitioner_id")
            )
        return queryset.filter(condition)

    def sees(self, user: Any, obj: Any) -> bool:
        # The first terms of ``scope``: the practitioner, the line manager and the chain.
        return (obj.practitioner_id == user.pk or obj.line_manager_id == user.pk
                or obj.organisation_id in access.organisation_ids(user, *CHAIN_ROLES)
                or access.is_administrator(user))

    def allows(self, user: Any, obj: Any, action: str) -> bool:
        case: ProgressionCase = obj
        draft = case.stage == Stage.DRAFT
        if action == "take_up":
            return draft and _may_take_up(user, case)
        if action in ("change", "mark", "submit", "statement_unable", "withdraw"):
            return draft and case.line_manager_id == user.pk and case.practitioner_id != user.pk
        if action == "statement":
            return draft and case.practitioner_id == user.pk and case.line_manager_id is not None
        if action == "add_evidence":
            return draft and (case.practitioner_id == user.pk or case.line_manager_id == user.pk)
        if action == "worker_comment":
            return draft and case.practitioner_id == user.pk
        # Self-assessment (services.self_assessment): the practitioner rates, the line manager settles.
        if action == "self_rate":
            return draft and case.framework.self_assessed and case.practitioner_id == user.pk
        if action == "settle":
            return (draft and case.framework.self_assessed and case.line_manager_id == user.pk
                    and case.practitioner_id != user.pk)
        if action == "hos_decide":
            return case.stage == Stage.SUBMITTED and may_decide_as_head_of_service(user, case)
        if action in STEP_RULES:
            stage, role = STEP_RULES[action]
            return case.stage == stage and holds_chain_role(user, case, role)
        if action == "record_told":
            return case.stage == Stage.HR_RECORDED and _is_line_manager(user, case)
        if action == "confirm":
            return case.stage == Stage.WORKER_TOLD and (
                _is_line_manager(user, case) or holds_chain_role(user, case, Role.HR)
            )
        if action == "request_pack":
            # Anyone who may see the case may read it offline.
            return True
        return False


class _SeenWithTheCase(access.Policy):
    """Whoever sees the case sees what hangs off it."""

    def scope(self, user: Any, queryset: models.QuerySet) -> models.QuerySet:
        cases = access.scope(user, ProgressionCase).values("pk")
        return queryset.filter(case_id__in=cases)


@access.register(Evidence)
class EvidencePolicy(_SeenWithTheCase):
    """Evidence (and its file) is seen by whoever sees the case."""

    def allows(self, user: Any, obj: Any, action: str) -> bool:
        if action == "delete":
            return obj.case.stage == Stage.DRAFT and (
                obj.added_by_id == user.pk or obj.case.line_manager_id == user.pk
            )
        return False


@access.register(EvidencePack)
class EvidencePackPolicy(_SeenWithTheCase):
    pass


@access.register(LetterTemplate)
class LetterTemplatePolicy(access.Policy):
    def scope(self, user: Any, queryset: models.QuerySet) -> models.QuerySet:
        if access.is_administrator(user):
            return queryset
        return queryset.filter(organisation_id__in=access.organisation_ids(user, Role.PROGRAMME_LEAD, Role.HR))

    def allows(self, user: Any, obj: Any, action: str) -> bool:
        return action == "change" and (
            access.is_administrator(user)
            or access.has_role(user, Role.PROGRAMME_LEAD, Role.HR, organisation=obj.organisation_id)
        )


def may_open_case(user: Any) -> bool:
    """Line managers open progression cases for their practitioners, practitioners for themselves."""
    return access.has_role(user, Role.LINE_MANAGER, Role.PRACTITIONER)


def letter_template_organisations(user: Any) -> list[Any]:
    """The organisations whose letter template the user edits: where they are HR or a programme lead."""
    return [m.organisation for m in access.memberships(user) if m.role in (Role.HR, Role.PROGRAMME_LEAD)]


def may_edit_letter_template(user: Any) -> bool:
    return access.has_role(user, Role.HR, Role.PROGRAMME_LEAD)


def may_download_letter(user: Any, case: ProgressionCase) -> bool:
    """The confirmation letter: the practitioner, their line manager and HR of the case's organisation."""
    return user.pk in (case.practitioner_id, case.line_manager_id) or holds_chain_role(user, case, Role.HR)


def may_delegate(user: Any) -> bool:
    """Heads of Service delegate their own decisions (for leave, say)."""
    return access.has_role(user, Role.HEAD_OF_SERVICE)


@access.register(Delegation)
class DelegationPolicy(access.Policy):
    """Seen by the Head of Service who delegated and the delegate; withdrawn by the first."""

    def scope(self, user: Any, queryset: models.QuerySet) -> models.QuerySet:
        if access.is_administrator(user):
            return queryset
        return queryset.filter(Q(delegator_id=user.pk) | Q(delegate_id=user.pk))

    def allows(self, user: Any, obj: Any, action: str) -> bool:
        if action == "withdraw":
            return obj.delegator_id == user.pk or access.is_administrator(user)
        return False


def _verifies_passport(user: Any, passport: SkillsPassport) -> bool:
    """A line manager of the worker's team (any line manager of the organisation when the worker has
    no team), or one who manages them; never the worker."""
    if passport.worker_id == user.pk:
        return False
    held = [m for m in access.memberships(user)
            if m.role == Role.LINE_MANAGER and m.organisation_id == passport.organisation_id]
    if not held:
        return False
    if passport.team_id is None or any(m.team_id == passport.team_id for m in held):
        return True
    return line_managers.manages(user, passport.worker_id)


@access.register(SkillsPassport)
class SkillsPassportPolicy(access.Policy):
    """A skills passport is seen by its worker (who records its skills) and their line managers (who
    verify them); the administrator only reads it."""

    def scope(self, user: Any, queryset: models.QuerySet) -> models.QuerySet:
        if access.is_administrator(user):
            return queryset
        condition = Q(worker_id=user.pk)
        manager_orgs = access.organisation_ids(user, Role.LINE_MANAGER)
        if manager_orgs:
            condition |= Q(organisation_id__in=manager_orgs) & (
                Q(team_id__in=access.team_ids(user, Role.LINE_MANAGER)) | Q(team__isnull=True)
                | line_managers.managed_condition(user, "worker_id")
            )
        return queryset.filter(condition)

    def allows(self, user: Any, obj: Any, action: str) -> bool:
        if action == "record":
            return obj.worker_id == user.pk
        if action == "verify":
            return _verifies_passport(user, obj)
        return False


def may_keep_passport(user: Any) -> bool:
    """Workers (the practitioner role) keep their own skills passports."""
    return access.has_role(user, Role.PRACTITIONER)


def may_verify_passports(user: Any) -> bool:
    return access.has_role(user, Role.LINE_MANAGER)
