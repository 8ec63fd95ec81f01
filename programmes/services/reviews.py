"""Writes for review meetings: recording, correcting, addenda, acknowledging and marking not held.
"""

from __future__ import annotations

import datetime
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.urls import reverse
from django.utils import timezone

from preceptorship import audit
from preceptorship.errors import TransitionError
from preceptorship.models import User
from preceptorship.notifications import notify, tasks_done
from programmes.models import (
    Enrolment,
    GoalUpdate,
    ReviewAction,
    ReviewAddendum,
    ReviewDraft,
    ReviewMeeting,
)
from programmes.reminders import enrolment_invitation
from programmes.schedule import Period, Schedule, next_meeting_after
from programmes.services.common import lock_enrolment, service_today
from programmes.services.enrolments import enrolment_schedule, refresh_dates

# Review meetings


REVIEW_FIELDS = [
    "held_on", "attended_preceptee", "attended_mentor", "attended_line_manager", "attended_others", "discussion",
    "wellbeing", "confidence", "protected_time_received", "caseload_percent", "next_meeting_on",
]


@dataclass(frozen=True)
class ActionItem:
    description: str
    owner: str
    due_on: datetime.date | None = None
    row: int = 0  # the form's row, so a refusal is said beside the right date


def default_next_meeting(
    enrolment: Enrolment, *, after_number: int, held_on: datetime.date | None = None
) -> datetime.date | None:
    return _planned_after(enrolment, enrolment_schedule(enrolment), after_number, held_on or service_today())


def _planned_after(
    enrolment: Enrolment, schedule: Schedule, number: int, held_on: datetime.date
) -> datetime.date | None:
    """The meeting after review ``number``, held on ``held_on``: the programme's interval after the
    day it was held (see ``programmes.schedule``), or None when it was the last review."""
    if schedule.review_due(number + 1) is None:
        return None
    return next_meeting_after(
        held_on, interval_months=enrolment.programme.review_interval_months, completion=schedule.completion,
        pauses=[Period(p.start_date, p.end_date) for p in enrolment.pauses.all()],
    )


def _validate_held(enrolment: Enrolment, held_on: datetime.date, next_meeting_on: datetime.date | None) -> None:
    errors = {}
    if held_on > service_today():
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
    caseload_percent: int | None = None,
) -> ReviewMeeting:
    enrolment = lock_enrolment(enrolment)
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
        caseload_percent=caseload_percent,
        next_meeting_on=next_meeting_on or _planned_after(enrolment, schedule, number, held_on), recorded_by=actor,
    )
    review.full_clean()
    review.save()
    _save_goal_progress(actor=actor, review=review, goal_progress=goal_progress or {})
    _save_actions(review, actions)
    enrolment.reviews_held = number
    refresh_dates(enrolment, next_review=review.next_meeting_on)
    enrolment.save(update_fields=["reviews_held", "next_review_due", "updated_at"])
    audit.record(actor=actor, action="review.record", obj=review, summary=f"Recorded review {number}",
                 after=audit.snapshot(review, REVIEW_FIELDS))
    ReviewDraft.objects.filter(enrolment=enrolment).delete()  # recorded: the draft has done its job
    notify(
        recipient=enrolment.preceptee, kind="review_recorded", about=review,
        subject=f"Your review meeting {number} has been recorded",
        body="Your mentor has recorded your review meeting. Please read it, acknowledge it and add a comment if "
             "you want to.",
        url=reverse("programmes:review-detail", args=[review.pk]), essential=False,
    )
    return review


# Drafts of a review record ("Save and finish later")


def _draft_answers(answers: dict[str, Any]) -> dict[str, list[str]]:
    """Each field's typed values as strings (a field may post several, such as the attendees' boxes)."""
    kept = {}
    for name, values in answers.items():
        values = values if isinstance(values, list | tuple) else [values]
        # A NUL character no database text column holds (PostgreSQL's JSON refuses it): dropped.
        kept[str(name).replace("\x00", "")] = [str(value).replace("\x00", "") for value in values]
    return kept


