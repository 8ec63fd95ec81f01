"""Who sees and writes supervision notes: the case's own people, the practitioner and their line
manager, by the rules of ``progression.access`` (a case neither of them can see any more hides its
notes too). The Head of Service, Operational Director and HR see the case but not what was said in
supervision (403 on the case's notes page); a note linked as evidence shows them its kind and date.
Everyone else: 404. Notes and objectives change only while the case is being evidenced (a draft).
"""

from __future__ import annotations

from typing import Any

from django.db import models
from django.db.models import Q

from preceptorship import access
from progression.models import ProgressionCase
from progression.supervision.models import LearningObjective, SupervisionNote

REFUSAL = "Supervision notes are read only by the practitioner and their line manager."
CLOSED = "Supervision notes change only while the case is being evidenced."


def is_case_person(user: Any, case: ProgressionCase) -> bool:
    return user.pk is not None and user.pk in (case.practitioner_id, case.line_manager_id)


def may_read_notes(user: Any, case: ProgressionCase) -> bool:
    return is_case_person(user, case)


def may_write_notes(user: Any, case: ProgressionCase) -> bool:
    return is_case_person(user, case) and case.stage == ProgressionCase.Stage.DRAFT


def own_cases(user: Any) -> models.QuerySet:
    """The cases whose notes ``user`` reads: seen under the case rules, and theirs or managed by them."""
    return access.scope(user, ProgressionCase).filter(Q(practitioner_id=user.pk) | Q(line_manager_id=user.pk))


@access.register(SupervisionNote)
class SupervisionNotePolicy(access.Policy):
    def scope(self, user: Any, queryset: models.QuerySet) -> models.QuerySet:
        return queryset.filter(case_id__in=own_cases(user).values("pk"))

    def allows(self, user: Any, obj: Any, action: str) -> bool:
        if action == "change":
            return obj.written_by_id == user.pk and may_write_notes(user, obj.case)
        if action == "add_objective":
            return may_write_notes(user, obj.case)
        return False


@access.register(LearningObjective)
class LearningObjectivePolicy(access.Policy):
    def scope(self, user: Any, queryset: models.QuerySet) -> models.QuerySet:
        return queryset.filter(note__case_id__in=own_cases(user).values("pk"))

    def allows(self, user: Any, obj: Any, action: str) -> bool:
        return action == "change" and may_write_notes(user, obj.note.case)
