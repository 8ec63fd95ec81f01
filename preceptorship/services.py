"""Writes to the organisation directory. Each change is atomic and audited."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction

from preceptorship import access, audit
from preceptorship.models import AuditEntry, Membership, Organisation, Team, User

Role = Membership.Role

PROFILE_FIELDS = ["first_name", "last_name", "job_title", "band", "email_reminders"]

# The roles a programme lead gives and takes away in their own organisation. Head of Service,
# Operational Director, HR, programme lead, ICS lead and administrator are an administrator's.
LEAD_GRANTS = frozenset({Role.PRACTITIONER, Role.MENTOR, Role.LINE_MANAGER})


@transaction.atomic
def user_profile_update(*, actor: User, user: User, data: dict[str, Any]) -> User:
    user = User.objects.select_for_update().get(pk=user.pk)
    before = audit.snapshot(user, PROFILE_FIELDS)
    for name in PROFILE_FIELDS:
        if name in data:
            setattr(user, name, data[name])
    user.full_clean()
    user.save(update_fields=[name for name in PROFILE_FIELDS if name in data])
    audit.record(
        actor=actor, action="user.profile_update", obj=user, summary=f"Profile of {user} updated",
        before=before, after=audit.snapshot(user, PROFILE_FIELDS),
    )
    return user


# Roles ---------------------------------------------------------------------------------------


def grants_every_role(actor: Any) -> bool:
    """Administrators (a superuser, the administrator role, or staff of the admin pages)."""
    return access.is_administrator(actor) or bool(getattr(actor, "is_staff", False))


def role_change_refusal(
    *, actor: Any, user: User | None, organisation_id: int, role: str, revoke: bool = False,
    user_organisation_ids: Iterable[int] | None = None,
) -> str | None:
    """Why ``actor`` may not give (or, with ``revoke``, take away) ``role`` in the organisation
    from ``user``, in plain words; None when they may.

    ``user`` None is an account about to be created. ``user_organisation_ids``: the organisations
    where the user holds a role, when the caller has read them already (one query saved per person).
    An ``actor`` of None is the system itself (demo data), which the rules do not bind.
    """
    if actor is None:
        return None
    if not revoke and user is not None and user.pk == actor.pk:
        return "Nobody can give themselves a role: ask an administrator."
    if grants_every_role(actor):
        return None
    label = Role(role).label if role in Role.values else role
    if not access.has_role(actor, Role.PROGRAMME_LEAD, organisation=organisation_id):
        return "Only a programme lead of the organisation or an administrator can change its roles."
    if role not in LEAD_GRANTS:
        verb = "take away" if revoke else "give"
        return f"You cannot {verb} the role {label}: only an administrator can."
    if user is None:
        return None
    if user.is_superuser or user.is_staff:
        return "Only an administrator can change this account."
    if user_organisation_ids is None:
        user_organisation_ids = Membership.objects.filter(user_id=user.pk).values_list("organisation_id", flat=True)
    held = set(user_organisation_ids)
    if held and organisation_id not in held:
        # A person with a role elsewhere is joined to this organisation by an administrator.
        return "Only an administrator can give this person a role here."
    return None


def _check(actor: Any, user: User | None, organisation_id: int, role: str, *, revoke: bool = False) -> None:
    refusal = role_change_refusal(actor=actor, user=user, organisation_id=organisation_id, role=role, revoke=revoke)
    if refusal:
        raise PermissionDenied(refusal)


def _describe(membership: Membership) -> dict[str, Any]:
    return {"user": membership.user_id, "organisation": membership.organisation_id, "role": membership.role,
            "team": membership.team_id}


def _grant_entry(actor: Any, membership: Membership) -> AuditEntry:
    return audit.entry(
        actor=actor, action="membership.grant", obj=membership,
        summary=f"{membership.user} is now {membership.get_role_display()} at {membership.organisation}",
        after=_describe(membership),
    )


@transaction.atomic
def membership_grant(
    *, actor: User | None, user: User, organisation: Organisation, role: str, team: Team | None = None
) -> Membership:
    """Give ``user`` the role in the organisation (for one team, or the whole organisation).
    Refused with ``PermissionDenied`` when the actor may not (see ``role_change_refusal``)."""
    if role not in Role.values:
        raise ValidationError({"role": "Choose a role."})
    if team is not None and team.organisation_id != organisation.pk:
        raise ValidationError({"team": "The team must belong to the organisation."})
    _check(actor, user, organisation.pk, role)
    membership, created = Membership.objects.get_or_create(
        user=user, organisation=organisation, role=role, team=team
    )
    if created:
        _grant_entry(actor, membership).save()
    return membership


@transaction.atomic
def memberships_grant_many(*, actor: User | None, memberships: list[Membership]) -> list[Membership]:
    """Give many roles at once (the staff import): the same rules as ``membership_grant`` for each,
    checked before anything is written, then one insert of the roles and one of their audit
    entries. Each membership's ``user`` (and ``organisation``, for the audit summary) must be set."""
    user_ids = {m.user_id for m in memberships}
    held: dict[int, set[int]] = {user_id: set() for user_id in user_ids}
    for user_id, organisation_id in Membership.objects.filter(user_id__in=user_ids).values_list(
            "user_id", "organisation_id"):
        held[user_id].add(organisation_id)
    for membership in memberships:
        refusal = role_change_refusal(actor=actor, user=membership.user, organisation_id=membership.organisation_id,
                                      role=membership.role, user_organisation_ids=held[membership.user_id])
        if refusal:
            raise PermissionDenied(f"{membership.user.email}: {refusal}")
    created = Membership.objects.bulk_create(memberships, batch_size=1000)
    AuditEntry.objects.bulk_create([_grant_entry(actor, m) for m in created], batch_size=1000)
    return created


@transaction.atomic
def membership_change(*, actor: User | None, membership: Membership, role: str, team: Team | None = None
                      ) -> Membership:
    """Change a role's kind or team: taking the old one away and giving the new one, under both rules."""
    locked = Membership.objects.select_for_update().select_related("user", "organisation").get(pk=membership.pk)
    if locked.role == role and locked.team_id == (team.pk if team else None):
        return locked
    if role not in Role.values:
        raise ValidationError({"role": "Choose a role."})
    if team is not None and team.organisation_id != locked.organisation_id:
        raise ValidationError({"team": "The team must belong to the organisation."})
    _check(actor, locked.user, locked.organisation_id, locked.role, revoke=True)
    _check(actor, locked.user, locked.organisation_id, role)
    before = _describe(locked)
    locked.role, locked.team = role, team
    locked.full_clean(exclude=["user", "organisation"])
    locked.save(update_fields=["role", "team", "updated_at"])
    audit.record(
        actor=actor, action="membership.change", obj=locked,
        summary=f"{locked.user} is now {locked.get_role_display()} at {locked.organisation}",
        before=before, after=_describe(locked),
    )
    return locked


@transaction.atomic
def membership_revoke(*, actor: User | None, membership: Membership) -> None:
    """Take a role away. Refused with ``PermissionDenied`` when the actor may not."""
    _check(actor, membership.user, membership.organisation_id, membership.role, revoke=True)
    audit.record(
        actor=actor, action="membership.revoke", obj=membership,
        summary=f"{membership.user} is no longer {membership.get_role_display()} at {membership.organisation}",
        before=_describe(membership),
    )
    membership.delete()
