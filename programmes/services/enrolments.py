"""Writes for enrolments: enrolling one person or a cohort, changing their people, pausing, resuming,
extending and withdrawing; the mentor capacity rule.
"""

from __future__ import annotations

import datetime
from collections.abc import Sequence

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction

from preceptorship import audit
from preceptorship.errors import TransitionError
from preceptorship.models import Membership, Organisation, User
from programmes import selectors
from programmes.calendar_events import (
    review_invitations_cancel,
    review_invitations_new_mentor,
    review_invitations_restore,
)
from programmes.models import (
    Enrolment,
    Extension,
    Pause,
    Programme,
)
from programmes.schedule import Period, Schedule, build_schedule, overlapping
from programmes.services.common import MAX_PAUSE_DAYS, CapacityWarning, OverCapacity, lock_enrolment, service_today

Role = Membership.Role
# Who cannot be enrolled again: those on the programme now and those who completed it (someone
# who withdrew may start again).
ENROLLED_OR_DONE = (*Enrolment.CURRENT, Enrolment.Status.COMPLETED)


# Enrolments


def mentor_room(*, current: int, capacity: int) -> int:
    """How many more preceptees a mentor can take: THE capacity rule every page and service uses
    (the enrol pages, the one-step enrolment, changing mentor, the mentors list, the mentor
    directory and the proposals of a cohort). Negative when the mentor is over capacity. The load
    and capacity come from ``programmes.selectors.mentor_load_expressions``."""
    return capacity - current


def capacity_warning(*, programme: Programme, mentor: User, adding: int) -> CapacityWarning | None:
    """A warning when ``adding`` more preceptees on ``programme`` take the mentor over their
    capacity (``mentor_room`` with ``programmes.selectors.mentor_load_and_capacity``)."""
    current, capacity = selectors.mentor_load_and_capacity(mentor, adding_to=programme)
    if mentor_room(current=current, capacity=capacity) < adding:
        return CapacityWarning(mentor=mentor, current=current, adding=adding, capacity=capacity)
    return None


def check_capacity(
    *, programme: Programme, adding: Sequence[tuple[User, int]], confirm_over_capacity: bool
) -> list[CapacityWarning]:
    """Lock each mentor (so two leads enrolling at once cannot both take the last place) and raise
    ``OverCapacity``, before anything is written, when any would go over their capacity and the
    programme lead has not confirmed; with the confirmation, the warnings to record."""
    mentors = sorted(adding, key=lambda pair: pair[0].pk)  # locks taken in one order: no deadlock
    list(User.objects.select_for_update().filter(pk__in=[mentor.pk for mentor, _ in mentors]).order_by("pk")
         .values_list("pk", flat=True))
    warnings = [warning for mentor, count in mentors
                if (warning := capacity_warning(programme=programme, mentor=mentor, adding=count))]
    if warnings and not confirm_over_capacity:
        raise OverCapacity(*warnings)
    return warnings


def preceptee_organisation(*, programme: Programme, preceptee: User) -> Membership | None:
    """The membership through which the person can join this programme (their employer)."""
    memberships = Membership.objects.filter(user=preceptee).select_related("organisation").order_by("id")
    return employer_of(programme, list(memberships))


def employer_of(programme: Programme, memberships: Sequence[Membership]) -> Membership | None:
    """``preceptee_organisation`` from one person's memberships (in id order, with their
    organisations), read already: their membership of the programme's organisation, or, for a
    programme shared with the ICS, of another organisation of the ICS."""
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
    mentoring = Membership.objects.filter(user=mentor, role=Role.MENTOR).values_list("organisation_id",
                                                                                     "organisation__ics_id")
    return mentor_allowed(preceptee=preceptee, organisation=organisation, mentor=mentor, mentoring=list(mentoring))


