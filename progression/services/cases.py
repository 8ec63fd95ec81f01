"""Writes for progression cases and the sign-off chain.

Every state change locks the case row (``select_for_update``), checks the stage and the actor's
role on the locked row, writes an append-only Decision and an audit entry, and tells the next
person. Two people acting on the same step at once: the second waits for the lock, then finds
the stage moved on and gets a ``TransitionError``.
"""

from __future__ import annotations

import datetime
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.base import ContentFile
from django.core.files.uploadedfile import UploadedFile
from django.db import IntegrityError, transaction
from django.db.models import Count
from django.urls import reverse
from django.utils import timezone

from preceptorship import access, audit
from preceptorship.errors import TransitionError
from preceptorship.models import Membership, Organisation, Team, User
from preceptorship.notifications import notify, tasks_done
from progression import access as progression_access
from progression import evidence_links, line_managers
from progression.models import (
    Competency,
    CompetencyAssessment,
    CompetencyMark,
    Decision,
    Evidence,
    Framework,
    ProgressionCase,
)
from progression.uploads import check_upload

Role = Membership.Role
Stage = ProgressionCase.Stage
Status = CompetencyAssessment.Status



class StaleCaseError(TransitionError):
    """The case moved on since the page was loaded."""




def _case_url(case: ProgressionCase) -> str:
    return reverse("progression:case-detail", args=[case.pk])


def _tell(people: Any, case: ProgressionCase, kind: str, subject: str, body: str = "") -> None:
    seen: set[int] = set()
    for person in people:
        if person is None or person.pk in seen:
            continue
        seen.add(person.pk)
        # The revision in the key lets a returned-and-resubmitted case tell people again.
        notify(recipient=person, kind=kind, about=f"progression.case:{case.pk}:r{case.revision}",
               subject=subject, body=body, url=_case_url(case), essential=True)


# The steps that tell people, and whom each tells: the services below tell exactly ``told_of``'s people,
# and a step's check page names them before it is taken.
STEPS_TOLD = ("submit", "recommend", "hos_return", "sign_off", "od_return", "decline", "hr_record",
              "record_told", "confirm", "withdraw")


def told_of(case: ProgressionCase, step: str, *, actor: User) -> list[tuple[User, str]]:
    """Who ``step`` on ``case`` tells, as (person, role), each once, in the order they are told."""
    if step not in STEPS_TOLD:
        raise ValueError(f"Unknown step {step!r}")
    practitioner = (case.practitioner, Role.PRACTITIONER.label)
    manager = (case.line_manager, Role.LINE_MANAGER.label)
    head = (case.head_of_service, Role.HEAD_OF_SERVICE.label)

    def holding(role: str) -> list[tuple[User, str]]:
        people = access.people_in([case.organisation_id], role).order_by("first_name", "last_name", "pk")
        return [(person, Role(role).label) for person in people]

    people = {
        "submit": lambda: [head],
        "recommend": lambda: holding(Role.OPERATIONAL_DIRECTOR),
        "hos_return": lambda: [manager, practitioner],
        "sign_off": lambda: [practitioner, *holding(Role.HR), manager, head],
        "od_return": lambda: [manager, practitioner, head],
        "decline": lambda: [manager, practitioner, head],
        "hr_record": lambda: [manager],
        "record_told": lambda: holding(Role.HR),
        "confirm": lambda: [practitioner] + ([manager] if case.line_manager_id != actor.pk else []),
        "withdraw": lambda: [practitioner, head],
    }[step]()
    seen: set[int] = set()
    told = []
    for person, role in people:
        if person is not None and person.pk not in seen:
            seen.add(person.pk)
            told.append((person, role))
    return told


def _people(told: list[tuple[User, str]]) -> list[User]:
    return [person for person, _ in told]


def progression_case_open(
    *,
    actor: User,
    practitioner: User,
    framework: Framework,
    target_role: str,
    head_of_service: User,
    organisation: Organisation,
    team: Team | None = None,
) -> ProgressionCase:
    """Open a case: a line manager opens it for their practitioner (and manages it), or a
    practitioner opens their own for their manager to take up."""
    if framework.status != Framework.Status.PUBLISHED:
        raise ValidationError("Cases can only be opened on a published framework.")
    misfit = framework_fit_refusal(framework, practitioner)
    if misfit:
        raise ValidationError({"framework": misfit})
    if head_of_service.pk == practitioner.pk:
        raise ValidationError("The Head of Service cannot be the practitioner.")
    if not access.has_role(head_of_service, Role.HEAD_OF_SERVICE, organisation=organisation):
        raise ValidationError("The Head of Service must hold that role in the practitioner's organisation.")
    by_practitioner = actor.pk == practitioner.pk
    if not by_practitioner and not access.has_role(actor, Role.LINE_MANAGER, organisation=organisation):
        raise PermissionDenied("Only a line manager or the practitioner can open a progression case.")
    if team is not None and team.organisation_id != organisation.pk:
        raise ValidationError("The team must belong to the practitioner's organisation.")
    if not by_practitioner and not line_managers.may_manage(
            actor, practitioner, organisation_id=organisation.pk, team_id=team.pk if team else None):
        raise PermissionDenied(
            "You can open a progression case only for a practitioner in your team or someone you line manage."
        )
    with transaction.atomic():
        _refuse_second_open_case(practitioner, framework)
        case = ProgressionCase(
            practitioner=practitioner,
            organisation=organisation,
            team=team,
            framework=framework,
            target_role=target_role.strip(),
            line_manager=None if by_practitioner else actor,
            head_of_service=head_of_service,
            opened_by=actor,
        )
        case.full_clean()
        try:
            # The partial unique constraint catches two cases opened at the same instant.
            with transaction.atomic():
                case.save()
        except IntegrityError:
            raise ValidationError(_SECOND_OPEN_CASE.format(practitioner=practitioner)) from None
        competencies = Competency.objects.filter(section__framework=framework)
        CompetencyAssessment.objects.bulk_create(CompetencyAssessment(case=case, competency=c) for c in competencies)
        _decide(case, actor=actor, role=Role.PRACTITIONER if by_practitioner else Role.LINE_MANAGER,
                decision=Decision.Kind.OPENED, to_stage=Stage.DRAFT, comment="")
        audit.record(actor=actor, action="progression_case.open", obj=case, summary=f"Opened {case}")
        if by_practitioner:
            managers = access.people_in([organisation.pk], Role.LINE_MANAGER)
            if team is not None:
                managers = managers.filter(memberships__team=team, memberships__role=Role.LINE_MANAGER)
            _tell(managers, case, "progression_case_take_up",
                  f"{practitioner} has opened a progression case for you to take up")
        else:
            _tell([practitioner], case, "progression_case_opened",
                  f"Your manager has opened a progression case: {case.target_role}")
    return case


