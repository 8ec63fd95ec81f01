"""Writes to the organisation directory. Each change is atomic and audited."""

from __future__ import annotations

from typing import Any

from django.db import transaction

from preceptorship import audit
from preceptorship.models import Membership, Organisation, Team, User

PROFILE_FIELDS = ["first_name", "last_name", "job_title", "band", "email_reminders"]


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


@transaction.atomic
def membership_grant(
    *, actor: User | None, user: User, organisation: Organisation, role: str, team: Team | None = None
) -> Membership:
    if team is not None and team.organisation_id != organisation.pk:
        raise ValueError("The team must belong to the organisation.")
    membership, created = Membership.objects.get_or_create(
        user=user, organisation=organisation, role=role, team=team
    )
    if created:
        audit.record(
            actor=actor, action="membership.grant", obj=membership,
            summary=f"{user} is now {membership.get_role_display()} at {organisation}",
            after={"user": user.pk, "organisation": organisation.pk, "role": role, "team": team.pk if team else None},
        )
    return membership


@transaction.atomic
def membership_revoke(*, actor: User | None, membership: Membership) -> None:
    audit.record(
        actor=actor, action="membership.revoke", obj=membership,
        summary=f"{membership.user} is no longer {membership.get_role_display()} at {membership.organisation}",
        before={"user": membership.user_id, "organisation": membership.organisation_id, "role": membership.role},
    )
    membership.delete()
