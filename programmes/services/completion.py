"""Writes for completion: the two confirmations, the outcome, and the preceptee's evaluation.
"""

from __future__ import annotations

import datetime
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction

from preceptorship import access, audit
from preceptorship.errors import TransitionError
from preceptorship.models import Membership, User
from preceptorship.notifications import notify, tasks_done
from programmes.calendar_events import (
    review_invitation_holders,
    review_invitations_cancel,
)
from programmes.models import (
    CompletionConfirmation,
    Enrolment,
    Evaluation,
    Goal,
    ReviewMeeting,
)
from programmes.services.common import COMPLETION_WINDOW_DAYS, lock_enrolment, service_today
from programmes.services.enrolments import enrolment_schedule

Role = Membership.Role


# Completion


def completion_open(enrolment: Enrolment, today: datetime.date | None = None) -> bool:
    today = today or service_today()
    return enrolment.is_current and today >= enrolment.completion_due - datetime.timedelta(days=COMPLETION_WINDOW_DAYS)


def required_confirmations(enrolment: Enrolment) -> list[str]:
    roles = [CompletionConfirmation.Role.MENTOR]
    if enrolment.line_manager_id:
        roles.append(CompletionConfirmation.Role.LINE_MANAGER)
    return roles


def completion_outstanding(enrolment: Enrolment, today: datetime.date | None = None) -> list[str]:
    """What is not done yet for a preceptorship confirmed as complete today: the completion date not
    reached, scheduled reviews not held, goals still open. Confirming completion with any of these
    needs a reason (``completion_confirm``'s ``early_reason``)."""
    today = today or service_today()
    outstanding = []
    if today < enrolment.completion_due:
        days = (enrolment.completion_due - today).days
        outstanding.append(f"The completion date is {enrolment.completion_due:%-d %B %Y}, "
                           f"{days} day{'s' if days != 1 else ''} from today.")
    held = set(enrolment.reviews.filter(status=ReviewMeeting.Status.HELD).values_list("number", flat=True))
    for number, due in enumerate(enrolment_schedule(enrolment).reviews, start=1):
        if number not in held:
            outstanding.append(f"Review {number}, due {due:%-d %B %Y}, has not been held.")
    open_goals = enrolment.goals.filter(status__in=[Goal.Status.NOT_STARTED, Goal.Status.IN_PROGRESS])
    for goal in open_goals.order_by("target_date", "pk").only("what", "status"):
        outstanding.append(f"The goal “{goal.what}” is {goal.get_status_display().lower()}.")
    return outstanding


def completion_confirm_told(enrolment: Enrolment, *, actor: User, confirmed: bool) -> list[tuple[User, str]]:
    """Who an answer tells, as (person, role): the programme leads, after a "not yet" or once every
    confirmation completion waits for is a yes; nobody when a yes still waits for the other one."""
    if confirmed:
        role = _role_of(enrolment, actor)
        answered = {*enrolment.confirmations.filter(confirmed=True).exclude(role=role).values_list("role", flat=True),
                    role}
        if not set(required_confirmations(enrolment)) <= answered:
            return []
    leads = access.people_in([enrolment.programme.organisation_id], Role.PROGRAMME_LEAD)
    return [(lead, Role.PROGRAMME_LEAD.label) for lead in leads.order_by("first_name", "last_name", "pk")]


def completion_outcome_told(enrolment: Enrolment) -> list[tuple[User, str]]:
    """Who recording the outcome tells: the preceptee, and whoever has the next review in their
    calendar (its cancellation is sent to them)."""
    roles = {enrolment.mentor_id: CompletionConfirmation.Role.MENTOR.label,
             enrolment.line_manager_id: CompletionConfirmation.Role.LINE_MANAGER.label}
    holders = User.objects.in_bulk([pk for pk in review_invitation_holders(enrolment)
                                    if pk != enrolment.preceptee_id])
    order = [enrolment.mentor_id, enrolment.line_manager_id]
    calendars = sorted(holders.values(), key=lambda person: (order.index(person.pk) if person.pk in order else 2,
                                                             person.get_full_name()))
    return [(enrolment.preceptee, "Preceptee"), *(
        (person, f"{roles.get(person.pk, 'Invited to the review')}: the next review leaves their calendar")
        for person in calendars)]


