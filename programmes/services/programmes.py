"""Writes for programmes: create, update, close and delete.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction

from preceptorship import audit
from preceptorship.errors import TransitionError
from preceptorship.models import Profession, User
from programmes.models import (
    Programme,
)
from programmes.services.common import MAX_PROGRAMME_MONTHS, service_today
from progression.models import Framework

# Programmes


PROGRAMME_FIELDS = [
    "name", "organisation", "shared_with_ics", "transitions", "length_months", "review_interval_months",
    "first_meeting_days", "protected_caseload_percent", "protected_caseload_months",
    "entry_level", "exit_level", "protected_hours_per_month", "framework", "mentor_capacity",
]


def _check_programme_rules(programme: Programme) -> None:
    """The rules the database constraints hold, each as a message beside its field."""
    errors = {}
    if programme.length_months is not None and programme.length_months < 1:
        errors["length_months"] = "The length must be at least 1 month."
    elif programme.length_months is not None and programme.length_months > MAX_PROGRAMME_MONTHS:
        errors["length_months"] = f"A programme can last at most {MAX_PROGRAMME_MONTHS} months."
    if programme.review_interval_months is not None and programme.review_interval_months < 1:
        errors["review_interval_months"] = "Review meetings must be at least 1 month apart."
    elif (programme.length_months or 0) >= 1 and (programme.review_interval_months or 0) > programme.length_months:
        errors["review_interval_months"] = "Review meetings cannot be further apart than the programme's length."
    if programme.first_meeting_days is not None and programme.first_meeting_days < 1:
        errors["first_meeting_days"] = "The first review meeting must be at least 1 day after the start."
    percent, months = programme.protected_caseload_percent, programme.protected_caseload_months
    if percent is not None and months is None:
        errors["protected_caseload_months"] = "Enter for how many months the caseload is protected."
    elif months is not None and percent is None:
        errors["protected_caseload_percent"] = "Enter the most of a full caseload a preceptee carries then."
    elif percent is not None and not 1 <= percent <= 100:
        errors["protected_caseload_percent"] = "Enter a share from 1 to 100."
    if months is not None and not 1 <= months <= 36:
        errors["protected_caseload_months"] = "Enter from 1 to 36 months."
    if programme.mentor_capacity is not None and programme.mentor_capacity < 1:
        errors["mentor_capacity"] = "A mentor must be able to support at least 1 preceptee."
    if errors:
        raise ValidationError(errors)


def _level(text: str) -> str:
    return " ".join((text or "").split()).casefold()


def framework_programme_refusal(framework: Framework, professions: Iterable[Profession], entry_level: str) -> str:
    """Why ``framework`` does not suit a programme of ``professions`` entered at ``entry_level``, or "".
    The rule of a progression case's framework, for a whole programme: a framework that names
    professions must name every profession of the programme (each preceptee works to it), and one
    that records the level it starts from must start from the programme's entry level when both are
    recorded. A framework that records neither suits every programme; a skills passport suits none."""
    if framework.kind == Framework.Kind.SKILLS_PASSPORT:
        return f"{framework.name} is a skills passport, which workers keep themselves: choose a practice framework."
    named = {p.pk: p.name.lower() for p in framework.professions.all()}
    missing = sorted(p.name.lower() for p in professions if p.pk not in named)
    if named and missing:
        return (f"Choose a framework for the programme's professions: {framework.name} is for "
                f"{' or '.join(sorted(named.values()))}, not {' or '.join(missing)}.")
    if framework.from_level and entry_level and _level(framework.from_level) != _level(entry_level):
        return (f"Choose a framework that starts from the programme's entry level ({entry_level}): "
                f"{framework.name} starts from {framework.from_level}.")
    return ""


def _check_framework(programme: Programme, professions: Iterable[Profession]) -> None:
    if programme.framework_id is None:
        return
    refusal = framework_programme_refusal(programme.framework, professions, programme.entry_level)
    if refusal:
        raise ValidationError({"framework": refusal})


@transaction.atomic
def programme_create(*, actor: User, professions: Iterable[Profession], **fields: Any) -> Programme:
    programme = Programme(**fields)
    professions = list(professions)
    _check_programme_rules(programme)
    _check_framework(programme, professions)
    programme.full_clean()
    programme.save()
    programme.professions.set(professions)
    audit.record(actor=actor, action="programme.create", obj=programme, summary=f"Created {programme}",
                 after=audit.snapshot(programme, PROGRAMME_FIELDS))
    return programme


@transaction.atomic
def programme_update(
    *, actor: User, programme: Programme, professions: Iterable[Profession] | None = None, **fields: Any
) -> Programme:
    programme = Programme.objects.select_for_update().get(pk=programme.pk)
    before = audit.snapshot(programme, PROGRAMME_FIELDS)
    if programme.enrolments.exists() and any(
        name in fields and fields[name] != getattr(programme, name)
        for name in ("length_months", "review_interval_months")
    ):
        # Changing the rules under running enrolments would move everyone's dates silently.
        raise ValidationError({"length_months": "This programme has enrolments, so its length and review "
                                               "interval can no longer change. Extend individual enrolments."})
    was = (programme.framework_id, programme.entry_level, set(programme.professions.values_list("pk", flat=True)))
    for name, value in fields.items():
        setattr(programme, name, value)
    _check_programme_rules(programme)
    professions = list(professions) if professions is not None else list(programme.professions.all())
    if was != (programme.framework_id, programme.entry_level, {p.pk for p in professions}):
        # Checked when the choice or what it must suit changes, so older choices never block other edits.
        _check_framework(programme, professions)
    programme.full_clean()
    programme.save()
    if professions is not None:
        programme.professions.set(professions)
    audit.record(actor=actor, action="programme.update", obj=programme, summary=f"Changed {programme}",
                 before=before, after=audit.snapshot(programme, PROGRAMME_FIELDS))
    return programme


@transaction.atomic
def programme_close(*, actor: User, programme: Programme) -> Programme:
    programme = Programme.objects.select_for_update().get(pk=programme.pk)
    if programme.status == Programme.Status.CLOSED:
        raise TransitionError("This programme is already closed.")
    programme.status, programme.closed_on = Programme.Status.CLOSED, service_today()
    programme.save(update_fields=["status", "closed_on", "updated_at"])
    audit.record(actor=actor, action="programme.close", obj=programme, summary=f"Closed {programme}")
    return programme


@transaction.atomic
def programme_delete(*, actor: User, programme: Programme) -> None:
    programme = Programme.objects.select_for_update().get(pk=programme.pk)
    if programme.enrolments.exists():
        raise TransitionError("A programme with enrolments cannot be deleted. Close it instead.")
    audit.record(actor=actor, action="programme.delete", obj=programme, summary=f"Deleted {programme}")
    programme.delete()
