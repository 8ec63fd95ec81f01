"""iCalendar (.ics) invitations for review meetings, attached to reminder e-mails.

Each scheduled review of an enrolment is one calendar event whose UID never changes (it is built
from the enrolment and the review's number), so when the meeting moves, the next invitation
updates the event already in the person's calendar instead of adding a second one. Calendars
keep the version with the highest SEQUENCE: ours is the number of seconds from 2024 to the moment
the enrolment's schedule last changed, so a later change always carries a higher number without
keeping any state of its own.

Review meetings are due on a day, not at a time: the event is an all-day event (no time zone to
get wrong around the clock changes) shown as free time.
"""

from __future__ import annotations

import datetime
from collections.abc import Iterable
from dataclasses import dataclass
from email.utils import parseaddr
from urllib.parse import urlsplit

from django.conf import settings
from django.utils import timezone
from icalendar import Calendar, Event, vCalAddress, vText

PRODUCT_ID = "-//NHS Preceptorship//Review meetings//EN"
SEQUENCE_EPOCH = datetime.datetime(2024, 1, 1, tzinfo=datetime.UTC)


@dataclass(frozen=True)
class Attendee:
    name: str
    email: str


def review_uid(enrolment_id: int, number: int) -> str:
    host = urlsplit(settings.SITE_URL).hostname or "preceptorship.invalid"
    return f"review-{enrolment_id}-{number}@{host}"


def sequence_for(changed_at: datetime.datetime) -> int:
    """A number that grows with every change of the schedule (seconds since 2024)."""
    return max(0, int((changed_at - SEQUENCE_EPOCH).total_seconds()))


def _address(email: str, name: str) -> vCalAddress:
    address = vCalAddress(f"mailto:{email}")
    if name:
        address.params["cn"] = vText(name)
    return address


def review_invitation(
    *,
    enrolment_id: int,
    number: int,
    on: datetime.date,
    summary: str,
    description: str,
    url: str,
    attendees: Iterable[Attendee],
    changed_at: datetime.datetime,
    cancelled: bool = False,
    sequence: int | None = None,
) -> str:
    """The invitation (METHOD:REQUEST) for review ``number`` of an enrolment, on day ``on``.

    With ``cancelled`` it withdraws the event instead (METHOD:CANCEL, same UID). ``sequence``, when
    given, replaces the one derived from ``changed_at`` (a caller that knows a higher one was sent)."""
    calendar = Calendar()
    calendar.add("prodid", PRODUCT_ID)
    calendar.add("version", "2.0")
    calendar.add("method", "CANCEL" if cancelled else "REQUEST")
    event = Event()
    event.add("uid", review_uid(enrolment_id, number))
    event.add("sequence", sequence_for(changed_at) if sequence is None else sequence)
    event.add("dtstamp", timezone.now().astimezone(datetime.UTC))
    event.add("dtstart", on)
    event.add("dtend", on + datetime.timedelta(days=1))
    event.add("summary", summary)
    event.add("description", f"{description}\n\n{url}" if url else description)
    if url:
        event.add("url", url)
    event.add("transp", "TRANSPARENT")
    event.add("status", "CANCELLED" if cancelled else "CONFIRMED")
    organiser_name, organiser_email = parseaddr(settings.DEFAULT_FROM_EMAIL)
    event["organizer"] = _address(organiser_email or "no-reply@preceptorship.invalid", organiser_name)
    for attendee in attendees:
        if not attendee.email:
            continue
        address = _address(attendee.email, attendee.name)
        address.params["role"] = vText("REQ-PARTICIPANT")
        address.params["partstat"] = vText("NEEDS-ACTION")
        address.params["rsvp"] = vText("FALSE")  # replies would go to a mailbox nobody reads
        event.add("attendee", address, encode=0)
    calendar.add_component(event)
    return calendar.to_ical().decode("utf-8")
