"""The review meeting in people's calendars: invitations, and withdrawing them when the meeting is off.

Each upcoming review of an enrolment is one calendar event (UID ``review-<enrolment>-<number>``)
that reaches the preceptee, the mentor and the line manager (the meeting is a three-way one)
attached to a reminder (``review_due_soon``, ``review_due_today``), to the message that a meeting
moved (``review_moved``) or to a new mentor's or line manager's (``review_handed_over``). What was
sent is kept on each notification (``Notification.ics``), so the history of an event is read back
from there instead of being stored twice.

When the meeting no longer stands on the date people were sent (the enrolment is paused, withdrawn
or completed, or a pause moved the date) everyone who received the invitation is sent a
cancellation of the same event (METHOD:CANCEL, same UID, a higher SEQUENCE); so is a mentor or
line manager who has been replaced, while the new one is sent the invitation the preceptee already
has. The
next invitation of that event (sent at once when the preceptee is back from leave, or by the
reminder before the new date) carries a higher SEQUENCE again, so calendars put it back.

Only the next review is concerned: earlier reviews were held and stay in people's calendars.
"""

from __future__ import annotations

import datetime
import logging
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.db.models import Q
from django.utils import timezone
from icalendar import Calendar

from preceptorship.calendar import Attendee, review_invitation, review_uid, sequence_for
from preceptorship.models import Notification, User
from preceptorship.notifications import notify
from programmes.models import Enrolment

logger = logging.getLogger(__name__)

INVITATION_KINDS = ("review_due_soon", "review_due_today", "review_moved", "review_handed_over", "review_restored")
CANCELLATION_KIND = "review_cancelled"
NOT_RECEIVED = (Notification.Status.SKIPPED, Notification.Status.FAILED)


def meeting_invitation(
    *, enrolment_id: int, number: int, on: datetime.date, programme: str, preceptee: Attendee, mentor: Attendee,
    link: str, changed_at: datetime.datetime, cancelled: bool = False, sequence: int | None = None,
    others: Sequence[Attendee] = (),
) -> str:
    """The calendar invitation (or its cancellation) for review ``number`` of an enrolment; ``others``
    are invited beside the preceptee and the mentor (the line manager)."""
    meeting = f"Review meeting {number} of {preceptee.name}'s preceptorship ({programme})"
    return review_invitation(
        enrolment_id=enrolment_id, number=number, on=on,
        summary=f"Preceptorship review meeting {number}: {preceptee.name}",
        description=(f"{meeting} will not take place on this day." if cancelled else
                     f"{meeting} is due on this day. Agree the time between you, and record the meeting in "
                     "Preceptorship afterwards."),
        url=link, attendees=[preceptee, mentor, *others], changed_at=changed_at, cancelled=cancelled, sequence=sequence,
    )


@dataclass(frozen=True)
class SentEvent:
    """One invitation or cancellation of a review's calendar event, as it was e-mailed."""

    recipient_id: int
    method: str
    on: datetime.date
    sequence: int


def _sent_events(enrolment_id: int, number: int, kinds: tuple[str, ...]) -> list[SentEvent]:
    """What each person was sent of this review's event, oldest first (one query; each key prefix is
    an index range on PostgreSQL, whose unique key column also has a pattern index)."""
    prefixes = Q()
    for kind in kinds:
        prefixes |= Q(key__startswith=f"{kind}:programmes.enrolment:{enrolment_id}:")
    rows = (Notification.objects.filter(prefixes).exclude(ics="").exclude(status__in=NOT_RECEIVED)
            .order_by("created_at", "pk").values_list("recipient_id", "ics"))
    uid = review_uid(enrolment_id, number)
    events = []
    for recipient_id, ics in rows:
        try:
            calendar = Calendar.from_ical(ics)
            method = str(calendar["method"])
            events.extend(SentEvent(recipient_id, method, event.decoded("dtstart"), int(event.get("sequence", 0)))
                          for event in calendar.walk("VEVENT") if str(event.get("uid")) == uid)
        except (KeyError, ValueError):  # a calendar entry must never stop a pause or a withdrawal
            logger.exception("Unreadable calendar invitation kept for enrolment %s.", enrolment_id)
    return events


def _last_word(enrolment_id: int, number: int, history: list[SentEvent] | None = None) -> dict[int, SentEvent]:
    """recipient id -> the last invitation or cancellation of this review's event they were sent."""
    if history is None:
        history = _sent_events(enrolment_id, number, (*INVITATION_KINDS, CANCELLATION_KIND))
    return {event.recipient_id: event for event in history}


