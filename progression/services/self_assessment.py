"""Self-assessment: the practitioner rates each competency of a case on a self-assessed framework, and
their line manager settles every rating where the two disagree.

The practitioner rates on the manager's scale (not yet, developing, reached, exceeded). A disagreement
is settled with an outcome (the practitioner's rating stands, the manager's stands, or a new rating)
and a reason; the settlement holds for the two ratings it settled, so either rating changed afterwards
opens the disagreement again. Submission waits for both (``cases.missing_for_submission``).
"""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from preceptorship import audit
from preceptorship.errors import TransitionError
from preceptorship.models import User
from progression.models import Competency, CompetencyAssessment, CompetencyMark, Framework, ProgressionCase
from progression.services.cases import (
    STATEMENT_FIELDS,
    STATUS_WORDS,
    _clear_statement,
    _lock,
    _pieces,
    _require,
    _tell,
    evidence_counts,
)

Status = CompetencyAssessment.Status

# How a disagreement is settled.
WORKER_STANDS, MANAGER_STANDS, NEW_RATING = "worker", "manager", "new"
OUTCOMES = {
    WORKER_STANDS: "The practitioner's rating stands",
    MANAGER_STANDS: "The manager's rating stands",
    NEW_RATING: "A new rating agreed between them",
}


def framework_set_self_assessment(*, actor: User, framework: Framework, self_assessed: bool) -> Framework:
    """Whoever manages the framework marks a version for self-assessment (or not). It is a rule for
    the cases that use the version, not content, so a published version may change it."""
    if not isinstance(self_assessed, bool):
        raise ValidationError({"self_assessed": "Choose whether the worker rates themselves."})
    with transaction.atomic():
        locked = Framework.objects.select_for_update().get(pk=framework.pk)
        if locked.status == Framework.Status.RETIRED:
            raise TransitionError("A retired version no longer changes.")
        from preceptorship import access

        access.forget(actor)
        if not access.policy_for(Framework).allows(actor, locked, "change"):
            raise TransitionError("Only whoever manages this framework can change how it is assessed.")
        if locked.self_assessed == self_assessed:
            return locked
        before = audit.snapshot(locked, ["self_assessed"])
        locked.self_assessed = self_assessed
        locked.save(update_fields=["self_assessed", "updated_at"])
        audit.record(actor=actor, action="framework.self_assessment", obj=locked,
                     summary=f"Self-assessment turned {'on' if self_assessed else 'off'} for {locked}",
                     before=before, after=audit.snapshot(locked, ["self_assessed"]))
    return locked


def _require_self_assessed(case: ProgressionCase) -> None:
    if not case.framework.self_assessed:
        raise TransitionError("This case's framework is not self-assessed.")


def self_assessment_save(*, actor: User, case: ProgressionCase, ratings: dict[int, str],
                         expected_revision: int | None = None) -> list[CompetencyAssessment]:
    """The practitioner's own ratings, by competency id (a blank rating leaves that competency
    unrated). Only changed ratings are written and audited."""
    bad = [pk for pk, value in ratings.items() if value and value not in Status.values]
    if bad:
        raise ValidationError("Choose a rating from the list for each competency.")
    with transaction.atomic():
        locked = _lock(case, expected_revision)
        _require(actor, locked, "self_rate",
                 "Only the practitioner rates themselves, while the case is a draft.")
        _require_self_assessed(locked)
        rows = {row.competency_id: row for row in CompetencyAssessment.objects.select_for_update()
                .filter(case=locked, competency_id__in=list(ratings)).select_related("competency")}
        if set(ratings) - set(rows):
            raise ValidationError("Rate only the competencies of this case's framework.")
        changed = []
        now = timezone.now()
        for pk, value in ratings.items():
            row = rows[pk]
            if not value or row.self_status == value:
                continue
            before = row.self_status
            row.self_status, row.self_rated_at = value, now
            row.full_clean()
            row.save(update_fields=["self_status", "self_rated_at"])
            changed.append((row, before))
        if changed:
            audit.record(
                actor=actor, action="progression_case.self_rate", obj=locked,
                summary="Practitioner rated " + ", ".join(f"{row.competency.code} {row.get_self_status_display()}"
                                                          for row, _ in changed),
                before={row.competency.code: before for row, before in changed},
                after={row.competency.code: row.self_status for row, _ in changed},
                subject=locked.practitioner,
            )
            if any(row.needs_settling for row, _ in changed):
                _tell([locked.line_manager], locked, "progression_case_disagreement",
                      f"{locked.practitioner} rates some competencies differently from you: settle each disagreement")
    return [row for row, _ in changed]