def _level(text: str) -> str:
    return " ".join((text or "").split()).casefold()


def framework_fit_refusal(framework: Framework, practitioner: User) -> str:
    """Why ``framework`` does not suit ``practitioner`` (their profession, or their current band or
    range against the level it starts from), or "". A framework that records neither suits everyone;
    a practitioner whose band is not recorded is not refused on it, since nothing contradicts it."""
    name = practitioner.get_full_name() or practitioner.email
    if framework.kind == Framework.Kind.SKILLS_PASSPORT:
        return (f"{framework.name} is a skills passport: the worker tracks it themselves from their skills "
                "passports page, not through a progression case.")
    professions = list(framework.professions.all())
    if professions and practitioner.profession_id not in {p.pk for p in professions}:
        wanted = " or ".join(sorted(p.name.lower() for p in professions))
        held = (f"{name}'s profession is {practitioner.profession.name.lower()}" if practitioner.profession_id
                else f"{name} has no profession recorded")
        return f"Choose a framework for {name}'s profession: {framework.name} is for {wanted}, and {held}."
    if framework.from_level and practitioner.band and _level(framework.from_level) != _level(practitioner.band):
        return (f"Choose a framework that starts from {name}'s current band or range ({practitioner.band}): "
                f"{framework.name} starts from {framework.from_level}.")
    return ""


_SECOND_OPEN_CASE = ("{practitioner} already has an open progression case on this framework: finish it "
                     "(confirmed or declined) before opening another.")


def _refuse_second_open_case(practitioner: User, framework: Framework) -> None:
    """At most one open case per practitioner and framework, whichever version the open one is on."""
    open_cases = ProgressionCase.objects.filter(practitioner=practitioner, framework__slug=framework.slug).exclude(
        stage__in=line_managers.FINISHED_STAGES)
    if open_cases.exists():
        raise ValidationError(_SECOND_OPEN_CASE.format(practitioner=practitioner))


def _lock(case: ProgressionCase, expected_revision: int | None) -> ProgressionCase:
    """The case, locked for the rest of the transaction: every change to a case, its marks,
    evidence or decisions is made under this lock, so two changes to one case never interleave.
    ``expected_revision``: the revision the person saw, refused if the case moved on since."""
    locked = ProgressionCase.objects.select_for_update().get(pk=case.pk)
    if expected_revision is not None and locked.revision != expected_revision:
        raise StaleCaseError(
            f"This case changed since you loaded the page: it is now “{locked.get_stage_display()}”. "
            "Check the case as it stands now."
        )
    return locked


def _require(actor: User, case: ProgressionCase, action: str, message: str) -> None:
    access.forget(actor)
    if not access.policy_for(ProgressionCase).allows(actor, case, action):
        if case.practitioner_id == actor.pk and action not in ("add_evidence", "worker_comment", "statement",
                                                                   "self_rate"):
            raise PermissionDenied("You cannot take this step on your own case.")
        raise TransitionError(message)


def _decide(
    case: ProgressionCase, *, actor: User, role: str, decision: str, to_stage: str, comment: str,
    from_stage: str = "", on_behalf_of: User | None = None,
) -> Decision:
    return Decision.objects.create(case=case, actor=actor, role=role, decision=decision,
                                   from_stage=from_stage, to_stage=to_stage, comment=comment,
                                   on_behalf_of=on_behalf_of)


def _record_step(case: ProgressionCase, *, actor: User, role: str, kind: str, from_stage: str, comment: str,
                 summary: str, on_behalf_of: User | None = None) -> None:
    """The append-only decision and the audit entry every step of the chain leaves behind."""
    _decide(case, actor=actor, role=role, decision=kind, from_stage=from_stage, to_stage=case.stage, comment=comment,
            on_behalf_of=on_behalf_of)
    audit.record(actor=actor, action=f"progression_case.{kind}", obj=case, summary=summary,
                 before={"stage": from_stage}, after={"stage": case.stage})
    # Whatever the case asked of this person (at any revision) is done once they take a step.
    tasks_done(recipient=actor, about=f"progression.case:{case.pk}")