def _attendees(enrolment: Enrolment) -> dict[str, Any]:
    """The invitation's people: the preceptee, the mentor and, when there is one, the line manager."""
    manager = enrolment.line_manager
    return {
        "preceptee": Attendee(str(enrolment.preceptee), enrolment.preceptee.email),
        "mentor": Attendee(str(enrolment.mentor), enrolment.mentor.email),
        "others": [Attendee(str(manager), manager.email)] if manager is not None else [],
    }


def _attending(enrolment: Enrolment) -> set[int]:
    return {pk for pk in (enrolment.preceptee_id, enrolment.mentor_id, enrolment.line_manager_id) if pk}


def enrolment_invitation(enrolment: Enrolment) -> str:
    """The invitation for an enrolment's next review, as it stands now.

    Its SEQUENCE is above any cancellation of the same event already sent, so a meeting withdrawn by
    a pause comes back into the calendar when it is invited again."""
    number = enrolment.reviews_held + 1
    cancelled = [event.sequence + 1 for event in _sent_events(enrolment.pk, number, (CANCELLATION_KIND,))]
    return meeting_invitation(
        enrolment_id=enrolment.pk, number=number, on=enrolment.next_review_due, programme=enrolment.programme.name,
        **_attendees(enrolment), link=f"{settings.SITE_URL}{enrolment.get_absolute_url()}",
        changed_at=enrolment.updated_at, sequence=max([sequence_for(enrolment.updated_at), *cancelled]),
    )


def meeting_stands(enrolment: Enrolment) -> bool:
    """Whether the enrolment's next review goes ahead: it is current and not inside a recorded pause.
    Marked paused but past the end of its recorded pause counts as back, as the reminder sweep has it."""
    if not enrolment.is_current or enrolment.next_review_due is None:
        return False
    today = timezone.localdate()
    pauses = list(enrolment.pauses.values_list("start_date", "end_date"))
    if any(start <= today <= end for start, end in pauses):
        return False
    return enrolment.status == Enrolment.Status.ACTIVE or any(end < today for _, end in pauses)


def _day(date: datetime.date | None) -> str:
    return f"{date:%A %-d %B %Y}" if date else ""


def _why(enrolment: Enrolment, whose: str, number: int) -> str:
    programme = enrolment.programme.name
    if enrolment.status == Enrolment.Status.WITHDRAWN:
        return f"{whose} preceptorship ({programme}) has ended early, so review meeting {number} will not take place."
    if enrolment.status == Enrolment.Status.COMPLETED:
        return f"{whose} preceptorship ({programme}) is complete, so review meeting {number} will not take place."
    if enrolment.status == Enrolment.Status.PAUSED:
        return (f"{whose} preceptorship ({programme}) is paused, so review meeting {number} will not take place on "
                "that day. When it restarts, you will be sent an invitation for the new date.")
    return (f"A pause recorded in {whose.lower() if whose == 'Your' else whose} preceptorship ({programme}) moves "
            f"review meeting {number} to {_day(enrolment.next_review_due)}. You will be sent an invitation for the "
            "new date before it.")


def review_invitation_holders(enrolment: Enrolment) -> list[int]:
    """The ids of the people who have the next review in their calendar (sent its invitation and no
    cancellation since): those ``review_invitations_cancel`` writes to once the meeting no longer
    stands, named on the page that asks before completing or withdrawing."""
    latest = _last_word(enrolment.pk, enrolment.reviews_held + 1)
    return [event.recipient_id for event in latest.values() if event.method == "REQUEST"]


def review_invitations_cancel(*, enrolment: Enrolment) -> int:
    """Withdraw the next review's calendar event from everyone who was sent it, if the meeting no
    longer stands on that date, or from a mentor who no longer mentors the preceptee. Called by the
    services that pause, withdraw or complete an enrolment or change its mentor.

    A person is sent one cancellation per invitation: the notification's key holds the sequence of
    the invitation it withdraws, so calling this again (a repeated request, a second pause before
    any new invitation) sends nothing. Returns how many cancellations were recorded."""
    number = enrolment.reviews_held + 1
    history = _sent_events(enrolment.pk, number, (*INVITATION_KINDS, CANCELLATION_KIND))
    latest = _last_word(enrolment.pk, number, history)
    stands = meeting_stands(enrolment)
    attending = _attending(enrolment)
    withdraw = [event for event in latest.values() if event.method == "REQUEST" and not (
        stands and event.on == enrolment.next_review_due and event.recipient_id in attending)]
    if not withdraw:
        return 0
    sequence = max(sequence_for(enrolment.updated_at), *(event.sequence + 1 for event in history))
    people_invited = _attendees(enrolment)
    link = f"{settings.SITE_URL}{enrolment.get_absolute_url()}"
    people = User.objects.in_bulk([event.recipient_id for event in withdraw])
    recorded = 0
    for event in withdraw:
        person = people.get(event.recipient_id)
        if person is None:
            continue
        ics = meeting_invitation(
            enrolment_id=enrolment.pk, number=number, on=event.on, programme=enrolment.programme.name,
            **people_invited, link=link, changed_at=enrolment.updated_at, cancelled=True,
            sequence=sequence,
        )
        whose = "Your" if person.pk == enrolment.preceptee_id else f"{enrolment.preceptee}'s"
        why = (_why(enrolment, whose, number) if person.pk in attending else
               f"You are no longer {enrolment.preceptee}'s mentor or line manager, so you are not expected at "
               f"review meeting {number}.")
        notification = notify(
            recipient=person, kind=CANCELLATION_KIND,
            about=f"programmes.enrolment:{enrolment.pk}:review-{number}-s{event.sequence}", due_on=event.on,
            subject=f"Review meeting {number} on {_day(event.on)} is cancelled",
            body=why,  # the e-mail adds that the attached update removes it from the calendar
            url=enrolment.get_absolute_url(),
            # Whoever has the meeting in their calendar is told it is off, whatever their e-mail settings.
            essential=True, ics=ics,
        )
        recorded += notification is not None
    return recorded


