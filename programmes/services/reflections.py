"""Writes for reflections: drafts, sharing and feedback.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from preceptorship import audit
from preceptorship.errors import TransitionError
from preceptorship.models import User
from preceptorship.notifications import notify, tasks_done
from programmes.models import (
    Enrolment,
    Goal,
    Reflection,
    ReflectionFeedback,
)
from programmes.services.goals import framework_competencies

# Reflections


def _clean_answers(model: str, answers: dict[str, str]) -> dict[str, str]:
    from programmes.models import REFLECTIVE_MODELS

    if model not in REFLECTIVE_MODELS:
        raise ValidationError({"model": "Choose a reflective model."})
    keys = [key for key, _, _ in REFLECTIVE_MODELS[model][1]]
    return {key: (answers.get(key) or "") for key in keys}


@transaction.atomic
def reflection_save(
    *, actor: User, enrolment: Enrolment, title: str, model: str, answers: dict[str, str], finish: bool,
    reflection: Reflection | None = None, goals: Iterable[Goal] = (), competencies: Iterable[Any] = (),
) -> Reflection:
    """Create or change a reflection; ``finish`` False keeps it as a draft (nothing is lost)."""
    if reflection is None:
        reflection = Reflection(enrolment=enrolment, author=actor)
    else:
        reflection = Reflection.objects.select_for_update().get(pk=reflection.pk)
        if reflection.author_id != actor.pk:
            raise TransitionError("Only the author can change a reflection.")
    reflection.title = title.strip() or "Untitled reflection"
    reflection.model = model
    reflection.answers = _clean_answers(model, answers)
    if finish:
        errors = {}
        if not title.strip():
            errors["title"] = "Enter a title."
        if not any(value.strip() for value in reflection.answers.values()):
            errors["answers"] = "Write at least one part of the reflection before finishing it."
        if errors:
            raise ValidationError(errors)
        reflection.status = Reflection.Status.FINISHED
    reflection.full_clean()
    reflection.save()
    goals = list(goals)
    if any(goal.enrolment_id != reflection.enrolment_id for goal in goals):
        raise ValidationError({"goals": "Choose goals of this programme."})
    reflection.goals.set(goals)
    reflection.competencies.set(framework_competencies(reflection.enrolment, competencies))
    audit.record(actor=actor, action="reflection.save", obj=reflection,
                 summary=f"Saved reflection ({reflection.get_status_display().lower()})")
    return reflection


@transaction.atomic
def reflection_share(
    *, actor: User, reflection: Reflection, with_mentor: bool, with_line_manager: bool
) -> Reflection:
    reflection = Reflection.objects.select_for_update().select_related("enrolment").get(pk=reflection.pk)
    if reflection.author_id != actor.pk:
        raise TransitionError("Only the author can share a reflection.")
    if reflection.status != Reflection.Status.FINISHED and (with_mentor or with_line_manager):
        raise TransitionError("Finish the reflection before sharing it.")
    if with_line_manager and not with_mentor:
        raise ValidationError({"with_line_manager": "Share with your mentor too if you share with your line manager."})
    was_shared_with_mentor = reflection.shared_with_mentor
    was_shared_with_line_manager = reflection.shared_with_line_manager
    reflection.shared_with_mentor, reflection.shared_with_line_manager = with_mentor, with_line_manager
    # First shared with the mentor then (adding the line manager later keeps that day on the timeline).
    reflection.shared_at = (reflection.shared_at if was_shared_with_mentor else timezone.now()) if with_mentor else None
    reflection.save(update_fields=["shared_with_mentor", "shared_with_line_manager", "shared_at", "updated_at"])
    audit.record(actor=actor, action="reflection.share", obj=reflection,
                 summary="Shared" if with_mentor else "Stopped sharing",
                 after={"mentor": with_mentor, "line_manager": with_line_manager})
    if with_mentor and not was_shared_with_mentor:
        notify(
            recipient=reflection.enrolment.mentor, kind="reflection_shared", about=reflection,
            subject=f"{actor} shared a reflection with you", url=reflection.get_absolute_url(),
        )
    manager = reflection.enrolment.line_manager
    if with_line_manager and not was_shared_with_line_manager and manager is not None:
        notify(  # no panel lists what is shared with a line manager: they are told
            recipient=manager, kind="reflection_shared", about=reflection,
            subject=f"{actor} shared a reflection with you", url=reflection.get_absolute_url(),
        )
    return reflection


@transaction.atomic
def reflection_add_feedback(*, actor: User, reflection: Reflection, text: str) -> ReflectionFeedback:
    reflection = Reflection.objects.select_for_update().select_related("enrolment", "author").get(pk=reflection.pk)
    if not reflection.is_shared:
        raise TransitionError("Feedback can only be given on a shared reflection.")
    if not text.strip():
        raise ValidationError({"text": "Enter your feedback."})
    feedback = ReflectionFeedback.objects.create(reflection=reflection, author=actor, text=text)
    audit.record(actor=actor, action="reflection.feedback", obj=reflection, summary="Gave feedback")
    tasks_done(recipient=actor, about=reflection, kinds=("reflection_shared",))
    notify(
        recipient=reflection.author, kind="reflection_feedback", about=feedback,
        subject=f"{actor} gave feedback on your reflection \u201c{reflection.title}\u201d",
        url=reflection.get_absolute_url(),
    )
    return feedback