# Separation of duties: the four steps that decide a progression (a pay rise) are taken by four
# different people. Whoever took one of them on a case, at any time in its history (a returned and
# resubmitted case included), takes none of the other three on it.
SUBMISSION, RECOMMENDATION, SIGN_OFF, HR_RECORD = "submission", "recommendation", "sign-off", "HR record"
DUTY_PHRASES = {
    SUBMISSION: ("submitted this case", "submit it"),
    RECOMMENDATION: ("took the Head of Service's decision on this case", "take the Head of Service's decision"),
    SIGN_OFF: ("took the Operational Director's decision on this case", "take the Operational Director's decision"),
    HR_RECORD: ("recorded the HR process for this case", "record the HR process"),
}


def _duty(decision: str, role: str) -> str | None:
    if decision == Decision.Kind.SUBMITTED:
        return SUBMISSION
    if decision == Decision.Kind.HR_RECORDED:
        return HR_RECORD
    if role == Role.HEAD_OF_SERVICE and decision in (Decision.Kind.RECOMMENDED, Decision.Kind.RETURNED):
        return RECOMMENDATION
    if role == Role.OPERATIONAL_DIRECTOR and decision in (
        Decision.Kind.SIGNED_OFF, Decision.Kind.DECLINED, Decision.Kind.RETURNED
    ):
        return SIGN_OFF
    return None


def duties_taken(case: ProgressionCase, actor: User, decisions: Iterable[Decision] | None = None) -> set[str]:
    """The deciding steps ``actor`` has taken on ``case``; from ``decisions``, all the case's
    decisions, when the caller has read them already (the case page's history)."""
    if decisions is None:
        taken: Iterable[tuple[str, str]] = Decision.objects.filter(case=case, actor=actor).values_list(
            "decision", "role")
    else:
        taken = [(d.decision, d.role) for d in decisions if d.case_id == case.pk and d.actor_id == actor.pk]
    return {duty for decision, role in taken if (duty := _duty(decision, role))}


def separation_refusal(case: ProgressionCase, actor: User, duty: str,
                       decisions: Iterable[Decision] | None = None) -> str:
    """Why ``actor`` may not take ``duty`` on ``case`` (another of the four steps is theirs), or "".
    ``decisions``: as for ``duties_taken``."""
    others = sorted(duties_taken(case, actor, decisions) - {duty})
    if duty == SUBMISSION and case.head_of_service_id == actor.pk:
        return ("You are named as the Head of Service on this case, so you cannot also submit it. The steps that "
                "decide a progression are taken by different people.")
    if not others:
        return ""
    took = DUTY_PHRASES[others[0]][0]
    return (f"You {took}, so someone else must {DUTY_PHRASES[duty][1]}: submission, the Head of Service's "
            "recommendation, the sign-off and the HR record of one case are taken by four different people.")


def _separate(case: ProgressionCase, actor: User, duty: str) -> None:
    refusal = separation_refusal(case, actor, duty)
    if refusal:
        raise TransitionError(refusal)


def _move(case: ProgressionCase, *, to_stage: str, extra_fields: list[str] | None = None) -> str:
    from_stage = case.stage
    case.stage = to_stage
    case.stage_changed_at = timezone.now()
    case.revision += 1
    case.full_clean()
    case.save(update_fields=["stage", "stage_changed_at", "revision", "updated_at", *(extra_fields or [])])
    return from_stage


def progression_case_take_up(*, actor: User, case: ProgressionCase, expected_revision: int | None = None
                             ) -> ProgressionCase:
    with transaction.atomic():
        locked = _lock(case, expected_revision)
        _require(actor, locked, "take_up", "This case already has a line manager.")
        locked.line_manager = actor
        locked.revision += 1
        locked.save(update_fields=["line_manager", "revision", "updated_at"])
        _decide(locked, actor=actor, role=Role.LINE_MANAGER, decision=Decision.Kind.TAKEN_UP,
                from_stage=locked.stage, to_stage=locked.stage, comment="")
        audit.record(actor=actor, action="progression_case.take_up", obj=locked,
                     summary="Line manager took up the case")
        _tell([locked.practitioner], locked, "progression_case_taken_up", f"{actor} has taken up your progression case")
    return locked


