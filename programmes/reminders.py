"""Scheduled reminders about enrolments: review meetings coming up or overdue, and completion.

| kind | from (days from the date it is about) | to |
|---|---|---|
| review_due_soon | 14 days before the next review is due | preceptee, mentor, line manager (with the invitation) |
| review_due_today | on the day it is due | preceptee, mentor, line manager (with the invitation) |
| review_overdue | 7 days after, no meeting recorded | mentor, line manager |
| review_overdue_escalated | 28 days after | programme leads of the programme's organisation |
| completion_signoff_due | 28 days before the completion date | mentor, line manager (unless they answered) |
| completion_overdue | 14 days after, not signed off | programme leads of the programme's organisation |

Only current enrolments outside a pause get them: withdrawn and completed enrolments get none,
nor do enrolments inside a recorded pause or marked paused. An enrolment still marked paused after
its recorded pause has ended is back (nobody has to press "resume" for the reminders of the moved
dates to come). A pause moves ``next_review_due`` and ``completion_due`` (the services keep
them in step with ``programmes.schedule``), so the reminders follow. A recorded meeting moves
``next_review_due`` on to the next review, which is how "no meeting recorded" is known.

Each reminder is sent once per date it is about (the notification's unique key holds that date),
on its first day, or later if no sweep ran that day (a beat that was down, a date recorded late):
"due soon" and "due today" up to ``LATE_DAYS`` late, the others up to ``CATCH_UP_DAYS`` late. A
reminder further behind than that is not sent: an older backlog (on a new installation, say)
shows on the caseload and dashboards instead of arriving as a flood of e-mails, and each hourly
sweep only looks at a few days' worth of dates.

Set-based: one query for the enrolments due something today and one for the programme leads,
whatever the number of enrolments.
"""

from __future__ import annotations

import datetime
import functools
from collections import defaultdict
from collections.abc import Iterator
from typing import Any

from django.db.models import Exists, OuterRef, Q

from preceptorship.models import Membership, Notification
from preceptorship.notifications import register_invitation
from preceptorship.reminders import Reminder, register_source, url_maker
from programmes.calendar_events import enrolment_invitation, meeting_stands
from programmes.models import CompletionConfirmation, Enrolment, Pause

LATE_DAYS = 2  # a "due soon" or "due today" reminder is still worth sending this many days late
CATCH_UP_DAYS = 7  # an overdue, escalation or sign-off reminder: this many days late

# kind: (days from the due date to the reminder's first day (negative: before), days it may still
# be sent after that first day).
REVIEW_RULES: dict[str, tuple[int, int]] = {
    "review_due_soon": (-14, LATE_DAYS),
    "review_due_today": (0, LATE_DAYS),
    "review_overdue": (7, CATCH_UP_DAYS),
    "review_overdue_escalated": (28, CATCH_UP_DAYS),
}
COMPLETION_RULES: dict[str, tuple[int, int]] = {
    "completion_signoff_due": (-28, CATCH_UP_DAYS),
    "completion_overdue": (14, CATCH_UP_DAYS),
}
ESSENTIAL = {"review_overdue_escalated", "completion_signoff_due", "completion_overdue"}
ESCALATIONS = {"review_overdue_escalated", "completion_overdue"}

PEOPLE = ("preceptee", "mentor", "line_manager")
FIELDS = [
    "pk", "next_review_due", "completion_due", "reviews_held", "programme__name",
    "programme__organisation_id", "mentor_answered", "line_manager_answered",
    *(f"{who}{part}" for who in PEOPLE for part in ("_id", "__first_name", "__last_name", "__email")),
]


Windows = dict[str, tuple[datetime.date, datetime.date]]


def _windows(today: datetime.date, rules: dict[str, tuple[int, int]]) -> Windows:
    """kind -> (earliest, latest) due date whose reminder is due today."""
    windows = {}
    for kind, (offset, late) in rules.items():
        latest = today - datetime.timedelta(days=offset)
        windows[kind] = (latest - datetime.timedelta(days=late), latest)
    return windows