def review_invitation_hand_over(*, enrolment: Enrolment) -> int:
    """A new mentor or line manager is sent the invitation to the next review if the preceptee already
    has it in their calendar (the reminders that carried it went before the change). Returns how many
    were recorded."""
    if not meeting_stands(enrolment):
        return 0
    number = enrolment.reviews_held + 1
    latest = _last_word(enrolment.pk, number)
    preceptee = latest.get(enrolment.preceptee_id)
    if preceptee is None or preceptee.method != "REQUEST" or preceptee.on != enrolment.next_review_due:
        return 0
    stamp = int(enrolment.updated_at.timestamp())
    recorded = 0
    for person, role in ((enrolment.mentor, "mentor"), (enrolment.line_manager, "line manager")):
        if person is None:
            continue
        theirs = latest.get(person.pk)
        if theirs is not None and theirs.method == "REQUEST" and theirs.on == enrolment.next_review_due:
            continue
        recorded += notify(
            recipient=person, kind="review_handed_over",
            about=f"programmes.enrolment:{enrolment.pk}:review-{number}-t{stamp}", due_on=enrolment.next_review_due,
            subject=f"Review meeting {number} with {enrolment.preceptee} is due on {_day(enrolment.next_review_due)}",
            body=(f"You are now {enrolment.preceptee}'s {role}. Their review meeting {number} "
                  f"({enrolment.programme.name}) is due on {_day(enrolment.next_review_due)}: "
                  + ("agree a time with them." if role == "mentor" else "the meeting is a three-way one, with "
                     f"their mentor, {enrolment.mentor}.")),
            url=enrolment.get_absolute_url(), ics=enrolment_invitation(enrolment),
        ) is not None
    return recorded


def review_invitations_new_mentor(*, enrolment: Enrolment) -> None:
    """After the mentor or line manager changes: the meeting leaves the old one's calendar and reaches the
    new one's."""
    review_invitations_cancel(enrolment=enrolment)
    review_invitation_hand_over(enrolment=enrolment)


def review_invitations_restore(*, enrolment: Enrolment) -> int:
    """Back from leave: the preceptee, the mentor and the line manager whose calendar had the next review
    withdrawn by the pause are sent it again at once, for the date it is now due (the reminder that
    carried it may have gone already, when the pause is undone on its first day). Returns how many were
    recorded."""
    if not meeting_stands(enrolment):
        return 0
    number = enrolment.reviews_held + 1
    latest = _last_word(enrolment.pk, number)
    people = [person for person in (enrolment.preceptee, enrolment.mentor, enrolment.line_manager)
              if person is not None and person.pk in latest and latest[person.pk].method == "CANCEL"]
    if not people:
        return 0
    ics, day = enrolment_invitation(enrolment), _day(enrolment.next_review_due)
    stamp = int(enrolment.updated_at.timestamp())
    recorded = 0
    for person in people:
        whose = "Your" if person.pk == enrolment.preceptee_id else f"{enrolment.preceptee}'s"
        recorded += notify(
            recipient=person, kind="review_restored",
            about=f"programmes.enrolment:{enrolment.pk}:review-{number}-t{stamp}", due_on=enrolment.next_review_due,
            subject=f"Review meeting {number} is back on, due on {day}",
            body=f"{whose} preceptorship ({enrolment.programme.name}) has restarted. Review meeting {number} is due "
                 f"on {day}.",
            url=enrolment.get_absolute_url(), essential=True, ics=ics,
        ) is not None
    return recorded