def competency_mark(
    *,
    actor: User,
    case: ProgressionCase,
    competency: Competency,
    status: str,
    reached_on: datetime.date | None,
    comment: str,
) -> CompetencyAssessment:
    """The manager marks where a competency stands, with a comment; every mark is kept."""
    if status not in Status.values:
        raise ValidationError({"status": "Choose whether the competency is reached."})
    if reached_on and reached_on > timezone.localdate():
        raise ValidationError({"reached_on": "The date reached cannot be in the future."})
    if status in CompetencyAssessment.MET and not comment.strip():
        raise ValidationError({"comment": "Say why the competency is reached or exceeded."})
    with transaction.atomic():
        locked = _lock(case, None)
        _require(actor, locked, "mark", "Only the line manager can mark competencies, while the case is a draft.")
        if status in CompetencyAssessment.MET:
            needed = locked.framework.evidence_per_competency
            held = evidence_counts(locked).get(competency.pk, 0)
            if held < needed:
                raise ValidationError({"status": (
                    f"{competency.code} needs {_pieces(needed)} of dated evidence before it can be marked "
                    f"{STATUS_WORDS[status]}; it has {held}. Add the evidence first.")})
        assessment = CompetencyAssessment.objects.select_for_update().get(case=locked, competency=competency)
        before = audit.snapshot(assessment, ["status", "reached_on", "manager_comment"])
        assessment.status = status
        assessment.reached_on = reached_on if status in CompetencyAssessment.MET else None
        if status in CompetencyAssessment.MET and assessment.reached_on is None:
            assessment.reached_on = timezone.localdate()
        assessment.manager_comment = comment.strip()
        assessment.marked_by = actor
        assessment.marked_at = timezone.now()
        assessment.full_clean()
        assessment.save()
        CompetencyMark.objects.create(assessment=assessment, status=status, reached_on=assessment.reached_on,
                                      comment=assessment.manager_comment, marked_by=actor)
        _statement_out_of_date(locked)
        if [m.code for m in missing_for_submission(locked)] == [""]:
            # Only their statement is missing now: the practitioner is asked to read the table.
            _tell([locked.practitioner], locked, "progression_case_statement_wanted",
                  "Read your progression case's table and add your comments or say you agree",
                  "Your line manager cannot submit the case to the Head of Service until you have.")
        audit.record(actor=actor, action="progression_case.mark", obj=locked,
                     summary=f"{competency.code} marked {assessment.get_status_display()}", before=before,
                     after=audit.snapshot(assessment, list(before)))
    return assessment


def competency_worker_comment(
    *, actor: User, case: ProgressionCase, competency: Competency, comment: str
) -> CompetencyAssessment:
    with transaction.atomic():
        locked = _lock(case, None)
        _require(actor, locked, "worker_comment",
                 "Only the practitioner can add their comments, while the case is a draft.")
        assessment = CompetencyAssessment.objects.select_for_update().get(case=locked, competency=competency)
        assessment.worker_comment = comment.strip()
        assessment.save(update_fields=["worker_comment"])
        audit.record(actor=actor, action="progression_case.worker_comment", obj=locked,
                     summary=f"Worker comment on {competency.code}")
    return assessment


def evidence_add(
    *,
    actor: User,
    case: ProgressionCase,
    title: str,
    example_date: datetime.date,
    description: str,
    competencies: list[Competency],
    upload: UploadedFile | None = None,
    link: str = evidence_links.NO_LINK,
) -> Evidence:
    """A dated example, optionally with a file and a link to one of the practitioner's reflections or
    review meetings (``progression.evidence_links``: only records the actor may open)."""
    if example_date > timezone.localdate():
        raise ValidationError({"example_date": "The date of the example cannot be in the future."})
    if not competencies:
        raise ValidationError({"competencies": "Choose at least one competency this example shows."})
    if any(c.section.framework_id != case.framework_id for c in competencies):
        raise ValidationError({"competencies": "Choose competencies from this case's framework."})
    content_type = check_upload(upload) if upload is not None else ""
    with transaction.atomic():
        locked = _lock(case, None)
        _require(actor, locked, "add_evidence", "Evidence can only be added while the case is a draft.")
        attach_link = evidence_links.resolve(actor=actor, case=locked, value=link)
        evidence = Evidence(
            case=locked, title=title.strip(), example_date=example_date, description=description.strip(),
            added_by=actor,
        )
        if upload is not None:
            evidence.original_filename = (upload.name or "evidence")[-255:]
            evidence.content_type = content_type
            evidence.size = upload.size
            evidence.file.save(upload.name or "evidence", upload, save=False)
        evidence.full_clean()
        evidence.save()
        evidence.competencies.set(competencies)
        if attach_link is not None:
            attach_link(evidence)
        asked_again = _evidence_changed(locked, actor=actor)
        after = {**({"link": link} if link else {}), **({"statement": "out of date"} if asked_again else {})}
        audit.record(actor=actor, action="progression_case.evidence_add", obj=locked,
                     summary=f"Evidence added: {evidence.title}", after=after or None)
    return evidence


def evidence_delete(*, actor: User, evidence: Evidence) -> None:
    """Remove evidence added by mistake: whoever added it or the line manager, while the case is a
    draft (a returned case is a draft again). Its file leaves the storage once the deletion commits."""
    with transaction.atomic():
        case = _lock(evidence.case, None)
        item = Evidence.objects.select_for_update().filter(pk=evidence.pk, case=case).first()
        if item is None:
            raise TransitionError("This evidence has already been deleted.")
        item.case = case
        access.forget(actor)
        if not access.policy_for(Evidence).allows(actor, item, "delete"):
            raise TransitionError("Evidence can be deleted only by whoever added it or the line manager, "
                                  f"while the case is a draft (it is now “{case.get_stage_display()}”).")
        before = {"title": item.title, "example_date": item.example_date, "file": item.original_filename,
                  "competencies": sorted(item.competencies.values_list("code", flat=True))}
        stored, storage = item.file.name, item.file.storage
        item.delete()
        asked_again = _evidence_changed(case, actor=actor)
        audit.record(actor=actor, action="progression_case.evidence_delete", obj=case,
                     summary=f"Evidence deleted: {before['title']}", before=before,
                     after={"statement": "out of date"} if asked_again else None)
        if stored:
            transaction.on_commit(lambda: storage.delete(stored))


STATUS_WORDS = {Status.REACHED: "reached", Status.EXCEEDED: "exceeded"}


def _pieces(count: int) -> str:
    return f"{count} piece{'' if count == 1 else 's'}"