def _kinds(windows: Windows, due: datetime.date | None) -> list[str]:
    if due is None:
        return []
    return [kind for kind, (earliest, latest) in windows.items() if earliest <= due <= latest]


def _due_enrolments(today: datetime.date, reviews: Windows, completions: Windows) -> list[dict[str, Any]]:
    """Query 1: active enrolments, outside any pause, with a review or completion due a reminder."""
    due = Q()
    for field, windows in (("next_review_due", reviews), ("completion_due", completions)):
        for window in windows.values():
            due |= Q(**{f"{field}__range": window})
    answered = CompletionConfirmation.objects.filter(enrolment=OuterRef("pk"))
    pauses = Pause.objects.filter(enrolment=OuterRef("pk"))
    return list(
        Enrolment.objects.filter(due, status__in=Enrolment.CURRENT)
        .filter(~Exists(pauses.filter(start_date__lte=today, end_date__gte=today)))
        .filter(Q(status=Enrolment.Status.ACTIVE) | Exists(pauses.filter(end_date__lt=today)))
        .annotate(
            mentor_answered=Exists(answered.filter(role=CompletionConfirmation.Role.MENTOR)),
            line_manager_answered=Exists(answered.filter(role=CompletionConfirmation.Role.LINE_MANAGER)),
        )
        .order_by()
        .values(*FIELDS)
    )


def _programme_leads(organisation_ids: set[int]) -> dict[int, list[int]]:
    """Query 2 (only when something is escalated): the programme leads of those organisations."""
    leads: dict[int, list[int]] = defaultdict(list)
    if organisation_ids:
        rows = Membership.objects.filter(
            role=Membership.Role.PROGRAMME_LEAD, organisation_id__in=organisation_ids, user__is_active=True
        ).order_by().values_list("organisation_id", "user_id").distinct()
        for organisation_id, user_id in rows:
            leads[organisation_id].append(user_id)
    return leads


def _name(row: dict[str, Any], who: str) -> str:
    full = f"{row[f'{who}__first_name']} {row[f'{who}__last_name']}".strip()
    return full or row[f"{who}__email"] or ""


@functools.lru_cache(maxsize=512)
def _day(date: datetime.date) -> str:
    return f"{date:%A %-d %B %Y}"


@register_invitation("review_due_soon", "review_due_today")
def reminder_invitation(notification: Notification) -> str:
    """The review's invitation, built when the reminder is e-mailed; none if the meeting has moved
    since the reminder was recorded (moving it sent the new invitation)."""
    enrolment_id = int(notification.key.split(":")[2])  # kind:programmes.enrolment:<pk>:recipient:due
    enrolment = (Enrolment.objects.select_related("programme", "preceptee", "mentor", "line_manager")
                 .filter(pk=enrolment_id).first())
    if enrolment is None or enrolment.next_review_due != notification.due_on or not meeting_stands(enrolment):
        return ""
    return enrolment_invitation(enrolment)


