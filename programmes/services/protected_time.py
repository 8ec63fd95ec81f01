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


@transaction.atomic
def protected_time_log(
    *, actor: User, enrolment: Enrolment, on: datetime.date, hours: Decimal, activity: str, note: str = ""
) -> ProtectedTime:
    enrolment = lock_enrolment(enrolment)
    errors = {}
    if on > service_today():
        errors["on"] = "The date cannot be in the future."
    elif on < enrolment.start_date:
        errors["on"] = "The date cannot be before the enrolment started."
    if errors:
        raise ValidationError(errors)
    entry = ProtectedTime(enrolment=enrolment, on=on, hours=hours, activity=activity, note=note, logged_by=actor)
    entry.full_clean()
    entry.save()
    audit.record(actor=actor, action="protected_time.log", obj=entry, summary=f"Logged {entry}")
    return entry


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
