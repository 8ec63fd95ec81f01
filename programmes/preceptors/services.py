"""Writes of the preceptor's side. Each checks who may make it (``programmes.preceptors.access``),
runs in one transaction and is recorded in the audit log.

The mentor's own training entry takes effect without the lead's confirmation: it is a fact the
mentor knows best, the register says who last changed it, and the lead can correct it. The
registration date, an exception to the registration rule and the time allowance are the lead's.
"""

from __future__ import annotations

import datetime
from decimal import Decimal
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone

from preceptorship import access, audit
from preceptorship.models import Organisation, User
from programmes.access import lead_organisation_ids
from programmes.models import Enrolment, ReviewMeeting
from programmes.preceptors.models import (
    Preceptor,
    PreceptorEvaluation,
    PreceptorRecord,
    PreceptorWellbeing,
    RegisterSettings,
    TimeGiven,
)

TRAINING_FIELDS = ["training_completed_on", "training_course"]
LEAD_FIELDS = ["has_exception", "exception_reason", "exception_agreed_by", "exception_agreed_on", "allowance_hours"]
EVALUATION_FIELDS = ["prepared", "time_enough", "supported", "again", "comments"]


def _not_in_future(field: str, day: datetime.date | None, today: datetime.date) -> None:
    if day is not None and day > today:
        raise ValidationError({field: "The date cannot be in the future."})


def _allowed(actor: Any, preceptor: Preceptor, action: str) -> Preceptor:
    """The register line, read again and locked, if ``actor`` may take ``action`` on it."""
    try:
        locked = Preceptor.objects.select_for_update().select_related("user", "organisation").get(pk=preceptor.pk)
    except Preceptor.DoesNotExist:
        raise ValidationError("This person no longer holds the mentor role here.") from None
    if not access.policy_for(Preceptor).allows(actor, locked, action):
        raise PermissionDenied("You cannot change this register entry.")
    return locked


def _record(preceptor: Preceptor) -> PreceptorRecord:
    record, _ = PreceptorRecord.objects.select_for_update().get_or_create(
        organisation_id=preceptor.organisation_id, mentor_id=preceptor.user_id
    )
    return record


@transaction.atomic
def preceptor_training_update(
    *, actor: User, preceptor: Preceptor, completed_on: datetime.date | None, course: str
) -> PreceptorRecord:
    """The mentor's preceptor training: the date completed and the course's name (both or neither)."""
    preceptor = _allowed(actor, preceptor, "edit_training")
    _not_in_future("training_completed_on", completed_on, timezone.localdate())
    course = course.strip()
    if completed_on is not None and not course:
        raise ValidationError({"training_course": "Enter the name of the course"})
    if course and completed_on is None:
        raise ValidationError({"training_completed_on": "Enter the date the training was completed"})
    record = _record(preceptor)
    before = audit.snapshot(record, TRAINING_FIELDS)
    record.training_completed_on, record.training_course, record.training_updated_by = completed_on, course, actor
    record.full_clean()
    record.save()
    who = "their own" if actor.pk == preceptor.user_id else "the"
    audit.record(actor=actor, action="preceptor_record.training", obj=record,
                 summary=f"Recorded {who} preceptor training of {preceptor.user}", before=before,
                 after=audit.snapshot(record, TRAINING_FIELDS))
    return record


@transaction.atomic
def preceptor_record_update(
    *, actor: User, preceptor: Preceptor, registered_on: datetime.date | None, has_exception: bool,
    exception_reason: str = "", exception_agreed_by: str = "", exception_agreed_on: datetime.date | None = None,
    allowance_hours: Decimal | None = None,
) -> PreceptorRecord:
    """The lead's part of a register entry: the date the mentor first registered with their
    professional body (the person's own record, which the standards scorecard reads), an agreed
    exception to the registration rule (why, who agreed, when) and their own time allowance."""
    preceptor = _allowed(actor, preceptor, "edit")
    today = timezone.localdate()
    _not_in_future("registered_on", registered_on, today)
    _not_in_future("exception_agreed_on", exception_agreed_on, today)
    exception_reason, exception_agreed_by = exception_reason.strip(), exception_agreed_by.strip()
    if has_exception:
        missing = {
            name: message for name, value, message in (
                ("exception_reason", exception_reason, "Enter why the exception was agreed"),
                ("exception_agreed_by", exception_agreed_by, "Enter who agreed the exception"),
                ("exception_agreed_on", exception_agreed_on, "Enter the date the exception was agreed"),
            ) if not value
        }
        if missing:
            raise ValidationError(missing)
    else:
        exception_reason, exception_agreed_by, exception_agreed_on = "", "", None
    record = _record(preceptor)
    before = audit.snapshot(record, LEAD_FIELDS)
    record.has_exception, record.exception_reason = has_exception, exception_reason
    record.exception_agreed_by, record.exception_agreed_on = exception_agreed_by, exception_agreed_on
    record.allowance_hours = allowance_hours
    record.full_clean()
    record.save()
    audit.record(actor=actor, action="preceptor_record.change", obj=record,
                 summary=f"Changed the register entry of {preceptor.user}", before=before,
                 after=audit.snapshot(record, LEAD_FIELDS))
    mentor = User.objects.select_for_update().get(pk=preceptor.user_id)
    if mentor.first_registered_on != registered_on:
        was = mentor.first_registered_on
        mentor.first_registered_on = registered_on
        mentor.save(update_fields=["first_registered_on"])
        audit.record(actor=actor, action="user.registration_date", obj=mentor,
                     summary=f"Recorded when {mentor} first registered", before={"first_registered_on": was},
                     after={"first_registered_on": registered_on}, organisation=preceptor.organisation_id,
                     subject=mentor)
    return record