def _review_messages(kind: str, row: dict[str, Any], today: datetime.date) -> Iterator[tuple[str, str, str]]:
    """(recipient role, subject, body) for one enrolment's review reminder."""
    number = row["reviews_held"] + 1
    due = row["next_review_due"]
    preceptee, mentor = _name(row, "preceptee"), _name(row, "mentor")
    programme = row["programme__name"]
    if kind in ("review_due_soon", "review_due_today"):
        when = "today" if due == today else f"on {_day(due)}"
        verb = "was due" if due < today else "is due"
        yield ("preceptee", f"Your review meeting {number} {verb} {when}",
               f"Your preceptorship review meeting {number} ({programme}) {verb} {when}. If it is not booked yet, "
               f"agree a time with your mentor, {mentor}. The attached invitation puts the date in your calendar.")
        yield ("mentor", f"Review meeting {number} with {preceptee} {verb} {when}",
               f"{preceptee}'s review meeting {number} ({programme}) {verb} {when}. Book it with them if you have "
               "not already, and record the meeting afterwards. The attached invitation puts the date in your "
               "calendar.")
        # The line manager is the third person at the meeting: invited every time.
        yield ("line_manager", f"Review meeting {number} with {preceptee} {verb} {when}",
               f"{preceptee}'s review meeting {number} ({programme}) {verb} {when}, with their mentor, {mentor}. "
               "The review is a three-way meeting: please join it. The attached invitation puts the date in your "
               "calendar.")
    elif kind == "review_overdue":
        body = (f"{preceptee}'s review meeting {number} ({programme}) was due on {_day(due)} and no meeting has "
                "been recorded. Record the meeting if it took place, or record that it was cancelled or missed "
                "and the new date.")
        yield "mentor", f"Review meeting {number} with {preceptee} is overdue", body
        yield "line_manager", f"Review meeting {number} with {preceptee} is overdue", body
    else:
        weeks = (today - due).days // 7
        yield ("lead", f"Escalated: review meeting {number} with {preceptee} is {weeks} weeks overdue",
               f"{preceptee}'s review meeting {number} ({programme}) was due on {_day(due)} and has still not been "
               f"recorded. Their mentor is {mentor}; the mentor and the line manager were reminded a week after "
               "the due date.")


def _completion_messages(kind: str, row: dict[str, Any]) -> Iterator[tuple[str, str, str]]:
    due = row["completion_due"]
    preceptee, programme = _name(row, "preceptee"), row["programme__name"]
    if kind == "completion_signoff_due":
        for who in ("mentor", "line_manager"):
            if not row[f"{who}_answered"]:
                yield (who, f"Completion sign-off requested: {preceptee}, by {_day(due)}",
                       f"{preceptee} is due to complete {programme} on {_day(due)}. Please confirm whether they have "
                       "completed their preceptorship, or say why not yet and whether to extend it.")
    else:
        yield ("lead", f"Completion overdue: {preceptee} is not signed off",
               f"{preceptee} was due to complete {programme} on {_day(due)} and the completion has not been "
               "recorded. Check the mentor's and line manager's confirmations and record the outcome, or extend "
               "the preceptorship.")


@register_source("programmes")
def enrolment_reminders(today: datetime.date) -> Iterator[Reminder]:
    reviews, completions = _windows(today, REVIEW_RULES), _windows(today, COMPLETION_RULES)
    rows = _due_enrolments(today, reviews, completions)
    kinds = {row["pk"]: (_kinds(reviews, row["next_review_due"]), _kinds(completions, row["completion_due"]))
             for row in rows}
    leads = _programme_leads({
        row["programme__organisation_id"] for row in rows
        if ESCALATIONS.intersection(kinds[row["pk"]][0] + kinds[row["pk"]][1])
    })
    enrolment_url = url_maker("programmes:enrolment-detail")
    for row in rows:
        about = f"programmes.enrolment:{row['pk']}"
        url = enrolment_url(row["pk"])
        review_kinds, completion_kinds = kinds[row["pk"]]

        def recipients(role: str, row: dict[str, Any] = row) -> list[int]:
            if role == "lead":
                return leads.get(row["programme__organisation_id"], [])
            return [row[f"{role}_id"]] if row[f"{role}_id"] else []

        for kind in review_kinds:
            for role, subject, body in _review_messages(kind, row, today):
                for recipient_id in recipients(role):
                    yield Reminder(kind=kind, about=about, recipient_id=recipient_id, due_on=row["next_review_due"],
                                   subject=subject, url=url, body=body, essential=kind in ESSENTIAL)
        for kind in completion_kinds:
            for role, subject, body in _completion_messages(kind, row):
                for recipient_id in recipients(role):
                    yield Reminder(kind=kind, about=about, recipient_id=recipient_id, due_on=row["completion_due"],
                                   subject=subject, url=url, body=body, essential=True)