@transaction.atomic
def review_draft_save(*, actor: User, enrolment: Enrolment, answers: dict[str, Any]) -> ReviewDraft:
    """Keep what was typed in the review form for the enrolment's next meeting, unchecked (the record's rules
    apply when it is recorded). Nobody is told and the meeting is not held; only who records reviews sees it."""
    enrolment = lock_enrolment(enrolment)
    if not enrolment.is_current:
        raise TransitionError("Reviews can only be recorded for an active or paused enrolment.")
    number = enrolment.reviews_held + 1
    draft, created = ReviewDraft.objects.select_for_update().get_or_create(
        enrolment=enrolment, defaults={"number": number, "saved_by": actor},
    )
    draft.number, draft.saved_by, draft.answers = number, actor, _draft_answers(answers)
    draft.full_clean()
    draft.save()
    audit.record(actor=actor, action="review.draft_save", obj=enrolment,
                 summary=f"Saved a draft record of review {number}" + ("" if created else " again"))
    return draft


@transaction.atomic
def review_draft_discard(*, actor: User, enrolment: Enrolment) -> None:
    enrolment = lock_enrolment(enrolment)
    draft = ReviewDraft.objects.select_for_update().filter(enrolment=enrolment).first()
    if draft is None:
        raise TransitionError("There is no draft review record to discard.")
    draft.delete()
    audit.record(actor=actor, action="review.draft_discard", obj=enrolment,
                 summary=f"Discarded the draft record of review {draft.number}")


def _save_goal_progress(*, actor: User, review: ReviewMeeting, goal_progress: dict[int, str]) -> None:
    goals = {g.pk: g for g in review.enrolment.goals.filter(pk__in=list(goal_progress))}
    for goal_id, note in goal_progress.items():
        if note.strip() and goal_id in goals:
            GoalUpdate.objects.create(goal=goals[goal_id], on=review.held_on, note=note, author=actor, review=review)


def _check_actions(held_on: datetime.date, actions: Sequence[ActionItem]) -> None:
    """An action agreed at a meeting is due after it: a date before the meeting is a slip."""
    errors = {}
    for number, item in enumerate(actions, start=1):
        if item.due_on is not None and item.due_on < held_on:
            row = item.row or number
            errors[f"action_{row}_due"] = (f"Action {row} must be due on or after the meeting "
                                           f"({held_on:%-d %B %Y})")
    if errors:
        raise ValidationError(errors)


def _save_actions(review: ReviewMeeting, actions: Sequence[ActionItem]) -> None:
    _check_actions(review.held_on, actions)
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
    enrolment = lock_enrolment(review.enrolment)
    if enrolment.reviews_held == review.number and enrolment.is_current:
        refresh_dates(enrolment, next_review=review.next_meeting_on)
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
    tasks_done(recipient=actor, about=review, kinds=("review_recorded",))
    return review


@transaction.atomic
def review_mark_not_held(
    *, actor: User, enrolment: Enrolment, status: str, reason: str, new_date: datetime.date
) -> ReviewMeeting:
    """A meeting cancelled or missed: the reason and the new date, which becomes the next review due."""
    enrolment = lock_enrolment(enrolment)
    if not enrolment.is_current:
        raise TransitionError("Only an active or paused enrolment has meetings to cancel.")
    if status not in (ReviewMeeting.Status.CANCELLED, ReviewMeeting.Status.MISSED):
        raise ValidationError({"status": "Choose cancelled or missed."})
    errors = {}
    if not reason.strip():
        errors["reason"] = "Say why the meeting did not take place."
    if new_date < service_today():
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
    for person in (enrolment.preceptee, enrolment.mentor, enrolment.line_manager):
        if person is None:
            continue
        notify(recipient=person, kind="review_moved", about=enrolment, due_on=new_date,
               subject=f"Review meeting {review.number} moved to {new_date:%A %-d %B %Y}",
               body=f"Review meeting {review.number} was {status}. The attached invitation moves it to the new date "
                    "in your calendar.",
               url=enrolment.get_absolute_url(), ics=invitation)
    return review