def mentor_allowed(
    *, preceptee: User, organisation: Organisation, mentor: User, mentoring: Sequence[tuple[int, int | None]]
) -> bool:
    """``mentor_permitted`` from the (organisation, ICS) pairs where the mentor mentors, read already."""
    if mentor.pk == preceptee.pk:
        return False
    if any(organisation_id == organisation.pk for organisation_id, _ in mentoring):
        return True
    return bool(
        organisation.ics_id
        and preceptee.profession_id
        and mentor.profession_id == preceptee.profession_id
        and any(ics_id == organisation.ics_id for _, ics_id in mentoring)
    )


def enrolment_schedule(enrolment: Enrolment, *, records: selectors.EnrolmentRecords | None = None) -> Schedule:
    """The enrolment's review dates and completion date, from its programme, pauses and extensions
    (from ``records`` when the caller has read them already)."""
    programme = enrolment.programme
    if enrolment.pk is None:  # a new enrolment has no pauses or extensions yet
        pauses, extensions = [], []
    else:
        records = records if records is not None else selectors.EnrolmentRecords(enrolment)
        pauses, extensions = records.pauses, records.extensions
    return build_schedule(
        start=enrolment.start_date,
        interval_months=programme.review_interval_months,
        length_months=programme.length_months,
        pauses=[Period(p.start_date, p.end_date) for p in pauses],
        extension_months=sum(e.months for e in extensions),
        first_meeting_days=programme.first_meeting_days,
    )


def refresh_dates(enrolment: Enrolment, *, next_review: datetime.date | None = None) -> None:
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
    membership = preceptee_organisation(programme=programme, preceptee=preceptee)
    if membership is None:
        raise ValidationError({"preceptee": not_served(preceptee)})
    errors = people_problems(
        preceptee=preceptee, membership=membership, mentor=mentor,
        mentor_ok=mentor_permitted(preceptee=preceptee, organisation=membership.organisation, mentor=mentor),
        line_manager=line_manager,
        line_manager_ok=line_manager is None or Membership.objects.filter(
            user=line_manager, organisation=membership.organisation, role=Role.LINE_MANAGER).exists(),
    )
    if errors:
        raise ValidationError(errors)
    return membership


def not_served(preceptee: User) -> str:
    return f"{preceptee} does not work for an organisation this programme serves."


def people_problems(
    *, preceptee: User, membership: Membership, mentor: User, mentor_ok: bool, line_manager: User | None,
    line_manager_ok: bool,
) -> dict[str, str]:
    """What is wrong with an enrolment's mentor and line manager, by field, from what was read
    (``mentor_permitted``; whether the line manager manages in the preceptee's organisation)."""
    errors: dict[str, str] = {}
    if not mentor_ok:
        errors["mentor"] = (
            f"{mentor} is not a mentor in {membership.organisation}, nor a mentor of the same profession "
            "in another organisation of the ICS. Choose another mentor."
        )
    if line_manager is not None and not line_manager_ok:
        errors["line_manager"] = f"{line_manager} is not a line manager in {membership.organisation}."
    if line_manager is not None and line_manager.pk == preceptee.pk:
        errors["line_manager"] = "A preceptee cannot be their own line manager."
    return errors


def enrolled_before(preceptee: User, statuses: set[str]) -> str | None:
    """Why the person cannot be enrolled again, from the statuses of their enrolments on the
    programme (``ENROLLED_OR_DONE`` ones); None when they can."""
    if statuses & set(Enrolment.CURRENT):
        return f"{preceptee} is already enrolled on this programme."
    if Enrolment.Status.COMPLETED in statuses:
        return f"{preceptee} has already completed this programme."
    return None


def _enrol_one(
    *, actor: User, programme: Programme, preceptee: User, start_date: datetime.date, transition: str,
    mentor: User, line_manager: User | None,
) -> Enrolment:
    membership = _check_people(programme=programme, preceptee=preceptee, mentor=mentor, line_manager=line_manager)
    earlier = set(Enrolment.objects.filter(programme=programme, preceptee=preceptee, status__in=ENROLLED_OR_DONE)
                  .values_list("status", flat=True))
    if problem := enrolled_before(preceptee, earlier):
        raise ValidationError({"preceptee": problem})
    enrolment = Enrolment(
        programme=programme, preceptee=preceptee, organisation=membership.organisation, team=membership.team,
        start_date=start_date, transition=transition, mentor=mentor, line_manager=line_manager,
        completion_due=start_date,
    )
    refresh_dates(enrolment)
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
    if start_date > service_today() + datetime.timedelta(days=366):
        raise ValidationError({"start_date": "The start date must be within the next year."})


