"""Redeployment: after sign-off the Head of Service or the Operational Director may move the new
Advanced Practitioner to another team, according to business need (the council's process, step 5),
before the worker is told. HR may still record it with the HR process.

The teams offered are those of the practitioner's organisation where people of their profession
work, so a social worker is not moved to a physiotherapy team by a slip of the list.
"""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import QuerySet

from preceptorship import access, audit
from preceptorship.models import Membership, Team, User
from preceptorship.notifications import notify
from progression import access as progression_access
from progression.models import ProgressionCase
from progression.services.cases import _lock

Role = Membership.Role
Stage = ProgressionCase.Stage

# Once signed off and until the worker is told: the move must be part of what they are told.
REDEPLOY_STAGES = (Stage.SIGNED_OFF, Stage.HR_RECORDED)
REDEPLOY_ROLES = (Role.HEAD_OF_SERVICE, Role.OPERATIONAL_DIRECTOR)


def redeployment_teams(case: ProgressionCase) -> QuerySet:
    """The teams the practitioner may be moved to: their organisation's, other than their own, where
    someone of their profession holds a role (every team when their profession is not recorded)."""
    teams = Team.objects.filter(organisation_id=case.organisation_id).exclude(pk=case.team_id)
    profession_id = case.practitioner.profession_id
    if profession_id:
        working = Membership.objects.filter(organisation_id=case.organisation_id,
                                            user__profession_id=profession_id, team__isnull=False)
        teams = teams.filter(pk__in=working.values("team_id"))
    return teams.order_by("name")


def redeploy_refusal(case: ProgressionCase, actor: User) -> str:
    """Why ``actor`` may not record a redeployment on ``case`` now, or ""."""
    if case.practitioner_id == actor.pk:
        return "You cannot record a redeployment on your own case."
    # The stage first: it needs no query, and most cases a page shows are at another stage.
    if case.stage not in REDEPLOY_STAGES:
        return (f"A redeployment is recorded after sign-off and before the worker is told (the case is now "
                f"“{case.get_stage_display()}”).")
    if not any(progression_access.holds_chain_role(actor, case, role) for role in REDEPLOY_ROLES):
        return ("Only the Head of Service or an Operational Director of the practitioner's organisation can "
                "record a redeployment.")
    return ""


def redeploy_told(case: ProgressionCase, actor: User) -> list[tuple[User, str]]:
    """Who a redeployment tells: the line manager (who tells the worker) and HR, never the actor."""
    people = [(case.line_manager, Role.LINE_MANAGER.label)]
    people += [(person, Role.HR.label) for person in access.people_in([case.organisation_id], Role.HR)
               .order_by("first_name", "last_name", "pk")]
    seen: set[int] = {actor.pk}
    told = []
    for person, role in people:
        if person is not None and person.pk not in seen:
            seen.add(person.pk)
            told.append((person, role))
    return told


def progression_case_redeploy(
    *, actor: User, case: ProgressionCase, team: Team | None, reason: str, expected_revision: int | None = None,
) -> ProgressionCase:
    """Record (or, with ``team=None``, take back) the team the practitioner moves to, with the reason."""
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError({"reason": "Enter the business need for the move."})
    with transaction.atomic():
        locked = _lock(case, expected_revision)
        refusal = redeploy_refusal(locked, actor)
        if refusal:
            raise ValidationError(refusal)
        if team is not None and not redeployment_teams(locked).filter(pk=team.pk).exists():
            raise ValidationError({"team": "Choose a team of the practitioner's organisation where their profession "
                                           "works."})
        before = locked.redeployed_to.name if locked.redeployed_to_id else ""
        locked.redeployed_to = team
        # A page loaded before the move (HR's record, say) would overwrite it: it is refused instead.
        locked.revision += 1
        locked.save(update_fields=["redeployed_to", "revision", "updated_at"])
        role = next(r for r in REDEPLOY_ROLES if progression_access.holds_chain_role(actor, locked, r))
        summary = (f"Redeployment to {team.name} recorded by the {Role(role).label}" if team is not None
                   else f"Redeployment taken back by the {Role(role).label}")
        audit.record(actor=actor, action="progression_case.redeploy", obj=locked, summary=summary,
                     before={"redeployed_to": before, "stage": locked.stage},
                     after={"redeployed_to": team.name if team is not None else "", "reason": reason})
        subject = (f"{locked.practitioner} moves to {team.name} with their progression: tell them" if team is not None
                   else f"{locked.practitioner} no longer moves team with their progression")
        for person, _ in redeploy_told(locked, actor):
            notify(recipient=person, kind="progression_case_redeployed",
                   about=f"progression.case:{locked.pk}:r{locked.revision}", subject=subject,
                   body=f"Business need: {reason}", url=locked.get_absolute_url(), essential=True)
    return locked
