"""Skills passports: a support worker tracks the skills of a passport (a framework of that kind, one
per band) themselves, and their line manager verifies each skill.

The worker records a skill as achieved with a date and an optional evidence note; it then waits for
verification. The manager verifies it or says "not yet", with a reason. A skill the worker changes
after it was verified (or refused) waits for verification again. Every change is audited.
"""

from __future__ import annotations

import datetime

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone

from preceptorship import access, audit
from preceptorship.errors import TransitionError
from preceptorship.models import Membership, User
from preceptorship.notifications import notify, tasks_done
from progression.models import Competency, Framework, PassportSkill, SkillsPassport

Role = Membership.Role
Verification = PassportSkill.Verification
MAX_NOTE = 4000


def _membership(worker: User) -> Membership | None:
    """The worker's practitioner role the passport belongs to (its organisation and team)."""
    held = [m for m in access.memberships(worker) if m.role == Role.PRACTITIONER]
    return held[0] if held else None


def passport_start(*, actor: User, framework: Framework) -> SkillsPassport:
    """The worker starts a passport of their own on a published skills passport."""
    if framework.kind != Framework.Kind.SKILLS_PASSPORT or framework.status != Framework.Status.PUBLISHED:
        raise ValidationError({"framework": "Choose a published skills passport."})
    membership = _membership(actor)
    if membership is None:
        raise PermissionDenied("Only a worker in a team can keep a skills passport.")
    with transaction.atomic():
        if SkillsPassport.objects.filter(worker=actor, framework__slug=framework.slug).exists():
            raise ValidationError({"framework": "You already have this skills passport."})
        try:
            with transaction.atomic():
                passport = SkillsPassport.objects.create(worker=actor, framework=framework,
                                                         organisation_id=membership.organisation_id,
                                                         team_id=membership.team_id)
        except IntegrityError:
            raise ValidationError({"framework": "You already have this skills passport."}) from None
        PassportSkill.objects.bulk_create(
            PassportSkill(passport=passport, competency=competency)
            for competency in Competency.objects.filter(section__framework=framework)
        )
        audit.record(actor=actor, action="skills_passport.start", obj=passport,
                     summary=f"Started the skills passport {framework.name}", subject=actor)
    return passport


def _locked_skill(passport: SkillsPassport, competency: Competency) -> PassportSkill:
    SkillsPassport.objects.select_for_update().get(pk=passport.pk)
    skill = (PassportSkill.objects.select_for_update().select_related("competency")
             .filter(passport=passport, competency=competency).first())
    if skill is None:
        raise ValidationError("Choose a skill of this passport.")
    return skill


def _verifiers(passport: SkillsPassport) -> list[User]:
    """The line managers who may verify the passport's skills (the same rule as the access policy)."""
    policy = access.policy_for(SkillsPassport)
    candidates = (User.objects.filter(memberships__organisation_id=passport.organisation_id,
                                      memberships__role=Role.LINE_MANAGER, is_active=True)
                  .exclude(pk=passport.worker_id).distinct().order_by("pk"))
    return [manager for manager in candidates if policy.allows(manager, passport, "verify")]


def _waiting_label(passport: SkillsPassport, skill: PassportSkill) -> str:
    return f"progression.passport:{passport.pk}:{skill.pk}"


def passport_skill_record(*, actor: User, passport: SkillsPassport, competency: Competency,
                          achieved_on: datetime.date | None, evidence_note: str = "") -> PassportSkill:
    """The worker records a skill as achieved, with the date and an optional evidence note. A change
    to a skill already verified or refused asks for verification again."""
    evidence_note = (evidence_note or "").strip()
    if achieved_on is None:
        raise ValidationError({"achieved_on": "Enter the date you achieved the skill."})
    if achieved_on > timezone.localdate():
        raise ValidationError({"achieved_on": "The date you achieved the skill cannot be in the future."})
    if len(evidence_note) > MAX_NOTE:
        raise ValidationError({"evidence_note": f"The evidence note must be {MAX_NOTE} characters or fewer."})
    with transaction.atomic():
        access.forget(actor)
        if not access.policy_for(SkillsPassport).allows(actor, passport, "record"):
            raise TransitionError("Only the worker records the skills of their own passport.")
        skill = _locked_skill(passport, competency)
        if (skill.achieved_on, skill.evidence_note) == (achieved_on, evidence_note) and skill.recorded_at:
            return skill
        before = audit.snapshot(skill, ["achieved_on", "evidence_note", "verification"])
        skill.achieved_on, skill.evidence_note, skill.recorded_at = achieved_on, evidence_note, timezone.now()
        skill.verification = Verification.WAITING
        skill.verification_reason, skill.verified_by, skill.verified_at = "", None, None
        skill.full_clean()
        skill.save()
        again = " (changed after verification: to verify again)" if before["verification"] in (
            Verification.VERIFIED, Verification.NOT_YET) else ""
        audit.record(actor=actor, action="skills_passport.record", obj=passport,
                     summary=f"{skill.competency.code} recorded as achieved{again}", before=before,
                     after=audit.snapshot(skill, list(before)), subject=passport.worker)
        # Each recording (a revision stamped with its time) asks the line managers to verify it.
        revision = int(skill.recorded_at.timestamp() * 1_000_000)
        worker = passport.worker.get_full_name() or passport.worker.email
        for manager in _verifiers(passport):
            notify(recipient=manager, kind="skills_passport_waiting",
                   about=f"{_waiting_label(passport, skill)}:r{revision}",
                   subject=f"{worker} has recorded {skill.competency.code}{' again' if again else ''}: "
                           "waiting for your verification",
                   body=skill.competency.statement,
                   url=passport.get_absolute_url())
    return skill


def passport_skill_verify(*, actor: User, passport: SkillsPassport, competency: Competency, verified: bool,
                          reason: str = "") -> PassportSkill:
    """The line manager verifies a recorded skill, or says "not yet" with a reason."""
    reason = (reason or "").strip()
    if not verified and not reason:
        raise ValidationError({"reason": "Say why the skill is not yet verified."})
    if len(reason) > MAX_NOTE:
        raise ValidationError({"reason": f"The reason must be {MAX_NOTE} characters or fewer."})
    with transaction.atomic():
        access.forget(actor)
        if not access.policy_for(SkillsPassport).allows(actor, passport, "verify"):
            raise TransitionError("Only the worker's line manager verifies the skills of their passport.")
        skill = _locked_skill(passport, competency)
        if skill.verification == Verification.NOT_RECORDED:
            raise TransitionError(f"{skill.competency.code} is not recorded as achieved yet: nothing to verify.")
        before = audit.snapshot(skill, ["verification", "verification_reason"])
        skill.verification = Verification.VERIFIED if verified else Verification.NOT_YET
        skill.verification_reason, skill.verified_by, skill.verified_at = reason, actor, timezone.now()
        skill.full_clean()
        skill.save()
        audit.record(actor=actor, action="skills_passport.verify", obj=passport,
                     summary=f"{skill.competency.code}: {skill.get_verification_display().lower()}",
                     before=before, after=audit.snapshot(skill, list(before)), subject=passport.worker)
        for manager in _verifiers(passport):
            tasks_done(recipient=manager, about=_waiting_label(passport, skill), kinds=("skills_passport_waiting",))
        notify(recipient=passport.worker, kind="skills_passport_verified",
               about=f"progression.passport:{passport.pk}:{skill.pk}:{skill.verified_at.isoformat()}",
               subject=f"Your manager has {'verified' if verified else 'not yet verified'} {skill.competency.code}",
               body=reason, url=passport.get_absolute_url())
    return skill