def transition_start_too_early(start_date: datetime.date) -> bool:
    return start_date < service_today() - datetime.timedelta(days=731)


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

    Raises ``OverCapacity`` (before writing anything) when the mentor would go over their
    capacity and the programme lead has not confirmed."""
    programme = Programme.objects.select_for_update().get(pk=programme.pk)
    _check_programme_open(programme, start_date)
    if not preceptees:
        raise ValidationError({"preceptees": "Choose at least one person to enrol."})
    check_capacity(programme=programme, adding=[(mentor, len(preceptees))], confirm_over_capacity=confirm_over_capacity)
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
    enrolment = lock_enrolment(enrolment)
    if not enrolment.is_current:
        raise TransitionError("Only an active or paused enrolment can change mentor or line manager.")
    _check_people(programme=enrolment.programme, preceptee=enrolment.preceptee, mentor=mentor,
                  line_manager=line_manager)
    if mentor.pk != enrolment.mentor_id:
        check_capacity(programme=enrolment.programme, adding=[(mentor, 1)], confirm_over_capacity=confirm_over_capacity)
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
    enrolment = lock_enrolment(enrolment)
    if not enrolment.is_current:
        raise TransitionError("Only an active or paused enrolment can be paused.")
    if end_date < start_date:
        raise ValidationError({"end_date": "The end date must be the same as or after the start date."})
    if start_date < enrolment.start_date:
        raise ValidationError({"start_date": "A pause cannot start before the enrolment started."})
    if (end_date - start_date).days > MAX_PAUSE_DAYS:
        raise ValidationError({"end_date": "A pause can last at most 3 years. Record a withdrawal instead."})
    if start_date > service_today() + datetime.timedelta(days=366):
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
    if start_date <= service_today() <= end_date:
        enrolment.status = Enrolment.Status.PAUSED
    refresh_dates(enrolment)
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
    today = today or service_today()
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
    today = service_today()
    pause = _pause_in_progress(list(enrolment.pauses.order_by("start_date")), today)
    return min(today, pause.end_date + datetime.timedelta(days=1)) if pause else today


@transaction.atomic
def enrolment_resume(*, actor: User, enrolment: Enrolment, on: datetime.date | None = None) -> Enrolment:
    """Back from leave on ``on`` (``default_return_date`` if not given): the pause in progress now ends the
    day before, earlier or later than planned, and every later date is worked out again."""
    enrolment = lock_enrolment(enrolment)
    if enrolment.status != Enrolment.Status.PAUSED:
        raise TransitionError("Only a paused enrolment can resume.")
    today = service_today()
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
    refresh_dates(enrolment)
    enrolment.save(update_fields=["status", "next_review_due", "completion_due", "updated_at"])
    audit.record(actor=actor, action="enrolment.resume", obj=enrolment, summary=summary, before=before,
                 after={**audit.snapshot(enrolment, fields), "pause_end": pause.end_date if pause else None})
    review_invitations_restore(enrolment=enrolment)  # the meeting the pause withdrew, back in calendars
    return enrolment


@transaction.atomic
def enrolment_extend(*, actor: User, enrolment: Enrolment, months: int, reason: str) -> Extension:
    enrolment = lock_enrolment(enrolment)
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
    refresh_dates(enrolment, next_review=enrolment.next_review_due)
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
    enrolment = lock_enrolment(enrolment)
    if not enrolment.is_current:
        raise TransitionError("Only an active or paused enrolment can be withdrawn.")
    if on < enrolment.start_date:
        raise ValidationError({"on": "The withdrawal date cannot be before the enrolment started."})
    if on > service_today():
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
