"""Writes for goals and their progress.
"""

from __future__ import annotations

import datetime
from collections.abc import Iterable
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction

from preceptorship import audit
from preceptorship.models import User
from programmes.models import (
    Enrolment,
    Goal,
    GoalUpdate,
)
from programmes.services.common import lock_enrolment, service_today

# Goals


GOAL_FIELDS = ["what", "measure", "achievable", "relevant", "target_date", "status", "status_reason"]


def _validate_goal(goal: Goal) -> None:
    errors = {}
    if not (goal.measure or "").strip():
        errors["measure"] = "Say how you will measure success: a goal needs a measure."
    if goal.status in Goal.NEEDS_REASON and not (goal.status_reason or "").strip():
        errors["status_reason"] = "Say why the goal changed or was dropped."
    if errors:
        raise ValidationError(errors)


@transaction.atomic
def goal_create(
    *, actor: User, enrolment: Enrolment, what: str, measure: str, target_date: datetime.date,
    achievable: str = "", relevant: str = "", competencies: Iterable[Any] = (),
) -> Goal:
    enrolment = lock_enrolment(enrolment)
    goal = Goal(enrolment=enrolment, what=what, measure=measure, achievable=achievable, relevant=relevant,
                target_date=target_date, created_by=actor)
    _validate_goal(goal)
    if target_date < enrolment.start_date:
        raise ValidationError({"target_date": "The target date cannot be before the enrolment started."})
    goal.full_clean()
    goal.save()
    goal.competencies.set(framework_competencies(enrolment, competencies))
    audit.record(actor=actor, action="goal.create", obj=goal, summary=f"Set goal: {what}",
                 after=audit.snapshot(goal, GOAL_FIELDS))
    return goal


def framework_competencies(enrolment: Enrolment, competencies: Iterable[Any]) -> list[Any]:
    """Only competencies of the programme's own framework can be linked."""
    chosen = list(competencies)
    if not chosen:
        return []
    framework_id = enrolment.programme.framework_id
    if any(c.section.framework_id != framework_id for c in chosen):
        raise ValidationError({"competencies": "Choose competencies from the programme's framework."})
    return chosen


@transaction.atomic
def goal_update(*, actor: User, goal: Goal, competencies: Iterable[Any] | None = None, **fields: Any) -> Goal:
    goal = Goal.objects.select_for_update().select_related("enrolment__programme").get(pk=goal.pk)
    before = audit.snapshot(goal, GOAL_FIELDS)
    for name, value in fields.items():
        if name not in GOAL_FIELDS:
            raise ValueError(f"{name} is not a goal field.")
        setattr(goal, name, value)
    if goal.status not in Goal.NEEDS_REASON:
        goal.status_reason = ""
    if goal.status == Goal.Status.ACHIEVED and goal.achieved_on is None:
        goal.achieved_on = service_today()
    elif goal.status != Goal.Status.ACHIEVED:
        goal.achieved_on = None
    _validate_goal(goal)
    goal.full_clean()
    goal.save()
    if competencies is not None:
        goal.competencies.set(framework_competencies(goal.enrolment, competencies))
    audit.record(actor=actor, action="goal.update", obj=goal, summary=f"Changed goal: {goal.what}",
                 before=before, after=audit.snapshot(goal, GOAL_FIELDS))
    return goal


@transaction.atomic
def goal_add_progress(*, actor: User, goal: Goal, on: datetime.date, note: str) -> GoalUpdate:
    goal = Goal.objects.select_for_update().select_related("enrolment").get(pk=goal.pk)
    errors = {}
    if on > service_today():
        errors["on"] = "The date cannot be in the future."
    elif on < goal.enrolment.start_date:
        errors["on"] = "The date cannot be before the enrolment started."
    if not note.strip():
        errors["note"] = "Describe the progress."
    if errors:
        raise ValidationError(errors)
    update = GoalUpdate.objects.create(goal=goal, on=on, note=note, author=actor)
    if goal.status == Goal.Status.NOT_STARTED:
        goal.status = Goal.Status.IN_PROGRESS
        goal.save(update_fields=["status", "updated_at"])
    audit.record(actor=actor, action="goal.progress", obj=goal, summary=f"Progress on {goal.what}",
                 after={"on": on, "note": note})
    return update
