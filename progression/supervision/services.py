"""Recording supervision notes and their learning objectives. Each write checks who may make it
(``progression.supervision.access``), locks the case so a submission cannot slip in between, and
is audited: what changed (kinds, dates, statuses), never what was said."""

from __future__ import annotations

import datetime
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone

from preceptorship import audit
from progression.models import ProgressionCase
from progression.supervision.access import CLOSED, REFUSAL, is_case_person, may_write_notes
from progression.supervision.models import LearningObjective, SupervisionNote

MAX_DISCUSSION = 10_000
MAX_OBJECTIVE = 1_000


def _locked_case(case: ProgressionCase, actor: Any) -> ProgressionCase:
    locked = ProgressionCase.objects.select_for_update().get(pk=case.pk)
    if not is_case_person(actor, locked):
        raise PermissionDenied(REFUSAL)
    if not may_write_notes(actor, locked):
        raise PermissionDenied(CLOSED)
    return locked


def _check_note(kind: str, held_on: datetime.date | None, discussion: str) -> str:
    errors: dict[str, str] = {}
    if kind not in SupervisionNote.Kind.values:
        errors["kind"] = "Choose the kind of session."
    if held_on is None:
        errors["held_on"] = "Enter the date of the session."
    elif held_on > timezone.localdate():
        errors["held_on"] = "The date of the session must be today or in the past."
    discussion = (discussion or "").strip()
    if not discussion:
        errors["discussion"] = "Enter what was discussed."
    elif len(discussion) > MAX_DISCUSSION:
        errors["discussion"] = f"Keep what was discussed to {MAX_DISCUSSION:,} characters or fewer."
    if errors:
        raise ValidationError(errors)
    return discussion


def _check_objective(text: str, target_date: datetime.date | None, status: str,
                     held_on: datetime.date) -> str:
    errors: dict[str, str] = {}
    text = (text or "").strip()
    if not text:
        errors["text"] = "Enter the learning objective."
    elif len(text) > MAX_OBJECTIVE:
        errors["text"] = f"Keep the learning objective to {MAX_OBJECTIVE:,} characters or fewer."
    if target_date is None:
        errors["target_date"] = "Enter the target date."
    elif target_date < held_on:
        errors["target_date"] = "The target date must be the same as or after the date of the session."
    if status not in LearningObjective.Status.values:
        errors["status"] = "Choose how the objective stands."
    if errors:
        raise ValidationError(errors)
    return text


def supervision_note_record(*, actor: Any, case: ProgressionCase, kind: str, held_on: datetime.date | None,
                            discussion: str) -> SupervisionNote:
    """The practitioner or their line manager records a supervision or coaching session on the case."""
    discussion = _check_note(kind, held_on, discussion)
    with transaction.atomic():
        locked = _locked_case(case, actor)
        note = SupervisionNote.objects.create(case=locked, kind=kind, held_on=held_on, discussion=discussion,
                                              written_by=actor)
        audit.record(actor=actor, action="supervision.note_record", obj=note,
                     summary=f"Recorded a supervision note ({note.get_kind_display()}, {held_on:%-d %B %Y}) "
                             f"on progression case {locked.pk}",
                     after={"case": locked.pk, "kind": kind, "held_on": str(held_on)})
    return note


def supervision_note_update(*, actor: Any, note: SupervisionNote, kind: str, held_on: datetime.date | None,
                            discussion: str) -> SupervisionNote:
    """The note's author corrects it while the case is being evidenced."""
    discussion = _check_note(kind, held_on, discussion)
    with transaction.atomic():
        _locked_case(note.case, actor)
        locked = SupervisionNote.objects.select_for_update().get(pk=note.pk)
        if locked.written_by_id != actor.pk:
            raise PermissionDenied("Only the person who wrote a supervision note can change it.")
        before = {"kind": locked.kind, "held_on": str(locked.held_on)}
        changed_text = locked.discussion != discussion
        locked.kind, locked.held_on, locked.discussion = kind, held_on, discussion
        locked.save(update_fields=["kind", "held_on", "discussion", "updated_at"])
        audit.record(actor=actor, action="supervision.note_update", obj=locked,
                     summary=f"Changed the supervision note of {held_on:%-d %B %Y} on progression case "
                             f"{locked.case_id}",
                     before=before, after={"kind": kind, "held_on": str(held_on), "discussion_changed": changed_text})
    return locked


def learning_objective_add(*, actor: Any, note: SupervisionNote, text: str, target_date: datetime.date | None,
                           status: str = LearningObjective.Status.NOT_STARTED) -> LearningObjective:
    """A learning objective agreed in the session, with its target date."""
    text = _check_objective(text, target_date, status, note.held_on)
    with transaction.atomic():
        _locked_case(note.case, actor)
        objective = LearningObjective.objects.create(note=note, text=text, target_date=target_date, status=status)
        audit.record(actor=actor, action="supervision.objective_add", obj=objective,
                     summary=f"Added a learning objective (target {target_date:%-d %B %Y}) to the supervision "
                             f"note of {note.held_on:%-d %B %Y}",
                     after={"note": note.pk, "target_date": str(target_date), "status": status})
    return objective


def learning_objective_update(*, actor: Any, objective: LearningObjective, text: str,
                              target_date: datetime.date | None, status: str) -> LearningObjective:
    """Either of the case's people updates an objective: its wording, target date or how it stands."""
    text = _check_objective(text, target_date, status, objective.note.held_on)
    with transaction.atomic():
        _locked_case(objective.note.case, actor)
        locked = LearningObjective.objects.select_for_update().get(pk=objective.pk)
        before = {"target_date": str(locked.target_date), "status": locked.status}
        changed_text = locked.text != text
        locked.text, locked.target_date, locked.status = text, target_date, status
        locked.save(update_fields=["text", "target_date", "status", "updated_at"])
        audit.record(actor=actor, action="supervision.objective_update", obj=locked,
                     summary=f"Updated a learning objective: {locked.get_status_display().lower()}, "
                             f"target {target_date:%-d %B %Y}",
                     before=before, after={"target_date": str(target_date), "status": status,
                                           "text_changed": changed_text})
    return locked