def disagreement_settle(*, actor: User, case: ProgressionCase, competency: Competency, outcome: str,
                        reason: str, new_status: str = "", expected_revision: int | None = None
                        ) -> CompetencyAssessment:
    """The line manager settles a disagreement with an outcome and a reason. When the outcome changes
    the manager's mark, the change is kept among the marks like any other."""
    reason = (reason or "").strip()
    if outcome not in OUTCOMES:
        raise ValidationError({"outcome": "Choose which rating stands, or a new one."})
    if outcome == NEW_RATING and new_status not in Status.values:
        raise ValidationError({"new_status": "Choose the new rating."})
    if not reason:
        raise ValidationError({"reason": "Give the reason for the outcome."})
    with transaction.atomic():
        locked = _lock(case, expected_revision)
        _require(actor, locked, "settle",
                 "Only the line manager settles disagreements, while the case is a draft.")
        _require_self_assessed(locked)
        row = (CompetencyAssessment.objects.select_for_update().select_related("competency")
               .filter(case=locked, competency=competency).first())
        if row is None:
            raise ValidationError("Choose a competency of this case's framework.")
        if not row.self_status or (row.self_status == row.status and not row.is_settled):
            raise TransitionError(f"{row.competency.code}: the practitioner and the manager do not disagree.")
        status = {WORKER_STANDS: row.self_status, MANAGER_STANDS: row.status, NEW_RATING: new_status}[outcome]
        if status in CompetencyAssessment.MET:
            needed = locked.framework.evidence_per_competency
            held = evidence_counts(locked).get(row.competency_id, 0)
            if held < needed:
                raise ValidationError({"outcome": (
                    f"{row.competency.code} needs {_pieces(needed)} of dated evidence before it can be "
                    f"{STATUS_WORDS[status]}; it has {held}. Add the evidence first.")})
        before = audit.snapshot(row, ["status", "self_status", "settled_status", "settled_reason"])
        now = timezone.now()
        if status != row.status:
            row.status = status
            row.reached_on = timezone.localdate() if status in CompetencyAssessment.MET else None
            row.marked_by, row.marked_at = actor, now
            CompetencyMark.objects.create(assessment=row, status=status, reached_on=row.reached_on,
                                          comment=f"Disagreement settled: {reason}", marked_by=actor)
            if locked.statement:
                # As with any mark: the practitioner read a table that has now changed.
                _clear_statement(locked)
                locked.save(update_fields=[*STATEMENT_FIELDS, "updated_at"])
        row.settled_self_status, row.settled_status = row.self_status, status
        row.settled_reason, row.settled_by, row.settled_at = reason, actor, now
        row.full_clean()
        row.save()
        audit.record(actor=actor, action="progression_case.settle", obj=locked,
                     summary=f"{row.competency.code}: {OUTCOMES[outcome].lower()} ({row.get_status_display()})",
                     before=before, after=audit.snapshot(row, list(before)), subject=locked.practitioner)
        _tell([locked.practitioner], locked, "progression_case_settled",
              f"Your manager has settled your rating of {row.competency.code}", reason)
    return row


def disagreements(case: ProgressionCase) -> list[CompetencyAssessment]:
    """Every competency where the practitioner's rating and the manager's differ, or differed before a
    settlement, in the framework's order."""
    rows = (CompetencyAssessment.objects.filter(case=case).exclude(self_status="")
            .select_related("competency__section", "settled_by")
            .order_by("competency__section__order", "competency__order"))
    return [row for row in rows if row.was_disputed]