def evidence_counts(case: ProgressionCase) -> dict[int, int]:
    """How many dated pieces of evidence the case holds for each competency (by competency id)."""
    links = (Evidence.competencies.through.objects.filter(evidence__case_id=case.pk)
             .values("competency_id").annotate(n=Count("pk")).order_by())
    return {row["competency_id"]: row["n"] for row in links}


@dataclass(frozen=True)
class MissingItem:
    """One thing a case lacks before it can be submitted: a competency (code, section and what it
    lacks), or the practitioner's statement (no code)."""

    what: str
    code: str = ""
    section: str = ""
    competency_id: int | None = None


# What ``missing_for_submission`` reads of each competency of the case.
MISSING_VALUES = (
    "competency_id", "competency__code", "competency__section__title", "competency__section__required_for_sign_off",
    "status", "self_status", "settled_at", "settled_self_status", "settled_status",
)


def missing_for_submission(case: ProgressionCase, counts: dict[int, int] | None = None,
                           rows: Iterable[dict[str, Any]] | None = None) -> list[MissingItem]:
    """What the case lacks before it can be submitted, competency by competency (each competency of the
    required sections reached or exceeded, with the framework's number of dated pieces of evidence; on a
    self-assessed framework, every competency rated by the practitioner and every disagreement settled),
    then the practitioner's statement on the table.

    ``rows``: the case's competencies in the table's order as values holding ``MISSING_VALUES``
    (``selectors.case_table_values``), when the caller has read them already; read here otherwise."""
    counts = evidence_counts(case) if counts is None else counts
    needed = case.framework.evidence_per_competency
    self_assessed = case.framework.self_assessed
    missing = []
    if rows is None:
        read = CompetencyAssessment.objects.filter(case=case)
        if not self_assessed:
            read = read.filter(competency__section__required_for_sign_off=True)
        rows = read.order_by("competency__section__order", "competency__order").values(*MISSING_VALUES)
    for row in rows:
        required = row["competency__section__required_for_sign_off"]
        if not (required or self_assessed):
            continue
        held = counts.get(row["competency_id"], 0)
        lacks = []
        if required:
            if row["status"] not in CompetencyAssessment.MET:
                lacks.append(f"not yet reached (it is “{STATUS_LABELS.get(row['status'], row['status']).lower()}”)")
            if held < needed:
                lacks.append(f"{held} of {_pieces(needed)} of dated evidence")
        if self_assessed:
            lacks.extend(_self_assessment_lacks(CompetencyAssessment(
                status=row["status"], self_status=row["self_status"], settled_at=row["settled_at"],
                settled_self_status=row["settled_self_status"], settled_status=row["settled_status"])))
        if lacks:
            missing.append(MissingItem(" and ".join(lacks), row["competency__code"],
                                       row["competency__section__title"], row["competency_id"]))
    if not case.statement:
        missing.append(MissingItem(
            "The practitioner has not yet read the table and added their comments or agreed, or the table "
            "changed after they did (or their line manager has not recorded why they could not)."))
    return missing


STATUS_LABELS = dict(CompetencyAssessment.Status.choices)


def _self_assessment_lacks(row: CompetencyAssessment) -> list[str]:
    """What one competency of a self-assessed case lacks: the practitioner's own rating, or the
    settlement of their disagreement with the manager (``services.self_assessment``)."""
    if not row.self_status:
        return ["not yet rated by the practitioner"]
    if row.needs_settling:
        return [f"the practitioner rates it “{row.get_self_status_display().lower()}” and the manager "
                f"“{row.get_status_display().lower()}”: the disagreement is not settled"]
    return []


def _missing_message(missing: list[MissingItem]) -> str:
    parts = [f"{m.code} ({m.section}): {m.what}" if m.code else m.what for m in missing]
    return "The case cannot be submitted yet. Still missing: " + "; ".join(parts)


def submission_refusal(case: ProgressionCase, actor: User) -> str:
    """Why ``actor`` may not submit ``case`` as it stands (what ``progression_case_submit`` refuses), or "":
    the page that asks them to check before submitting says it first."""
    refusal = separation_refusal(case, actor, SUBMISSION)
    if refusal:
        return refusal
    missing = missing_for_submission(case)
    return _missing_message(missing) if missing else ""


def progression_case_submit(*, actor: User, case: ProgressionCase, comment: str = "",
                            expected_revision: int | None = None) -> ProgressionCase:
    with transaction.atomic():
        locked = _lock(case, expected_revision)
        _require(actor, locked, "submit", "Only the line manager can submit the case, while it is a draft.")
        _separate(locked, actor, SUBMISSION)
        missing = missing_for_submission(locked)
        if missing:
            raise ValidationError([_missing_message(missing)])
        CompetencyAssessment.objects.filter(case=locked, flagged_on_return=True).update(flagged_on_return=False)
        from_stage = _move(locked, to_stage=Stage.SUBMITTED)
        _record_step(locked, actor=actor, role=Role.LINE_MANAGER, kind=Decision.Kind.SUBMITTED,
                     from_stage=from_stage, comment=comment.strip(), summary="Submitted to the Head of Service")
        _tell(_people(told_of(locked, "submit", actor=actor)), locked, "progression_case_submitted",
              f"Progression case for {locked.practitioner} is waiting for your recommendation")
    return locked


def _require_comment(comment: str, what: str) -> str:
    if not comment.strip():
        raise ValidationError({"comment": f"Give the reasons to {what}."})
    return comment.strip()


