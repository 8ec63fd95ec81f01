"""A line manager's authority over progression cases: the practitioners of the teams of their line
manager roles, and the people they manage (named line manager on a current enrolment or an open
case), never the whole organisation. A line manager role without a team gives authority over the
people they manage only."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.db.models import Q, QuerySet

from preceptorship import access
from preceptorship.models import Membership, User
from progression.models import ProgressionCase

Role = Membership.Role
Stage = ProgressionCase.Stage


# Another app (programmes) tells who a line manager manages there (the line manager named on an
# enrolment): ``lookup(user)`` returns a queryset of the ids of those people.
_managed_lookups: list[Callable[[User], QuerySet]] = []
FINISHED_STAGES = (Stage.CONFIRMED, Stage.DECLINED, Stage.WITHDRAWN)


def register_managed_lookup(lookup: Callable[[User], QuerySet]) -> None:
    if lookup not in _managed_lookups:
        _managed_lookups.append(lookup)


def _managed_condition(user: Any, field: str = "pk") -> Q:
    """The people the user is named line manager of: on a case still open, or elsewhere (lookups).
    ``field``: where the person's id is, for a condition on another model (``practitioner_id``)."""
    condition = Q(**{f"{field}__in": ProgressionCase.objects.filter(line_manager_id=user.pk)
                     .exclude(stage__in=FINISHED_STAGES).values("practitioner_id")})
    for lookup in _managed_lookups:
        condition |= Q(**{f"{field}__in": lookup(user)})
    return condition


def managed_condition(user: Any, field: str = "pk") -> Q:
    return _managed_condition(user, field)


def manages(user: Any, practitioner_id: int) -> bool:
    """Whether the user is named line manager of the person (a current enrolment or an open case)."""
    return User.objects.filter(_managed_condition(user), pk=practitioner_id).exists()


def _manager_memberships(user: Any, organisation_id: int | None = None) -> list[Membership]:
    return [m for m in access.memberships(user) if m.role == Role.LINE_MANAGER
            and (organisation_id is None or m.organisation_id == organisation_id)]


def managed_practitioners(user: Any, *, organisation_id: int | None = None) -> QuerySet:
    """The practitioners a line manager has authority over: those of the teams of their line
    manager roles, and the people they manage (named line manager on an enrolment or an open
    case) in an organisation where they are a line manager. A line manager role without a team
    gives authority over the people they manage only, never over the whole organisation."""
    held = _manager_memberships(user, organisation_id)
    if not held:
        return User.objects.none()
    teams = {m.team_id for m in held if m.team_id}
    organisations = {m.organisation_id for m in held}
    practitioner_of = Membership.objects.filter(role=Role.PRACTITIONER)
    in_team = practitioner_of.filter(team_id__in=teams).values("user_id")
    managed = practitioner_of.filter(organisation_id__in=organisations).values("user_id")
    return (
        User.objects.filter(is_active=True)
        .filter(Q(pk__in=in_team) | (Q(pk__in=managed) & _managed_condition(user)))
        .exclude(pk=user.pk)
    )


def case_membership(user: Any, practitioner: User) -> Membership | None:
    """The practitioner role under which ``user`` may open a case for ``practitioner``: their own
    (when opening their own case), or one in a team the line manager manages, or one in an
    organisation where the line manager manages them. None when there is none."""
    own = [m for m in access.memberships(practitioner) if m.role == Role.PRACTITIONER]
    if practitioner.pk == user.pk:
        return own[0] if own else None
    held = _manager_memberships(user)
    teams = {m.team_id for m in held if m.team_id}
    in_team = [m for m in own if m.team_id and m.team_id in teams]
    if in_team:
        return in_team[0]
    organisations = {m.organisation_id for m in held}
    elsewhere = [m for m in own if m.organisation_id in organisations]
    if elsewhere and User.objects.filter(_managed_condition(user), pk=practitioner.pk).exists():
        return elsewhere[0]
    return None


def may_manage(user: Any, practitioner: User, *, organisation_id: int, team_id: int | None) -> bool:
    """Whether ``user`` may open (and so manage) a case for ``practitioner`` in this organisation
    and team: a line manager of that team, or one who manages the practitioner."""
    held = _manager_memberships(user, organisation_id)
    if not held or practitioner.pk == user.pk:
        return False
    practitioner_of = Membership.objects.filter(user_id=practitioner.pk, role=Role.PRACTITIONER,
                                                organisation_id=organisation_id)
    if team_id is not None and team_id in {m.team_id for m in held}:
        return practitioner_of.filter(team_id=team_id).exists()
    return practitioner_of.exists() and User.objects.filter(
        _managed_condition(user), pk=practitioner.pk).exists()
