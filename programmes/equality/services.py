"""A person saves or removes their own equality monitoring answers. Nobody else can: the services
check the actor is the person. The audit log records that the answers changed, never what they are."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction

from preceptorship import audit
from programmes.equality.categories import QUESTIONS
from programmes.equality.models import EqualityAnswers

ONLY_YOU = "Only you can change your equality monitoring answers."


def _check(answers: dict[str, str]) -> dict[str, str]:
    cleaned, errors = {}, {}
    for question in QUESTIONS:
        value = answers.get(question.field) or ""
        if value and value not in dict(question.answers):
            errors[question.field] = f"Choose an answer to “{question.label}”, or leave it unanswered."
        cleaned[question.field] = value
    if errors:
        raise ValidationError(errors)
    return cleaned


def equality_answers_save(*, actor: Any, person: Any, answers: dict[str, str]) -> EqualityAnswers | None:
    """Keep ``person``'s answers (unanswered questions keep nothing); with no answer at all, nothing
    is kept. Returns the saved answers, or None when none are kept."""
    if actor.pk != person.pk:
        raise PermissionDenied(ONLY_YOU)
    cleaned = _check(answers)
    with transaction.atomic():
        existing = EqualityAnswers.objects.select_for_update().filter(user_id=person.pk).first()
        if not any(cleaned.values()):
            if existing is not None:
                _remove(actor, existing)
            return None
        record = existing or EqualityAnswers(user=person)
        changed = existing is None or any(getattr(existing, name) != value for name, value in cleaned.items())
        for name, value in cleaned.items():
            setattr(record, name, value)
        record.save()
        if changed:
            audit.record(actor=actor, action="equality.answers_save", obj=record,
                         summary="Changed their equality monitoring answers", after={"changed": True})
    return record


def equality_answers_remove(*, actor: Any, person: Any) -> bool:
    """Remove every answer ``person`` gave; True when there were any."""
    if actor.pk != person.pk:
        raise PermissionDenied(ONLY_YOU)
    with transaction.atomic():
        existing = EqualityAnswers.objects.select_for_update().filter(user_id=person.pk).first()
        if existing is None:
            return False
        _remove(actor, existing)
    return True


def _remove(actor: Any, existing: EqualityAnswers) -> None:
    audit.record(actor=actor, action="equality.answers_remove", obj=existing,
                 summary="Removed their equality monitoring answers", after={"removed": True})
    existing.delete()