def _returned_competencies(case: ProgressionCase, competencies: Any) -> list[Competency]:
    chosen = list(competencies or [])
    if any(c.section.framework_id != case.framework_id for c in chosen):
        raise ValidationError({"competencies": "Choose competencies from this case's framework."})
    return chosen


def _point_at(case: ProgressionCase, chosen: list[Competency], comment: str) -> str:
    """Flag the competencies a return points at (only these), and the comment naming them."""
    CompetencyAssessment.objects.filter(case=case).update(flagged_on_return=False)
    if not chosen:
        return comment
    CompetencyAssessment.objects.filter(case=case, competency__in=chosen).update(flagged_on_return=True)
    return f"{comment}\nCompetencies concerned: {', '.join(c.code for c in chosen)}"


def progression_case_hos_decide(*, actor: User, case: ProgressionCase, recommend: bool, comment: str = "",
                                expected_revision: int | None = None, competencies: Any = ()
                                ) -> ProgressionCase:
    """The Head of Service recommends the case to the Operational Director, or returns it (pointing at
    ``competencies`` concerned, if any)."""
    if not recommend:
        comment = _require_comment(comment, "return the case")
    elif competencies:
        raise ValidationError({"competencies": "Competencies are pointed at only when the case is returned."})
    chosen = _returned_competencies(case, competencies)
    with transaction.atomic():
        locked = _lock(case, expected_revision)
        _require(actor, locked, "hos_decide",
                 f"Only the Head of Service named on the case ({locked.head_of_service}), or a Head of Service they "
                 f"have delegated their decisions to, can take this step, and only while the case is with the Head "
                 f"of Service (it is now “{locked.get_stage_display()}”).")
        _separate(locked, actor, RECOMMENDATION)
        delegation = progression_access.delegation_for(actor, locked)
        if recommend:
            from_stage = _move(locked, to_stage=Stage.RECOMMENDED)
            kind = Decision.Kind.RECOMMENDED
            _tell(_people(told_of(locked, "recommend", actor=actor)), locked, "progression_case_recommended",
                  f"Progression case for {locked.practitioner} is waiting for your sign-off")
        else:
            locked.return_reasons = comment
            locked.returned_by_role = Role.HEAD_OF_SERVICE
            _clear_statement(locked)
            comment = _point_at(locked, chosen, comment)
            from_stage = _move(locked, to_stage=Stage.DRAFT,
                               extra_fields=["return_reasons", "returned_by_role", *STATEMENT_FIELDS])
            kind = Decision.Kind.RETURNED
            _tell(_people(told_of(locked, "hos_return", actor=actor)), locked, "progression_case_returned",
                  "A progression case was returned by the Head of Service", comment)
        on_behalf = ""
        if delegation is not None:
            on_behalf = (f" for {delegation.delegator}, who delegated their decisions until "
                         f"{delegation.ends_on:%-d %B %Y}")
        _record_step(locked, actor=actor, role=Role.HEAD_OF_SERVICE, kind=kind, from_stage=from_stage,
                     comment=comment.strip(), summary=f"Head of Service: {kind}{on_behalf}",
                     on_behalf_of=delegation.delegator if delegation else None)
    return locked


def progression_case_od_decide(*, actor: User, case: ProgressionCase, decision: str, comment: str = "",
                               expected_revision: int | None = None, competencies: Any = ()
                               ) -> ProgressionCase:
    """The Operational Director signs off, returns (back to draft, pointing at ``competencies``
    concerned, if any) or declines (final) the case."""
    if decision not in ("sign_off", "return", "decline"):
        raise ValidationError({"decision": "Choose whether to sign off, return or decline the case."})
    if decision in ("return", "decline"):
        comment = _require_comment(comment, f"{decision} the case")
    if competencies and decision != "return":
        raise ValidationError({"competencies": "Competencies are pointed at only when the case is returned."})
    chosen = _returned_competencies(case, competencies)
    with transaction.atomic():
        locked = _lock(case, expected_revision)
        _require(actor, locked, "od_decide",
                 f"Only an Operational Director of the practitioner's organisation can take this step, and only while "
                 f"the case is with the Operational Director (it is now “{locked.get_stage_display()}”).")
        _separate(locked, actor, SIGN_OFF)
        if decision == "sign_off":
            from_stage = _move(locked, to_stage=Stage.SIGNED_OFF)
            kind = Decision.Kind.SIGNED_OFF
            # The practitioner first, in their own words (the same key twice is a no-op): their manager
            # tells them in person before anything arrives in writing, so this only says that it will happen.
            _tell([locked.practitioner], locked, "progression_case_signed_off",
                  "Your progression case has been signed off",
                  "Your progression case has been signed off by the Operational Director. Your manager will "
                  "talk to you about it, and you will then get a letter confirming it in writing.")
            _tell([person for person in _people(told_of(locked, "sign_off", actor=actor))
                   if person.pk != locked.practitioner_id], locked, "progression_case_signed_off",
                  f"Progression case for {locked.practitioner} is signed off")
        else:
            # Returned goes back to the manager as a draft; declined is final. Both keep the reasons.
            locked.return_reasons = comment
            locked.returned_by_role = Role.OPERATIONAL_DIRECTOR
            to_stage = Stage.DRAFT if decision == "return" else Stage.DECLINED
            extra = ["return_reasons", "returned_by_role"]
            if decision == "return":
                _clear_statement(locked)
                comment = _point_at(locked, chosen, comment)
                extra += STATEMENT_FIELDS
            from_stage = _move(locked, to_stage=to_stage, extra_fields=extra)
            kind = Decision.Kind.RETURNED if decision == "return" else Decision.Kind.DECLINED
            _tell(_people(told_of(locked, "od_return" if decision == "return" else "decline", actor=actor)),
                  locked, f"progression_case_{kind}", f"A progression case was {kind} by the Operational Director",
                  comment)
        _record_step(locked, actor=actor, role=Role.OPERATIONAL_DIRECTOR, kind=kind, from_stage=from_stage,
                     comment=comment.strip(), summary=f"Operational Director: {kind}")
    return locked


