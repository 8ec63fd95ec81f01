"""Erasing one person on request, where the law allows it.

Refused while the person has an open enrolment or an open progression case: the records of a
programme or a case still under way are needed to finish it (the reason is said). Otherwise the
person's free text and files are deleted, their account is anonymised in place, and the records
the figures count (enrolments, reviews' dates and scores, protected hours, cases and their
append-only decisions) stay, with the person's name taken out of the decisions' text.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Q

from preceptorship import access
from preceptorship.models import Notification, User
from programmes.equality.models import EqualityAnswers
from programmes.models import (
    Enrolment,
    Evaluation,
    Goal,
    NeedsAssessment,
    OfferDecline,
    ProtectedTime,
    Reflection,
    ReviewMeeting,
    TransitionMark,
)
from programmes.preceptors.models import PreceptorEvaluation, PreceptorWellbeing, TimeGiven
from programmes.privacy.access import answering_organisation, may_act_for
from programmes.privacy.models import SubjectAccessExport
from programmes.privacy.services.common import (
    anonymise_account,
    delete_file_on_commit,
    is_removed,
    names_of,
    record,
    strip_case,
    strip_enrolment,
)
from progression.models import (
    Decision,
    Evidence,
    EvidencePack,
    PassportSkill,
    PostQualifyingAward,
    ProgressionCase,
    SkillsPassport,
)
from progression.supervision.models import SupervisionNote

# Cases that are over: confirmed, declined, or withdrawn when opened by mistake.
FINAL_STAGES = (ProgressionCase.Stage.CONFIRMED, ProgressionCase.Stage.DECLINED, ProgressionCase.Stage.WITHDRAWN)


@dataclass(frozen=True)
class Line:
    what: str
    count: int


def erasure_refusals(*, actor: Any, person: User) -> list[str]:
    """Why this person cannot be erased now (empty when they can)."""
    reasons = []
    if person.pk == getattr(actor, "pk", None):
        reasons.append("You cannot erase your own account: ask another administrator or data protection officer.")
    if is_removed(person):
        reasons.append("This person's data has already been erased.")
    if access.is_administrator(person) and not access.is_administrator(actor):
        reasons.append("An administrator's account can be erased only by another administrator.")
    supporting = Enrolment.objects.filter(Q(mentor=person) | Q(line_manager=person), status__in=Enrolment.CURRENT)
    if supporting.exists():
        reasons.append(
            f"They mentor or line manage {supporting.count()} open enrolment(s): give those preceptees another "
            "mentor or line manager first."
        )
    deciding = ProgressionCase.objects.filter(Q(line_manager=person) | Q(head_of_service=person)).exclude(
        stage__in=FINAL_STAGES)
    if deciding.exists():
        reasons.append(
            f"They are the line manager or Head of Service of {deciding.count()} open progression case(s): "
            "those cases need someone else first."
        )
    current = Enrolment.objects.filter(preceptee=person, status__in=Enrolment.CURRENT).select_related("programme")
    for enrolment in current:
        reasons.append(
            f"They have an open enrolment on {enrolment.programme.name} ({enrolment.get_status_display().lower()}): "
            "it must be completed or withdrawn first, because its records are needed to finish it."
        )
    for case in ProgressionCase.objects.filter(practitioner=person).exclude(stage__in=FINAL_STAGES):
        reasons.append(
            f"They have an open progression case for {case.target_role} ({case.get_stage_display()}): it must be "
            "confirmed or declined first, because its decisions are still being made."
        )
    return reasons


def erasure_preview(*, person: User) -> tuple[list[Line], list[Line]]:
    """(What will be deleted or blanked, what stays without their name), with counts."""
    enrolments = Enrolment.objects.filter(preceptee=person)
    cases = ProgressionCase.objects.filter(practitioner=person)
    goes = [
        Line("Their name, e-mail address, job title, band, registration and employee numbers and password", 1),
        Line("Their roles in organisations", person.memberships.count()),
        Line("Reflections they wrote, with the feedback on them", Reflection.objects.filter(author=person).count()),
        Line("Goals, with their progress notes", Goal.objects.filter(enrolment__in=enrolments).count()),
        Line("Needs assessments", NeedsAssessment.objects.filter(enrolment__in=enrolments).count()),
        Line("Review meeting records: the discussion, their comments, actions and corrections (the dates and "
             "scores stay)", ReviewMeeting.objects.filter(enrolment__in=enrolments).count()),
        Line("Protected time: what they did (the hours stay)",
             ProtectedTime.objects.filter(enrolment__in=enrolments).count()),
        Line("Programme evaluations: their comments (the scores stay)",
             Evaluation.objects.filter(enrolment__in=enrolments).count()),
        Line("Evidence on their progression cases, with its files", Evidence.objects.filter(case__in=cases).count()),
        Line("Evidence packs and confirmation letters",
             EvidencePack.objects.filter(case__in=cases).count() + cases.exclude(letter_file="").count()),
        Line("Supervision notes on their progression cases, with their learning objectives",
             SupervisionNote.objects.filter(case__in=cases).count()),
        Line("Their own wellbeing after review meetings they held as a mentor",
             PreceptorWellbeing.objects.filter(mentor=person).count()),
        Line("As a mentor: what their time given was for and their preceptor evaluations' comments (the hours and "
             "scores stay)", TimeGiven.objects.filter(mentor=person).count()
             + PreceptorEvaluation.objects.filter(mentor=person).count()),
        Line("Their skills passports, with the skills they recorded and their verification",
             PassportSkill.objects.filter(passport__worker=person).count()),
        Line("Their equality monitoring answers", EqualityAnswers.objects.filter(user=person).count()),
        Line("Notifications sent to them", Notification.objects.filter(recipient=person).count()),
        Line("Post-qualifying awards", PostQualifyingAward.objects.filter(user=person).count()),
        Line("Earlier subject access exports' files",
             SubjectAccessExport.objects.filter(person=person).exclude(file="").count()),
        Line("Whether they were offered preceptorship: marks of why, and declines with their reasons",
             TransitionMark.objects.filter(person=person).count() + OfferDecline.objects.filter(person=person).count()),
    ]
    stays = [
        Line("Enrolments: programme, dates, status and outcome, for the figures", enrolments.count()),
        Line("Progression cases: stage and dates, for the figures", cases.count()),
        Line("Decisions on their cases (append-only): their name is taken out of the text",
             Decision.objects.filter(case__in=cases).count()),
    ]
    return goes, stays


def person_erase(*, actor: Any, person: User) -> dict[str, int]:
    """Erase ``person``'s personal data; refuse (ValidationError, with the reasons) where the law does
    not allow it yet."""
    if not may_act_for(actor, person, "erase"):
        raise PermissionDenied("You cannot erase this person's data.")
    with transaction.atomic():
        locked = User.objects.select_for_update().get(pk=person.pk)
        reasons = erasure_refusals(actor=actor, person=locked)
        if reasons:
            raise ValidationError(reasons)
        organisation_id = answering_organisation(actor, locked)
        goes, _ = erasure_preview(person=locked)
        counts = {line.what: line.count for line in goes}
        names = names_of(locked)
        for enrolment in Enrolment.objects.select_for_update().filter(preceptee=locked):
            strip_enrolment(enrolment)
        Reflection.objects.filter(author=locked).delete()
        TransitionMark.objects.filter(person=locked).delete()
        OfferDecline.objects.filter(person=locked).delete()
        SupervisionNote.objects.filter(case__practitioner=locked).delete()
        EqualityAnswers.objects.filter(user=locked).delete()
        SkillsPassport.objects.filter(worker=locked).delete()
        PreceptorWellbeing.objects.filter(mentor=locked).delete()
        TimeGiven.objects.filter(mentor=locked).update(note="")
        PreceptorEvaluation.objects.filter(mentor=locked).update(comments="")
        for case in ProgressionCase.objects.select_for_update().filter(practitioner=locked):
            strip_case(case, names=names)
        # Earlier subject access exports hold a copy of everything: their files go too.
        for export in SubjectAccessExport.objects.select_for_update().filter(person=locked).exclude(file=""):
            delete_file_on_commit(export.file.name)
        SubjectAccessExport.objects.filter(person=locked).update(file="", status=SubjectAccessExport.Status.EXPIRED)
        anonymise_account(locked)
        record(actor=actor, action="privacy.erased", obj=locked, subject=locked, organisation_id=organisation_id,
               summary=f"Erased the personal data of person {locked.pk} on request",
               after={"deleted_or_blanked": sum(counts.values())})
    return counts