@transaction.atomic
def register_allowance_set(*, actor: User, organisation: Organisation, hours: Decimal) -> RegisterSettings:
    """The organisation's time allowance per preceptor each year."""
    if organisation.pk not in lead_organisation_ids(actor):
        raise PermissionDenied("Only the organisation's programme leads set the allowance.")
    settings, _ = RegisterSettings.objects.select_for_update().get_or_create(
        organisation=organisation, defaults={"allowance_hours": hours}
    )
    before = audit.snapshot(settings, ["allowance_hours"])
    settings.allowance_hours = hours
    settings.full_clean()
    settings.save()
    audit.record(actor=actor, action="preceptor_register.allowance", obj=settings,
                 summary=f"Set the preceptor time allowance of {organisation} to {hours:g} hours a year",
                 before=before, after=audit.snapshot(settings, ["allowance_hours"]))
    return settings


@transaction.atomic
def time_given_log(
    *, actor: User, enrolment: Enrolment, on: datetime.date, hours: Decimal, note: str = ""
) -> TimeGiven:
    """Time the mentor gave one of their preceptees."""
    enrolment = Enrolment.objects.select_for_update().get(pk=enrolment.pk)
    if enrolment.mentor_id != actor.pk:
        raise ValidationError({"enrolment": "Choose one of your own preceptees."})
    _not_in_future("on", on, timezone.localdate())
    if on < enrolment.start_date:
        raise ValidationError({"on": "The date cannot be before the preceptorship started."})
    entry = TimeGiven(enrolment=enrolment, mentor=actor, on=on, hours=hours, note=note.strip())
    entry.full_clean()
    entry.save()
    audit.record(actor=actor, action="time_given.log", obj=entry, summary=f"Logged {entry} given to a preceptee")
    return entry


@transaction.atomic
def time_given_delete(*, actor: User, entry: TimeGiven) -> None:
    try:
        entry = TimeGiven.objects.select_for_update().get(pk=entry.pk)
    except TimeGiven.DoesNotExist:
        raise ValidationError("This entry has been deleted since you opened it.") from None
    if not access.policy_for(TimeGiven).allows(actor, entry, "delete"):
        raise PermissionDenied("You can only delete your own time.")
    audit.record(actor=actor, action="time_given.delete", obj=entry, summary=f"Deleted {entry}",
                 before=audit.snapshot(entry, ["on", "hours", "note", "enrolment_id"]))
    entry.delete()


@transaction.atomic
def preceptor_wellbeing_record(*, actor: User, review: ReviewMeeting, score: int, note: str = "") -> PreceptorWellbeing:
    """The mentor's own wellbeing after a review meeting they held (recorded again, it is replaced)."""
    review = ReviewMeeting.objects.select_related("enrolment").get(pk=review.pk)
    if review.enrolment.mentor_id != actor.pk:
        raise PermissionDenied("Only the mentor of this review meeting records their own wellbeing after it.")
    if review.status != ReviewMeeting.Status.HELD:
        raise ValidationError("This meeting was not held, so there is no wellbeing to record after it.")
    entry = PreceptorWellbeing.objects.select_for_update().filter(review=review, mentor=actor).first()
    before = audit.snapshot(entry, ["score", "note"]) if entry else None
    entry = entry or PreceptorWellbeing(review=review, mentor=actor)
    entry.score, entry.note = score, note.strip()
    entry.full_clean()
    entry.save()
    audit.record(actor=actor, action="preceptor_wellbeing.record", obj=entry,
                 summary=f"Recorded their own wellbeing after review {review.number}", before=before,
                 after=audit.snapshot(entry, ["score", "note"]))
    return entry


@transaction.atomic
def preceptor_evaluation_submit(*, actor: User, preceptor: Preceptor, year: int, answers: dict[str, Any]
                                ) -> PreceptorEvaluation:
    """The mentor's evaluation of preceptorship in one organisation, once a year."""
    preceptor = _allowed(actor, preceptor, "evaluate")
    if PreceptorEvaluation.objects.filter(organisation_id=preceptor.organisation_id, mentor=actor, year=year).exists():
        raise ValidationError("You have already answered this year's evaluation for this organisation.")
    evaluation = PreceptorEvaluation(
        organisation_id=preceptor.organisation_id, mentor=actor, year=year,
        **{name: answers.get(name) for name in EVALUATION_FIELDS},
    )
    evaluation.comments = (evaluation.comments or "").strip()
    evaluation.full_clean()
    evaluation.save()
    audit.record(actor=actor, action="preceptor_evaluation.submit", obj=evaluation,
                 summary=f"Answered the preceptor evaluation for {year}")
    return evaluation