def _role_of(enrolment: Enrolment, actor: User) -> str:
    if actor.pk == enrolment.mentor_id:
        return CompletionConfirmation.Role.MENTOR
    if actor.pk == enrolment.line_manager_id:
        return CompletionConfirmation.Role.LINE_MANAGER
    return ""


@transaction.atomic
def completion_confirm(
    *, actor: User, enrolment: Enrolment, confirmed: bool, reason: str = "",
    proposed_extension_months: int | None = None, early_reason: str = "",
) -> CompletionConfirmation:
    """The mentor's or the line manager's answer: completed, or not yet (with why). A yes before the
    completion date, with reviews not held or goals open, needs ``early_reason``."""
    enrolment = lock_enrolment(enrolment)
    if not completion_open(enrolment):
        raise TransitionError(
            f"Completion can be confirmed from {COMPLETION_WINDOW_DAYS} days before the completion date "
            f"({enrolment.completion_due:%-d %B %Y})."
        )
    role = _role_of(enrolment, actor)
    if not role:
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
    outstanding = completion_outstanding(enrolment) if confirmed else []
    if outstanding and not early_reason.strip():
        raise ValidationError({"early_reason": "Say why you confirm completion now: " + " ".join(outstanding)})
    told = completion_confirm_told(enrolment, actor=actor, confirmed=confirmed)
    confirmation, _ = CompletionConfirmation.objects.update_or_create(
        enrolment=enrolment, role=role,
        defaults={"by": actor, "confirmed": confirmed, "reason": "" if confirmed else reason,
                  "proposed_extension_months": None if confirmed else proposed_extension_months,
                  "early_reason": early_reason.strip() if outstanding else ""},
    )
    audit.record(actor=actor, action="completion.confirm", obj=enrolment,
                 summary=f"{confirmation.get_role_display()} {'confirmed' if confirmed else 'did not confirm'} "
                         "completion", after={"confirmed": confirmed, "reason": reason,
                                              "early_reason": confirmation.early_reason,
                                              "outstanding": outstanding})
    _tell_leads_of_answer(enrolment, confirmation, [lead for lead, _ in told])
    tasks_done(recipient=actor, about=enrolment, kinds=("completion_signoff_due", "completion_overdue"))
    return confirmation


def _tell_leads_of_answer(enrolment: Enrolment, confirmation: CompletionConfirmation, leads: list[User]) -> None:
    """The programme leads act next: record the outcome once every answer is yes, or extend after a no."""
    if not leads:
        return
    if confirmation.confirmed:
        kind, about = "completion_ready", enrolment
        subject = f"{enrolment.preceptee}'s completion is confirmed: record the outcome"
        body = "The mentor and the line manager have confirmed completion."
    else:
        months = confirmation.proposed_extension_months
        kind, about = "completion_not_yet", confirmation
        subject = f"{confirmation.get_role_display()} says {enrolment.preceptee} has not completed yet"
        body = confirmation.reason + (f" Proposes an extension of {months} month{'s' if months != 1 else ''}."
                                      if months else "")
    for lead in leads:
        notify(recipient=lead, kind=kind, about=about, due_on=enrolment.completion_due, subject=subject, body=body,
               url=enrolment.get_absolute_url())


@transaction.atomic
def completion_record_outcome(
    *, actor: User, enrolment: Enrolment, outcome: str, completed_on: datetime.date,
    pay_step_on: datetime.date | None = None,
) -> Enrolment:
    enrolment = lock_enrolment(enrolment)
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
    if completed_on > service_today():
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
    enrolment = lock_enrolment(enrolment)
    if enrolment.status != Enrolment.Status.COMPLETED:
        raise TransitionError("The programme can be evaluated once it is completed.")
    if Evaluation.objects.filter(enrolment=enrolment).exists():
        raise TransitionError("You have already evaluated this programme. Thank you.")
    evaluation = Evaluation(enrolment=enrolment, **{k: v for k, v in answers.items() if k in EVALUATION_FIELDS})
    evaluation.full_clean()
    evaluation.save()
    audit.record(actor=actor, action="evaluation.submit", obj=evaluation, summary="Evaluated the programme")
    return evaluation
