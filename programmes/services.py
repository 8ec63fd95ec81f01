"""Every write in a preceptorship: one service per change, inside a transaction, audited.

Services raise ``ValidationError`` (with field names where a form can show the message beside
the field) or ``TransitionError`` for a change the record's state does not allow. They assume
the caller has already checked access (views use ``preceptorship.access``).
"""

from __future__ import annotations

import datetime
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Count, Q
from django.urls import reverse
from django.utils import timezone

from preceptorship import access, audit
from preceptorship.models import Membership, Organisation, Profession, User
from preceptorship.notifications import notify
from programmes.calendar_events import (
    review_invitations_cancel,
    review_invitations_new_mentor,
    review_invitations_restore,
)
from programmes.models import (
    CompletionConfirmation,
    Enrolment,
    Evaluation,
    Extension,
    Goal,
    GoalUpdate,
    NeedsAssessment,
    Pause,
    Programme,
    ProtectedTime,
    Reflection,
    ReflectionFeedback,
    ReviewAction,
    ReviewAddendum,
    ReviewMeeting,
)
from programmes.reminders import enrolment_invitation
from programmes.schedule import Period, Schedule, build_schedule, overlapping

Role = Membership.Role
COMPLETION_WINDOW_DAYS = 31  # confirmations open a month before the completion date
MAX_PROGRAMME_MONTHS = 60
MAX_PAUSE_DAYS = 3 * 366  # the longest leave a preceptorship is paused for


class TransitionError(ValueError):
    """A change the record's current state does not allow."""


@dataclass(frozen=True)
class CapacityWarning:
    mentor: User
    current: int
    adding: int
    capacity: int

    def __str__(self) -> str:
        return (
            f"{self.mentor} already mentors {self.current} active preceptee{'s' if self.current != 1 else ''}; "
            f"adding {self.adding} makes {self.current + self.adding}, over the programme's capacity of "
            f"{self.capacity}."
        )


class OverCapacity(Exception):  # noqa: N818 - reads as the situation, like Http404
    def __init__(self, warning: CapacityWarning) -> None:
        super().__init__(str(warning))
        self.warning = warning


def _lock(enrolment: Enrolment) -> Enrolment:
    return Enrolment.objects.select_for_update().select_related("programme").get(pk=enrolment.pk)


def _today() -> datetime.date:
    return timezone.localdate()


# Programmes