def progression_case_hr_record(
    *,
    actor: User,
    case: ProgressionCase,
    hr_reference: str,
    effective_date: datetime.date,
    redeployed_to: Team | None = None,
    comment: str = "",
    expected_revision: int | None = None,
) -> ProgressionCase:
    if not hr_reference.strip():
        raise ValidationError({"hr_reference": "Enter the HR/payroll reference."})
    if effective_date is None:
        raise ValidationError({"effective_date": "Enter the date the new role takes effect."})
    with transaction.atomic():
        locked = _lock(case, expected_revision)
        _require(actor, locked, "hr_record",
                 f"Only HR of the practitioner's organisation can record the HR process, and only once the case is "
                 f"signed off (it is now “{locked.get_stage_display()}”).")
        _separate(locked, actor, HR_RECORD)
        if redeployed_to is not None and redeployed_to.organisation_id != locked.organisation_id:
            raise ValidationError({"redeployed_to": "Choose a team in the practitioner's organisation."})
        locked.hr_reference = hr_reference.strip()
        locked.effective_date = effective_date
        locked.redeployed_to = redeployed_to
        from_stage = _move(locked, to_stage=Stage.HR_RECORDED,
                           extra_fields=["hr_reference", "effective_date", "redeployed_to"])
        detail = f"Reference {locked.hr_reference}, effective {effective_date:%-d %B %Y}"
        if redeployed_to:
            detail += f"; redeployed to {redeployed_to.name} (the worker must be told)"
        _record_step(locked, actor=actor, role=Role.HR, kind=Decision.Kind.HR_RECORDED, from_stage=from_stage,
                     comment="; ".join(filter(None, [detail, comment.strip()])), summary=detail)
        _tell(_people(told_of(locked, "hr_record", actor=actor)), locked, "progression_case_hr_recorded",
              f"HR has recorded the progression of {locked.practitioner}: tell them and confirm in writing", detail)
    return locked


def progression_case_record_told(
    *, actor: User, case: ProgressionCase, told_on: datetime.date, told_by: User,
    expected_revision: int | None = None,
) -> ProgressionCase:
    if told_on is None or told_on > timezone.localdate():
        raise ValidationError({"told_on": "Enter the date the worker was told; it cannot be in the future."})
    with transaction.atomic():
        locked = _lock(case, expected_revision)
        _require(actor, locked, "record_told",
                 f"Only the line manager can record that the worker was told, once HR has recorded the outcome "
                 f"(the case is now “{locked.get_stage_display()}”).")
        if told_by.pk == locked.practitioner_id:
            raise ValidationError({"told_by": "Choose who told the worker."})
        locked.told_verbally_on = told_on
        locked.told_by = told_by
        from_stage = _move(locked, to_stage=Stage.WORKER_TOLD, extra_fields=["told_verbally_on", "told_by"])
        _record_step(locked, actor=actor, role=Role.LINE_MANAGER, kind=Decision.Kind.WORKER_TOLD,
                     from_stage=from_stage, comment=f"Told verbally on {told_on:%-d %B %Y} by {told_by}",
                     summary="Worker told verbally")
        _tell(_people(told_of(locked, "record_told", actor=actor)), locked, "progression_case_worker_told",
              f"{locked.practitioner} has been told of their progression: the confirmation letter can be produced")
    return locked


def progression_case_confirm(*, actor: User, case: ProgressionCase, expected_revision: int | None = None
                             ) -> ProgressionCase:
    """Generate the confirmation letter from the organisation's template; the case is then done."""
    from progression.letters import render_letter_pdf

    with transaction.atomic():
        locked = _lock(case, expected_revision)
        _require(actor, locked, "confirm",
                 f"The letter can be produced by the line manager or HR once the worker has been told "
                 f"(the case is now “{locked.get_stage_display()}”).")
        pdf = render_letter_pdf(locked)
        locked.letter_file.save(f"letter-{locked.pk}.pdf", ContentFile(pdf), save=False)
        locked.letter_generated_at = timezone.now()
        from_stage = _move(locked, to_stage=Stage.CONFIRMED, extra_fields=["letter_file", "letter_generated_at"])
        role = Role.HR if access.has_role(actor, Role.HR, organisation=locked.organisation_id) else Role.LINE_MANAGER
        _record_step(locked, actor=actor, role=role, kind=Decision.Kind.CONFIRMED, from_stage=from_stage,
                     comment="Confirmation letter produced", summary="Confirmed in writing")
        told = _people(told_of(locked, "confirm", actor=actor))
        _tell(told[:1], locked, "progression_case_confirmed",
              f"Your progression to {locked.target_role} is confirmed in writing")
        _tell(told[1:], locked, "progression_case_confirmed",
              f"The progression of {locked.practitioner} is confirmed in writing")
    return locked


