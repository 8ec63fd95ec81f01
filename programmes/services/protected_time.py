"""Writes for protected time and the needs assessment.
"""

from __future__ import annotations

import datetime
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from preceptorship import audit
from preceptorship.models import User
from programmes.models import (
    Enrolment,
    NeedsAssessment,
    ProtectedTime,
)
from programmes.services.common import lock_enrolment, service_today

# Protected time and needs assessment


PROTECTED_TIME_FIELDS = ["on", "hours", "activity", "note"]


def _check_day(enrolment: Enrolment, on: datetime.date) -> None:
    if on > service_today():
        raise ValidationError({"on": "The date cannot be in the future."})
    if on < enrolment.start_date:
        raise ValidationError({"on": "The date cannot be before the enrolment started."})


@transaction.atomic
def protected_time_log(
    *, actor: User, enrolment: Enrolment, on: datetime.date, hours: Decimal, activity: str, note: str = ""
) -> ProtectedTime:
    enrolment = lock_enrolment(enrolment)
    _check_day(enrolment, on)
    entry = ProtectedTime(enrolment=enrolment, on=on, hours=hours, activity=activity, note=note, logged_by=actor)
    entry.full_clean()
    entry.save()
    audit.record(actor=actor, action="protected_time.log", obj=entry, summary=f"Logged {entry}")
    return entry


def _lock_entry(entry: ProtectedTime) -> ProtectedTime:
    """The entry, locked, with its enrolment locked first (the order every enrolment write takes)."""
    lock_enrolment(entry.enrolment)
    try:
        return ProtectedTime.objects.select_for_update().select_related("enrolment").get(pk=entry.pk)
    except ProtectedTime.DoesNotExist:
        raise ValidationError("This entry has been deleted since you opened it.") from None


def _refuse_unless_current(entry: ProtectedTime) -> None:
    # Once the preceptorship has ended its record of time is what the completion was confirmed on.
    if not entry.enrolment.is_current:
        raise ValidationError("The preceptorship has ended, so its protected time can no longer be changed.")


@transaction.atomic
def protected_time_correct(
    *, actor: User, entry: ProtectedTime, on: datetime.date, hours: Decimal, activity: str, note: str = ""
) -> ProtectedTime:
    entry = _lock_entry(entry)
    _refuse_unless_current(entry)
    _check_day(entry.enrolment, on)
    before = audit.snapshot(entry, PROTECTED_TIME_FIELDS)
    entry.on, entry.hours, entry.activity, entry.note = on, hours, activity, note
    entry.full_clean()
    entry.save()
    audit.record(actor=actor, action="protected_time.correct", obj=entry, summary=f"Corrected {entry}",
                 before=before, after=audit.snapshot(entry, PROTECTED_TIME_FIELDS))
    return entry


@transaction.atomic
def protected_time_delete(*, actor: User, entry: ProtectedTime) -> None:
    entry = _lock_entry(entry)
    _refuse_unless_current(entry)
    before = audit.snapshot(entry, PROTECTED_TIME_FIELDS)
    # The audit entry keeps the deleted entry's id and values.
    audit.record(actor=actor, action="protected_time.delete", obj=entry, summary=f"Deleted {entry}", before=before)
    entry.delete()


NEEDS_FIELDS = ["strengths", "learning_needs", "support_wanted", "reasonable_adjustments"]


@transaction.atomic
def needs_assessment_save(*, actor: User, enrolment: Enrolment, submit: bool, **fields: str) -> NeedsAssessment:
    enrolment = lock_enrolment(enrolment)
    assessment, _ = NeedsAssessment.objects.select_for_update().get_or_create(enrolment=enrolment)
    for name, value in fields.items():
        if name not in NEEDS_FIELDS:
            raise ValueError(f"{name} is not part of the needs assessment.")
        setattr(assessment, name, value)
    if submit:
        if not any(getattr(assessment, name).strip() for name in NEEDS_FIELDS):
            raise ValidationError({"strengths": "Fill in at least your strengths or learning needs before sharing."})
        assessment.submitted_at = assessment.submitted_at or timezone.now()
    assessment.full_clean()
    assessment.save()
    # Health information may be in these answers: the audit records that they changed, not what they say.
    audit.record(actor=actor, action="needs_assessment.save", obj=assessment,
                 summary="Shared the needs assessment" if submit else "Saved the needs assessment")
    return assessment