PROGRAMME_FIELDS = [
    "name", "organisation", "shared_with_ics", "transitions", "length_months", "review_interval_months",
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
    if programme.mentor_capacity is not None and programme.mentor_capacity < 1:
        errors["mentor_capacity"] = "A mentor must be able to support at least 1 preceptee."
    if errors:
        raise ValidationError(errors)


@transaction.atomic
def programme_create(*, actor: User, professions: Iterable[Profession], **fields: Any) -> Programme:
    programme = Programme(**fields)
    _check_programme_rules(programme)
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
    for name, value in fields.items():
        setattr(programme, name, value)
    _check_programme_rules(programme)
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
    programme.status, programme.closed_on = Programme.Status.CLOSED, _today()
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


# Enrolments


def mentor_load(mentor: User) -> int:
    return Enrolment.objects.filter(mentor=mentor, status__in=Enrolment.CURRENT).count()


def capacity_warning(*, programme: Programme, mentor: User, adding: int) -> CapacityWarning | None:
    current = mentor_load(mentor)
    if current + adding > programme.mentor_capacity:
        return CapacityWarning(mentor=mentor, current=current, adding=adding, capacity=programme.mentor_capacity)
    return None


def preceptee_organisation(*, programme: Programme, preceptee: User) -> Membership | None:
    """The membership through which the person can join this programme (their employer)."""
    memberships = Membership.objects.filter(user=preceptee).select_related("organisation").order_by("id")
    for membership in memberships:
        if membership.organisation_id == programme.organisation_id:
            return membership
    if programme.shared_with_ics:
        ics_id = programme.organisation.ics_id
        for membership in memberships:
            if ics_id and membership.organisation.ics_id == ics_id:
                return membership
    return None


def mentor_permitted(*, preceptee: User, organisation: Organisation, mentor: User) -> bool:
    """A mentor of the preceptee's own organisation, or of another organisation of the same ICS
    when they share the preceptee's profession (the answer for small professions)."""
    if mentor.pk == preceptee.pk:
        return False
    mentoring = Membership.objects.filter(user=mentor, role=Role.MENTOR)
    if mentoring.filter(organisation=organisation).exists():
        return True
    return bool(
        organisation.ics_id
        and preceptee.profession_id
        and mentor.profession_id == preceptee.profession_id
        and mentoring.filter(organisation__ics_id=organisation.ics_id).exists()
    )


def enrolment_schedule(enrolment: Enrolment) -> Schedule:
    programme = enrolment.programme
    saved = enrolment.pk is not None  # a new enrolment has no pauses or extensions yet
    return build_schedule(
        start=enrolment.start_date,
        interval_months=programme.review_interval_months,
        length_months=programme.length_months,
        pauses=[Period(p.start_date, p.end_date) for p in enrolment.pauses.all()] if saved else [],
        extension_months=sum(e.months for e in enrolment.extensions.all()) if saved else 0,
    )


def _refresh_dates(enrolment: Enrolment, *, next_review: datetime.date | None = None) -> None:
    """Keep the denormalised dates the reminder sweep reads in step with the schedule."""
    schedule = enrolment_schedule(enrolment)
    enrolment.completion_due = schedule.completion
    if not enrolment.is_current:
        enrolment.next_review_due = None
    elif schedule.review_due(enrolment.reviews_held + 1) is None:
        enrolment.next_review_due = None
    else:
        enrolment.next_review_due = next_review or schedule.review_due(enrolment.reviews_held + 1)


def _check_people(
    *, programme: Programme, preceptee: User, mentor: User, line_manager: User | None
) -> Membership:
    errors: dict[str, str] = {}
    membership = preceptee_organisation(programme=programme, preceptee=preceptee)
    if membership is None:
        raise ValidationError({"preceptee": f"{preceptee} does not work for an organisation this programme serves."})
    if not mentor_permitted(preceptee=preceptee, organisation=membership.organisation, mentor=mentor):
        errors["mentor"] = (
            f"{mentor} is not a mentor in {membership.organisation}, nor a mentor of the same profession "
            "in another organisation of the ICS. Choose another mentor."
        )
    if line_manager is not None and not Membership.objects.filter(
        user=line_manager, organisation=membership.organisation, role=Role.LINE_MANAGER
    ).exists():
        errors["line_manager"] = f"{line_manager} is not a line manager in {membership.organisation}."
    if line_manager is not None and line_manager.pk == preceptee.pk:
        errors["line_manager"] = "A preceptee cannot be their own line manager."
    if errors:
        raise ValidationError(errors)
    return membership


def _enrol_one(
    *, actor: User, programme: Programme, preceptee: User, start_date: datetime.date, transition: str,
    mentor: User, line_manager: User | None,
) -> Enrolment:
    membership = _check_people(programme=programme, preceptee=preceptee, mentor=mentor, line_manager=line_manager)
    if Enrolment.objects.filter(programme=programme, preceptee=preceptee, status__in=Enrolment.CURRENT).exists():
        raise ValidationError({"preceptee": f"{preceptee} is already enrolled on this programme."})
    enrolment = Enrolment(
        programme=programme, preceptee=preceptee, organisation=membership.organisation, team=membership.team,
        start_date=start_date, transition=transition, mentor=mentor, line_manager=line_manager,
        completion_due=start_date,
    )
    _refresh_dates(enrolment)
    enrolment.full_clean(validate_constraints=False)
    try:
        with transaction.atomic():
            enrolment.save()
    except IntegrityError:
        raise ValidationError({"preceptee": f"{preceptee} is already enrolled on this programme."}) from None
    audit.record(actor=actor, action="enrolment.create", obj=enrolment, summary=f"Enrolled {preceptee} on {programme}",
                 after=audit.snapshot(enrolment, ["start_date", "transition", "mentor", "line_manager"]))
    return enrolment


def _check_programme_open(programme: Programme, start_date: datetime.date) -> None:
    if programme.status != Programme.Status.OPEN:
        raise TransitionError("This programme is closed to new enrolments.")
    if transition_start_too_early(start_date):
        raise ValidationError({"start_date": "The start date must be within the last two years."})
    if start_date > _today() + datetime.timedelta(days=366):
        raise ValidationError({"start_date": "The start date must be within the next year."})


def transition_start_too_early(start_date: datetime.date) -> bool:
    return start_date < _today() - datetime.timedelta(days=731)


@transaction.atomic
def enrolment_create(
    *, actor: User, programme: Programme, preceptee: User, start_date: datetime.date, transition: str,
    mentor: User, line_manager: User | None = None, confirm_over_capacity: bool = False,
) -> Enrolment:
    return enrolment_cohort_create(
        actor=actor, programme=programme, preceptees=[preceptee], start_date=start_date, transition=transition,
        mentor=mentor, line_manager=line_manager, confirm_over_capacity=confirm_over_capacity,
    )[0]


@transaction.atomic
def enrolment_cohort_create(
    *, actor: User, programme: Programme, preceptees: Sequence[User], start_date: datetime.date, transition: str,
    mentor: User, line_manager: User | None = None, confirm_over_capacity: bool = False,
) -> list[Enrolment]:
    """Enrol one or several people with the same start, mentor and line manager.

    Raises ``OverCapacity`` (before writing anything) when the mentor would go over the
    programme's capacity and the programme lead has not confirmed."""
    programme = Programme.objects.select_for_update().get(pk=programme.pk)
    _check_programme_open(programme, start_date)
    if not preceptees:
        raise ValidationError({"preceptees": "Choose at least one person to enrol."})
    User.objects.select_for_update().filter(pk=mentor.pk).first()  # serialise capacity checks per mentor
    warning = capacity_warning(programme=programme, mentor=mentor, adding=len(preceptees))
    if warning and not confirm_over_capacity:
        raise OverCapacity(warning)
    enrolments = []
    problems: list[str] = []
    for preceptee in preceptees:
        try:
            enrolments.append(_enrol_one(
                actor=actor, programme=programme, preceptee=preceptee, start_date=start_date,
                transition=transition, mentor=mentor, line_manager=line_manager,
            ))
        except ValidationError as error:
            problems.extend(f"{message}" for message in error.messages)
    if problems:
        if len(preceptees) == 1:
            raise ValidationError(_single_errors(problems, preceptees, mentor, line_manager))
        raise ValidationError({"preceptees": problems})
    return enrolments


def _single_errors(problems: list[str], preceptees: Sequence[User], mentor: User, line_manager: User | None) -> dict:
    """Put each problem of a single enrolment beside the field it is about."""
    errors: dict[str, list[str]] = {}
    for message in problems:
        if message.startswith(str(mentor)) and "mentor" in message:
            errors.setdefault("mentor", []).append(message)
        elif line_manager and "line manager" in message:
            errors.setdefault("line_manager", []).append(message)
        else:
            errors.setdefault("preceptee", []).append(message)
    return errors


@transaction.atomic
def enrolment_change_people(
    *, actor: User, enrolment: Enrolment, mentor: User, line_manager: User | None, confirm_over_capacity: bool = False
) -> Enrolment:
    enrolment = _lock(enrolment)
    if not enrolment.is_current:
        raise TransitionError("Only an active or paused enrolment can change mentor or line manager.")
    _check_people(programme=enrolment.programme, preceptee=enrolment.preceptee, mentor=mentor,
                  line_manager=line_manager)
    if mentor.pk != enrolment.mentor_id:
        warning = capacity_warning(programme=enrolment.programme, mentor=mentor, adding=1)
        if warning and not confirm_over_capacity:
            raise OverCapacity(warning)
    before = audit.snapshot(enrolment, ["mentor", "line_manager"])
    enrolment.mentor, enrolment.line_manager = mentor, line_manager
    enrolment.save(update_fields=["mentor", "line_manager", "updated_at"])
    audit.record(actor=actor, action="enrolment.change_people", obj=enrolment, summary="Changed mentor or line manager",
                 before=before, after=audit.snapshot(enrolment, ["mentor", "line_manager"]))
    review_invitations_new_mentor(enrolment=enrolment)  # the next review, in the mentors' calendars
    return enrolment


@transaction.atomic
def enrolment_pause(
    *, actor: User, enrolment: Enrolment, reason: str, start_date: datetime.date, end_date: datetime.date
) -> Pause:
    enrolment = _lock(enrolment)
    if not enrolment.is_current:
        raise TransitionError("Only an active or paused enrolment can be paused.")
    if end_date < start_date:
        raise ValidationError({"end_date": "The end date must be the same as or after the start date."})
    if start_date < enrolment.start_date:
        raise ValidationError({"start_date": "A pause cannot start before the enrolment started."})
    if (end_date - start_date).days > MAX_PAUSE_DAYS:
        raise ValidationError({"end_date": "A pause can last at most 3 years. Record a withdrawal instead."})
    if start_date > _today() + datetime.timedelta(days=366):
        raise ValidationError({"start_date": "A pause can be recorded up to a year ahead."})
    new = Period(start_date, end_date)
    clash = overlapping([Period(p.start_date, p.end_date) for p in enrolment.pauses.all()] + [new])
    if clash:
        other = clash[0] if clash[1] == new else clash[1]
        raise ValidationError({"start_date": f"This pause overlaps another pause ({other.start:%-d %B %Y} to "
                                             f"{other.end:%-d %B %Y}). Pauses cannot overlap."})
    pause = Pause(enrolment=enrolment, reason=reason, start_date=start_date, end_date=end_date, recorded_by=actor)
    pause.full_clean()
    pause.save()
    before = audit.snapshot(enrolment, ["status", "next_review_due", "completion_due"])
    if start_date <= _today() <= end_date:
        enrolment.status = Enrolment.Status.PAUSED
    _refresh_dates(enrolment)
    enrolment.save(update_fields=["status", "next_review_due", "completion_due", "updated_at"])
    audit.record(actor=actor, action="enrolment.pause", obj=enrolment, summary=f"Paused: {pause}",
                 before=before, after=audit.snapshot(enrolment, ["status", "next_review_due", "completion_due"]))
    review_invitations_cancel(enrolment=enrolment)  # if the pause moved the meeting people were invited to
    return pause


@transaction.atomic
def enrolment_pauses_begin(*, today: datetime.date | None = None) -> int:
    """Active enrolments whose recorded pause has begun (leave recorded ahead) become paused, as if
    the pause had been recorded on its first day: the lists, reports and the return form then see
    it. Run by the hourly beat (``programmes.tasks.begin_pauses``); returns how many changed."""
    today = today or _today()
    in_pause = Pause.objects.filter(start_date__lte=today, end_date__gte=today).values("enrolment_id")
    starting = Enrolment.objects.select_for_update().filter(status=Enrolment.Status.ACTIVE, pk__in=in_pause)
    changed = 0
    for enrolment in starting.order_by("pk"):
        enrolment.status = Enrolment.Status.PAUSED
        enrolment.save(update_fields=["status", "updated_at"])
        audit.record(actor=None, action="enrolment.pause_begins", obj=enrolment, summary="The recorded pause began",
                     before={"status": Enrolment.Status.ACTIVE}, after={"status": Enrolment.Status.PAUSED})
        changed += 1
    return changed


def _pause_in_progress(pauses: Sequence[Pause], today: datetime.date) -> Pause | None:
    """The latest pause that has started (``pauses`` in date order)."""
    return next((p for p in reversed(pauses) if p.start_date <= today), None)


def default_return_date(enrolment: Enrolment) -> datetime.date:
    """Today, or the day after the pause's planned last day when that has passed without a resume."""
    today = _today()
    pause = _pause_in_progress(list(enrolment.pauses.order_by("start_date")), today)
    return min(today, pause.end_date + datetime.timedelta(days=1)) if pause else today


@transaction.atomic
def enrolment_resume(*, actor: User, enrolment: Enrolment, on: datetime.date | None = None) -> Enrolment:
    """Back from leave on ``on`` (``default_return_date`` if not given): the pause in progress now ends the
    day before, earlier or later than planned, and every later date is worked out again."""
    enrolment = _lock(enrolment)
    if enrolment.status != Enrolment.Status.PAUSED:
        raise TransitionError("Only a paused enrolment can resume.")
    today = _today()
    on = on or default_return_date(enrolment)
    pauses = list(enrolment.pauses.order_by("start_date"))
    pause = _pause_in_progress(pauses, today)
    if on > today:
        raise ValidationError({"on": "The return date cannot be in the future. Record the return on the day "
                                     "the preceptee is back, or later."})
    if pause is not None:
        if on < pause.start_date:
            raise ValidationError({"on": f"The return date cannot be before the pause started "
                                         f"({pause.start_date:%-d %B %Y})."})
        if (on - pause.start_date).days > MAX_PAUSE_DAYS:
            raise ValidationError({"on": "A pause can last at most 3 years. Record a withdrawal instead."})
    fields = ["status", "next_review_due", "completion_due"]
    before = {**audit.snapshot(enrolment, fields), "pause_end": pause.end_date if pause else None}
    summary = f"Resumed on {on:%-d %B %Y}"
    if pause is not None and on == pause.start_date:
        # Back on the pause's first day: no time was lost, so there is no pause to keep.
        pause.delete()
        pause, summary = None, f"{summary}, the first day of the pause: the pause is removed"
    elif pause is not None and pause.end_date != on - datetime.timedelta(days=1):
        pause.end_date = on - datetime.timedelta(days=1)
        pause.save(update_fields=["end_date", "updated_at"])
    enrolment.status = Enrolment.Status.ACTIVE
    _refresh_dates(enrolment)
    enrolment.save(update_fields=["status", "next_review_due", "completion_due", "updated_at"])
    audit.record(actor=actor, action="enrolment.resume", obj=enrolment, summary=summary, before=before,
                 after={**audit.snapshot(enrolment, fields), "pause_end": pause.end_date if pause else None})
    review_invitations_restore(enrolment=enrolment)  # the meeting the pause withdrew, back in calendars
    return enrolment


@transaction.atomic
def enrolment_extend(*, actor: User, enrolment: Enrolment, months: int, reason: str) -> Extension:
    enrolment = _lock(enrolment)
    if not enrolment.is_current:
        raise TransitionError("Only an active or paused enrolment can be extended.")
    extension = Extension(enrolment=enrolment, months=months, reason=reason, recorded_by=actor)
    extension.full_clean()
    extension.save()
    before = audit.snapshot(enrolment, ["next_review_due", "completion_due"])
    # The completion date moves, so the mentor and line manager are asked again when it comes: an
    # earlier answer (a "not yet" proposing this extension, or a confirmation) no longer stands.
    answers = enrolment.confirmations.order_by("role")
    before["completion_answers"] = [
        {"role": a.role, "confirmed": a.confirmed, "reason": a.reason, "proposed_months": a.proposed_extension_months}
        for a in answers
    ]
    answers.delete()
    _refresh_dates(enrolment, next_review=enrolment.next_review_due)
    enrolment.save(update_fields=["next_review_due", "completion_due", "updated_at"])
    audit.record(
        actor=actor, action="enrolment.extend", obj=enrolment, summary=f"Extended by {months} months: {reason}",
        before=before,
        after={**audit.snapshot(enrolment, ["next_review_due", "completion_due"]), "completion_answers": []},
    )
    return extension


@transaction.atomic
def enrolment_withdraw(
    *, actor: User, enrolment: Enrolment, on: datetime.date, reason: str, detail: str = ""
) -> Enrolment:
    enrolment = _lock(enrolment)
    if not enrolment.is_current:
        raise TransitionError("Only an active or paused enrolment can be withdrawn.")
    if on < enrolment.start_date:
        raise ValidationError({"on": "The withdrawal date cannot be before the enrolment started."})
    if on > _today():
        raise ValidationError({"on": "The withdrawal date cannot be in the future."})
    if reason == Enrolment.WithdrawalReason.OTHER and not detail.strip():
        raise ValidationError({"detail": "Say why the preceptee withdrew."})
    before = audit.snapshot(enrolment, ["status"])
    enrolment.status = Enrolment.Status.WITHDRAWN
    enrolment.withdrawn_on, enrolment.withdrawal_reason, enrolment.withdrawal_detail = on, reason, detail
    enrolment.next_review_due = None
    enrolment.full_clean(validate_constraints=False)
    enrolment.save()
    audit.record(actor=actor, action="enrolment.withdraw", obj=enrolment,
                 summary=f"Withdrawn on {on}: {enrolment.get_withdrawal_reason_display()}",
                 before=before, after=audit.snapshot(enrolment, ["status", "withdrawal_reason"]))
    review_invitations_cancel(enrolment=enrolment)
    return enrolment


# Review meetings


REVIEW_FIELDS = [
    "held_on", "attended_preceptee", "attended_mentor", "attended_line_manager", "attended_others", "discussion",
    "wellbeing", "confidence", "protected_time_received", "next_meeting_on",
]


@dataclass(frozen=True)
class ActionItem:
    description: str
    owner: str
    due_on: datetime.date | None = None


def default_next_meeting(
    enrolment: Enrolment, *, after_number: int, held_on: datetime.date | None = None
) -> datetime.date | None:
    return _scheduled_after(enrolment_schedule(enrolment), after_number, held_on or _today())


def _scheduled_after(schedule: Schedule, number: int, held_on: datetime.date) -> datetime.date | None:
    """The next meeting by the schedule: review ``number + 1``'s date, or, when the meetings have fallen
    behind and that date has passed by the day held, the schedule's next date still to come (so a
    meeting just held is not followed at once by one overdue, and a default is never refused)."""
    scheduled = schedule.review_due(number + 1)
    if scheduled is None or scheduled > held_on:
        return scheduled
    return next((day for day in schedule.reviews if day > held_on), scheduled)


def _validate_held(enrolment: Enrolment, held_on: datetime.date, next_meeting_on: datetime.date | None) -> None:
    errors = {}
    if held_on > _today():
        errors["held_on"] = "The date held cannot be in the future."
    elif held_on < enrolment.start_date:
        errors["held_on"] = f"The date held cannot be before the enrolment started ({enrolment.start_date:%-d %B %Y})."
    if next_meeting_on and next_meeting_on <= held_on:
        errors["next_meeting_on"] = "The next meeting must be after this one."
    if errors:
        raise ValidationError(errors)


@transaction.atomic
def review_record(
    *, actor: User, enrolment: Enrolment, held_on: datetime.date, discussion: str, wellbeing: int, confidence: int,
    attended_preceptee: bool = True, attended_mentor: bool = True, attended_line_manager: bool = False,
    attended_others: str = "", protected_time_received: str = "", next_meeting_on: datetime.date | None = None,
    goal_progress: dict[int, str] | None = None, actions: Sequence[ActionItem] = (),
) -> ReviewMeeting:
    enrolment = _lock(enrolment)
    if not enrolment.is_current:
        raise TransitionError("Reviews can only be recorded for an active or paused enrolment.")
    _validate_held(enrolment, held_on, next_meeting_on)
    number = enrolment.reviews_held + 1
    schedule = enrolment_schedule(enrolment)
    review = ReviewMeeting(
        enrolment=enrolment, number=number, status=ReviewMeeting.Status.HELD, due_on=enrolment.next_review_due,
        held_on=held_on, attended_preceptee=attended_preceptee, attended_mentor=attended_mentor,
        attended_line_manager=attended_line_manager, attended_others=attended_others, discussion=discussion,
        wellbeing=wellbeing, confidence=confidence, protected_time_received=protected_time_received,
        next_meeting_on=next_meeting_on or _scheduled_after(schedule, number, held_on), recorded_by=actor,
    )
    review.full_clean()
    review.save()
    _save_goal_progress(actor=actor, review=review, goal_progress=goal_progress or {})
    _save_actions(review, actions)
    enrolment.reviews_held = number
    _refresh_dates(enrolment, next_review=review.next_meeting_on)
    enrolment.save(update_fields=["reviews_held", "next_review_due", "updated_at"])
    audit.record(actor=actor, action="review.record", obj=review, summary=f"Recorded review {number}",
                 after=audit.snapshot(review, REVIEW_FIELDS))
    notify(
        recipient=enrolment.preceptee, kind="review_recorded", about=review,
        subject=f"Your review meeting {number} has been recorded",
        body="Your mentor has recorded your review meeting. Please read it, acknowledge it and add a comment if "
             "you want to.",
        url=reverse("programmes:review-detail", args=[review.pk]), essential=False,
    )
    return review


def _save_goal_progress(*, actor: User, review: ReviewMeeting, goal_progress: dict[int, str]) -> None:
    goals = {g.pk: g for g in review.enrolment.goals.filter(pk__in=list(goal_progress))}
    for goal_id, note in goal_progress.items():
        if note.strip() and goal_id in goals:
            GoalUpdate.objects.create(goal=goals[goal_id], on=review.held_on, note=note, author=actor, review=review)


def _save_actions(review: ReviewMeeting, actions: Sequence[ActionItem]) -> None:
    for item in actions:
        action = ReviewAction(review=review, description=item.description, owner=item.owner, due_on=item.due_on)
        action.full_clean()
        action.save()


def _meeting_outcomes(review: ReviewMeeting) -> dict[str, Any]:
    """The goal progress and actions recorded at a meeting, as the audit log keeps them."""
    return {
        "goal_progress": {str(u.goal_id): u.note for u in review.goal_updates.order_by("goal_id", "id")},
        "actions": [
            {"description": a.description, "owner": a.owner, "due_on": a.due_on.isoformat() if a.due_on else None}
            for a in review.actions.all()
        ],
    }


def _correct_goal_progress(*, actor: User, review: ReviewMeeting, goal_progress: dict[int, str]) -> None:
    """Each goal's note from this meeting becomes what was typed: changed, added, or removed when emptied."""
    recorded = {u.goal_id: u for u in review.goal_updates.select_for_update()}
    for goal_id, note in goal_progress.items():
        update = recorded.get(goal_id)
        if update is None:
            continue
        if not note.strip():
            update.delete()
        elif update.note != note:
            update.note = note
            update.save(update_fields=["note", "updated_at"])
    _save_goal_progress(actor=actor, review=review,
                        goal_progress={k: v for k, v in goal_progress.items() if k not in recorded})
    review.goal_updates.exclude(on=review.held_on).update(on=review.held_on)


@transaction.atomic
def review_correct(
    *, actor: User, review: ReviewMeeting, goal_progress: dict[int, str] | None = None,
    actions: Sequence[ActionItem] | None = None, **fields: Any,
) -> ReviewMeeting:
    """Correct a held meeting's record within 7 days: its fields, and (when given) the progress noted on
    each goal and the actions agreed, which replace those recorded."""
    review = ReviewMeeting.objects.select_for_update().select_related("enrolment").get(pk=review.pk)
    if review.is_locked():
        raise TransitionError("This record is locked (more than 7 days old). Add an addendum instead.")
    if review.status != ReviewMeeting.Status.HELD:
        raise TransitionError("Only a held meeting's record can be corrected.")
    before = {**audit.snapshot(review, REVIEW_FIELDS), **_meeting_outcomes(review)}
    for name, value in fields.items():
        if name not in REVIEW_FIELDS:
            raise ValueError(f"{name} cannot be corrected.")
        setattr(review, name, value)
    _validate_held(review.enrolment, review.held_on, review.next_meeting_on)
    review.full_clean()
    review.save()
    if actions is not None:
        review.actions.all().delete()
        _save_actions(review, actions)
    _correct_goal_progress(actor=actor, review=review, goal_progress=goal_progress or {})
    enrolment = _lock(review.enrolment)
    if enrolment.reviews_held == review.number and enrolment.is_current:
        _refresh_dates(enrolment, next_review=review.next_meeting_on)
        enrolment.save(update_fields=["next_review_due", "updated_at"])
    after = {**audit.snapshot(review, REVIEW_FIELDS), **_meeting_outcomes(review)}
    changed = [name for name in after if after[name] != before[name]]
    audit.record(actor=actor, action="review.correct", obj=review, summary=f"Corrected review {review.number}",
                 before={name: before[name] for name in changed}, after={name: after[name] for name in changed})
    return review


@transaction.atomic
def review_add_addendum(*, actor: User, review: ReviewMeeting, text: str) -> ReviewAddendum:
    review = ReviewMeeting.objects.select_for_update().get(pk=review.pk)
    if not review.is_locked():
        raise TransitionError("The record can still be corrected directly for 7 days after it was recorded.")
    if not text.strip():
        raise ValidationError({"text": "Enter the addendum."})
    addendum = ReviewAddendum.objects.create(review=review, author=actor, text=text)
    audit.record(actor=actor, action="review.addendum", obj=review, summary="Added an addendum",
                 after={"text": text})
    return addendum


@transaction.atomic
def review_acknowledge(*, actor: User, review: ReviewMeeting, comment: str = "") -> ReviewMeeting:
    review = ReviewMeeting.objects.select_for_update().get(pk=review.pk)
    if review.status != ReviewMeeting.Status.HELD:
        raise TransitionError("Only a held meeting's record can be acknowledged.")
    if review.acknowledged_at is not None:
        raise TransitionError("You have already acknowledged this record.")
    review.acknowledged_at = timezone.now()
    review.preceptee_comment = comment
    review.save(update_fields=["acknowledged_at", "preceptee_comment", "updated_at"])
    audit.record(actor=actor, action="review.acknowledge", obj=review, summary=f"Acknowledged review {review.number}",
                 after={"comment": comment})
    return review


@transaction.atomic
def review_mark_not_held(
    *, actor: User, enrolment: Enrolment, status: str, reason: str, new_date: datetime.date
) -> ReviewMeeting:
    """A meeting cancelled or missed: the reason and the new date, which becomes the next review due."""
    enrolment = _lock(enrolment)
    if not enrolment.is_current:
        raise TransitionError("Only an active or paused enrolment has meetings to cancel.")
    if status not in (ReviewMeeting.Status.CANCELLED, ReviewMeeting.Status.MISSED):
        raise ValidationError({"status": "Choose cancelled or missed."})
    errors = {}
    if not reason.strip():
        errors["reason"] = "Say why the meeting did not take place."
    if new_date < _today():
        errors["new_date"] = "The new date must be today or later."
    if errors:
        raise ValidationError(errors)
    review = ReviewMeeting.objects.create(
        enrolment=enrolment, number=enrolment.reviews_held + 1, status=status, due_on=enrolment.next_review_due,
        reason=reason, next_meeting_on=new_date, recorded_by=actor,
    )
    enrolment.next_review_due = new_date
    enrolment.save(update_fields=["next_review_due", "updated_at"])
    audit.record(actor=actor, action=f"review.{status}", obj=review,
                 summary=f"Review {review.number} {status}; new date {new_date}", after={"reason": reason})
    invitation = enrolment_invitation(enrolment)  # the same calendar event, moved to the new date
    for person in (enrolment.preceptee, enrolment.mentor):
        notify(recipient=person, kind="review_moved", about=enrolment, due_on=new_date,
               subject=f"Review meeting {review.number} moved to {new_date:%A %-d %B %Y}",
               body=f"Review meeting {review.number} was {status}. The attached invitation moves it to the new date "
                    "in your calendar.",
               url=enrolment.get_absolute_url(), ics=invitation)
    return review


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
    enrolment = _lock(enrolment)
    goal = Goal(enrolment=enrolment, what=what, measure=measure, achievable=achievable, relevant=relevant,
                target_date=target_date, created_by=actor)
    _validate_goal(goal)
    if target_date < enrolment.start_date:
        raise ValidationError({"target_date": "The target date cannot be before the enrolment started."})
    goal.full_clean()
    goal.save()
    goal.competencies.set(_framework_competencies(enrolment, competencies))
    audit.record(actor=actor, action="goal.create", obj=goal, summary=f"Set goal: {what}",
                 after=audit.snapshot(goal, GOAL_FIELDS))
    return goal


def _framework_competencies(enrolment: Enrolment, competencies: Iterable[Any]) -> list[Any]:
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
        goal.achieved_on = _today()
    elif goal.status != Goal.Status.ACHIEVED:
        goal.achieved_on = None
    _validate_goal(goal)
    goal.full_clean()
    goal.save()
    if competencies is not None:
        goal.competencies.set(_framework_competencies(goal.enrolment, competencies))
    audit.record(actor=actor, action="goal.update", obj=goal, summary=f"Changed goal: {goal.what}",
                 before=before, after=audit.snapshot(goal, GOAL_FIELDS))
    return goal


@transaction.atomic
def goal_add_progress(*, actor: User, goal: Goal, on: datetime.date, note: str) -> GoalUpdate:
    goal = Goal.objects.select_for_update().select_related("enrolment").get(pk=goal.pk)
    errors = {}
    if on > _today():
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
    reflection.competencies.set(_framework_competencies(reflection.enrolment, competencies))
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
    notify(
        recipient=reflection.author, kind="reflection_feedback", about=feedback,
        subject=f"{actor} gave feedback on your reflection \u201c{reflection.title}\u201d",
        url=reflection.get_absolute_url(),
    )
    return feedback


# Protected time and needs assessment


@transaction.atomic
def protected_time_log(
    *, actor: User, enrolment: Enrolment, on: datetime.date, hours: Decimal, activity: str, note: str = ""
) -> ProtectedTime:
    enrolment = _lock(enrolment)
    errors = {}
    if on > _today():
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
    enrolment = _lock(enrolment)
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


# Completion


def completion_open(enrolment: Enrolment, today: datetime.date | None = None) -> bool:
    today = today or _today()
    return enrolment.is_current and today >= enrolment.completion_due - datetime.timedelta(days=COMPLETION_WINDOW_DAYS)


def required_confirmations(enrolment: Enrolment) -> list[str]:
    roles = [CompletionConfirmation.Role.MENTOR]
    if enrolment.line_manager_id:
        roles.append(CompletionConfirmation.Role.LINE_MANAGER)
    return roles


@transaction.atomic
def completion_confirm(
    *, actor: User, enrolment: Enrolment, confirmed: bool, reason: str = "",
    proposed_extension_months: int | None = None,
) -> CompletionConfirmation:
    enrolment = _lock(enrolment)
    if not completion_open(enrolment):
        raise TransitionError(
            f"Completion can be confirmed from {COMPLETION_WINDOW_DAYS} days before the completion date "
            f"({enrolment.completion_due:%-d %B %Y})."
        )
    if actor.pk == enrolment.mentor_id:
        role = CompletionConfirmation.Role.MENTOR
    elif actor.pk == enrolment.line_manager_id:
        role = CompletionConfirmation.Role.LINE_MANAGER
    else:
        raise TransitionError("Only the mentor or the line manager can confirm completion.")
    if confirmed:
        other = enrolment.confirmations.filter(confirmed=True, by=actor).exclude(role=role).first()
        if other is not None:
            raise TransitionError(
                f"You have already confirmed completion as the {other.get_role_display().lower()}. The two "
                "confirmations must come from two different people: ask the programme lead to name someone else "
                "as the mentor or the line manager."
            )
    if not confirmed and not reason.strip():
        raise ValidationError({"reason": "Say why the preceptee has not completed yet."})
    if not confirmed and proposed_extension_months is not None and not 1 <= proposed_extension_months <= 24:
        raise ValidationError({"proposed_extension_months": "Propose an extension of 1 to 24 months."})
    confirmation, _ = CompletionConfirmation.objects.update_or_create(
        enrolment=enrolment, role=role,
        defaults={"by": actor, "confirmed": confirmed, "reason": "" if confirmed else reason,
                  "proposed_extension_months": None if confirmed else proposed_extension_months},
    )
    audit.record(actor=actor, action="completion.confirm", obj=enrolment,
                 summary=f"{confirmation.get_role_display()} {'confirmed' if confirmed else 'did not confirm'} "
                         "completion", after={"confirmed": confirmed, "reason": reason})
    _tell_leads_of_answer(enrolment, confirmation)
    return confirmation


def _tell_leads_of_answer(enrolment: Enrolment, confirmation: CompletionConfirmation) -> None:
    """The programme leads act next: record the outcome once every answer is yes, or extend after a no."""
    if confirmation.confirmed:
        answered = set(enrolment.confirmations.filter(confirmed=True).values_list("role", flat=True))
        if not set(required_confirmations(enrolment)) <= answered:
            return
        kind, about = "completion_ready", enrolment
        subject = f"{enrolment.preceptee}'s completion is confirmed: record the outcome"
        body = "The mentor and the line manager have confirmed completion."
    else:
        months = confirmation.proposed_extension_months
        kind, about = "completion_not_yet", confirmation
        subject = f"{confirmation.get_role_display()} says {enrolment.preceptee} has not completed yet"
        body = confirmation.reason + (f" Proposes an extension of {months} month{'s' if months != 1 else ''}."
                                      if months else "")
    for lead in access.people_in([enrolment.programme.organisation_id], Role.PROGRAMME_LEAD):
        notify(recipient=lead, kind=kind, about=about, due_on=enrolment.completion_due, subject=subject, body=body,
               url=enrolment.get_absolute_url())


@transaction.atomic
def completion_record_outcome(
    *, actor: User, enrolment: Enrolment, outcome: str, completed_on: datetime.date,
    pay_step_on: datetime.date | None = None,
) -> Enrolment:
    enrolment = _lock(enrolment)
    if not enrolment.is_current:
        raise TransitionError("Only an active enrolment can be completed.")
    answers = dict(enrolment.confirmations.filter(confirmed=True).values_list("role", "by_id"))
    missing = [role for role in required_confirmations(enrolment) if role not in answers]
    if missing and enrolment.mentor_id == enrolment.line_manager_id:
        raise TransitionError(
            "The mentor is also the line manager, and completion needs confirming by two different people. Name "
            "another line manager (or mentor) for this enrolment first."
        )
    if len(answers) > 1 and len(set(answers.values())) < len(answers):
        raise TransitionError("Completion was confirmed twice by the same person; it needs two different people. "
                              "Name another mentor or line manager and ask them to confirm.")
    if missing:
        labels = dict(CompletionConfirmation.Role.choices)
        raise TransitionError(
            "Waiting for confirmation from the " + " and the ".join(labels[r].lower() for r in missing) + "."
        )
    errors = {}
    if not outcome.strip():
        errors["outcome"] = 'Enter the outcome, for example "Progressed to Level 2".'
    if completed_on > _today():
        errors["completed_on"] = "The completion date cannot be in the future."
    elif completed_on < enrolment.start_date:
        errors["completed_on"] = "The completion date cannot be before the start date."
    if pay_step_on and pay_step_on < enrolment.start_date:
        errors["pay_step_on"] = "The pay step cannot take effect before the start date."
    if errors:
        raise ValidationError(errors)
    enrolment.status = Enrolment.Status.COMPLETED
    enrolment.completed_on, enrolment.outcome, enrolment.pay_step_on = completed_on, outcome, pay_step_on
    enrolment.next_review_due = None
    enrolment.save()
    audit.record(actor=actor, action="enrolment.complete", obj=enrolment, summary=f"Completed: {outcome}",
                 after=audit.snapshot(enrolment, ["status", "completed_on", "outcome", "pay_step_on"]))
    review_invitations_cancel(enrolment=enrolment)
    notify(
        recipient=enrolment.preceptee, kind="preceptorship_completed", about=enrolment,
        subject="You have completed your preceptorship",
        body="Congratulations. Your certificate is ready to download, and we would value your view of the "
             "programme.",
        url=enrolment.get_absolute_url(), essential=True,
    )
    return enrolment


EVALUATION_FIELDS = ["support_received", "confidence_now", "protected_time", "would_recommend", "comments"]


@transaction.atomic
def evaluation_submit(*, actor: User, enrolment: Enrolment, **answers: Any) -> Evaluation:
    enrolment = _lock(enrolment)
    if enrolment.status != Enrolment.Status.COMPLETED:
        raise TransitionError("The programme can be evaluated once it is completed.")
    if Evaluation.objects.filter(enrolment=enrolment).exists():
        raise TransitionError("You have already evaluated this programme. Thank you.")
    evaluation = Evaluation(enrolment=enrolment, **{k: v for k, v in answers.items() if k in EVALUATION_FIELDS})
    evaluation.full_clean()
    evaluation.save()
    audit.record(actor=actor, action="evaluation.submit", obj=evaluation, summary="Evaluated the programme")
    return evaluation


def mentors_with_load(organisation_ids: Iterable[int]) -> list[User]:
    """Mentors of the given organisations, each with ``current_load`` (one query)."""
    return list(
        User.objects.filter(memberships__organisation_id__in=list(organisation_ids), memberships__role=Role.MENTOR)
        .annotate(current_load=Count("mentored_enrolments", filter=Q(mentored_enrolments__status__in=Enrolment.CURRENT),
                                     distinct=True))
        .distinct()
    )