STATEMENT_FIELDS = ["statement", "statement_text", "statement_at", "statement_by"]


def _clear_statement(case: ProgressionCase) -> None:
    case.statement, case.statement_text, case.statement_at, case.statement_by = "", "", None, None


def _statement_out_of_date(case: ProgressionCase) -> bool:
    """The practitioner read a table that has now changed (a mark, evidence added or removed): their
    statement no longer stands and is asked for again before submission (the history keeps it).
    True when there was one."""
    if not case.statement:
        return False
    _clear_statement(case)
    case.save(update_fields=[*STATEMENT_FIELDS, "updated_at"])
    return True


def _evidence_changed(case: ProgressionCase, *, actor: User) -> bool:
    """Evidence added or removed: the statement is out of date, and the practitioner (unless they made
    the change) is asked to read the table again."""
    if not _statement_out_of_date(case):
        return False
    if case.practitioner_id != actor.pk:
        _tell([case.practitioner], case, "progression_case_statement_wanted",
              "Read your progression case's table again: its evidence changed",
              "Your statement on the table is out of date. Your line manager cannot submit the case to the "
              "Head of Service until you agree with the table again or add your comments.")
    return True


def progression_case_statement(*, actor: User, case: ProgressionCase, agrees: bool, comment: str = "",
                               expected_revision: int | None = None) -> ProgressionCase:
    """The practitioner's statement on the table before submission: they agree, or add their comments."""
    comment = comment.strip()
    if not agrees and not comment:
        raise ValidationError({"comment": "Enter your comments on the table, or say that you agree with it."})
    with transaction.atomic():
        locked = _lock(case, expected_revision)
        _require(actor, locked, "statement",
                 "Only the practitioner can give their statement on the table, while the case is a draft.")
        kind = ProgressionCase.Statement.AGREED if agrees else ProgressionCase.Statement.COMMENTED
        _record_statement(locked, actor=actor, kind=kind, text=comment, role=Role.PRACTITIONER)
        _tell([locked.line_manager], locked, "progression_case_statement",
              f"{locked.practitioner} has read their progression case's table", locked.get_statement_display())
    return locked


def progression_case_statement_unable(*, actor: User, case: ProgressionCase, reason: str,
                                      expected_revision: int | None = None) -> ProgressionCase:
    """The line manager records why the practitioner could not give their statement (long-term absence,
    say), so the case can still be submitted."""
    reason = reason.strip()
    if not reason:
        raise ValidationError({"reason": "Say why the practitioner could not read the table and give their "
                                         "statement."})
    with transaction.atomic():
        locked = _lock(case, expected_revision)
        _require(actor, locked, "statement_unable",
                 "Only the line manager can record why the practitioner could not give their statement, while "
                 "the case is a draft.")
        if locked.statement in (ProgressionCase.Statement.AGREED, ProgressionCase.Statement.COMMENTED):
            raise TransitionError("The practitioner has already given their statement on the table.")
        _record_statement(locked, actor=actor, kind=ProgressionCase.Statement.UNABLE, text=reason,
                          role=Role.LINE_MANAGER)
        # The practitioner is no longer asked for it.
        tasks_done(recipient=locked.practitioner, about=f"progression.case:{locked.pk}",
                   kinds=("progression_case_statement_wanted",))
    return locked


def _record_statement(case: ProgressionCase, *, actor: User, kind: str, text: str, role: str) -> None:
    case.statement, case.statement_text = kind, text
    case.statement_at, case.statement_by = timezone.now(), actor
    case.revision += 1
    case.full_clean()
    case.save(update_fields=[*STATEMENT_FIELDS, "revision", "updated_at"])
    label = case.get_statement_display()
    _decide(case, actor=actor, role=role, decision=Decision.Kind.STATEMENT, from_stage=case.stage,
            to_stage=case.stage, comment=f"{label}: {text}" if text else label)
    audit.record(actor=actor, action="progression_case.statement", obj=case, summary=label,
                 after={"statement": kind})
    tasks_done(recipient=actor, about=f"progression.case:{case.pk}")


def progression_case_withdraw(*, actor: User, case: ProgressionCase, reason: str,
                              expected_revision: int | None = None) -> ProgressionCase:
    """The line manager withdraws a case opened by mistake, with the reason: it is final and read-only,
    kept with its history, and leaves every list of cases waiting."""
    reason = reason.strip()
    if not reason:
        raise ValidationError({"reason": "Say why the case is withdrawn."})
    with transaction.atomic():
        locked = _lock(case, expected_revision)
        _require(actor, locked, "withdraw",
                 f"Only the case's line manager can withdraw it, while it is a draft (it is now "
                 f"“{locked.get_stage_display()}”).")
        locked.withdrawal_reason = reason
        from_stage = _move(locked, to_stage=Stage.WITHDRAWN, extra_fields=["withdrawal_reason"])
        _record_step(locked, actor=actor, role=Role.LINE_MANAGER, kind=Decision.Kind.WITHDRAWN,
                     from_stage=from_stage, comment=reason, summary=f"Withdrawn: {reason}")
        # What the case still asked of anyone is void; then they are told it was withdrawn.
        for person in (locked.practitioner, locked.head_of_service):
            tasks_done(recipient=person, about=f"progression.case:{locked.pk}")
        _tell(_people(told_of(locked, "withdraw", actor=actor)), locked, "progression_case_withdrawn",
              f"The progression case for {locked.practitioner} was withdrawn", reason)
    return locked
