"""The preceptorship schedule, derived from the programme's rules and never typed in.

Pure functions only (no database): given a start date, the review interval, the programme length,
the pauses and the extensions, they return when each review and the completion fall due. The
reminder sweep and the services both rely on them, so every rule lives here once.

Rules:
- review 1, the first meeting, is due the programme's "first meeting within" days after the start
  (when the programme sets it); review n after it at review 1 + (n - 1) x interval months, as many
  reviews as the length holds intervals. Without that setting, review n is due at start + n x
  interval months. Completion is at start + length (+ extensions);
- a date that would fall on a day that does not exist in the target month (31 February) moves
  to that month's last day, always counted from the start so months never drift;
- a pause (start and end, both inclusive) that begins on or before a date moves that date, and
  every later one, by the pause's length in days;
- once a review is held, the next is planned from the day it was held (the interval later), not
  from the start: a late meeting does not leave the next one crowding it.
"""

from __future__ import annotations

import calendar
import datetime
from collections.abc import Iterable
from dataclasses import dataclass


@dataclass(frozen=True)
class Period:
    """A pause: both ends inclusive."""

    start: datetime.date
    end: datetime.date

    @property
    def days(self) -> int:
        return (self.end - self.start).days + 1

    def overlaps(self, other: Period) -> bool:
        return self.start <= other.end and other.start <= self.end


@dataclass(frozen=True)
class Schedule:
    reviews: tuple[datetime.date, ...]
    completion: datetime.date

    def review_due(self, number: int) -> datetime.date | None:
        """The due date of review ``number`` (1-based), or None past the last review."""
        if 1 <= number <= len(self.reviews):
            return self.reviews[number - 1]
        return None


def add_months(day: datetime.date, months: int) -> datetime.date:
    """The same day ``months`` later, or that month's last day when the day does not exist."""
    index = day.year * 12 + (day.month - 1) + months
    year, month = divmod(index, 12)
    month += 1
    return datetime.date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


def shift_for_pauses(day: datetime.date, pauses: Iterable[Period]) -> datetime.date:
    """Move a date by every pause that begins on or before it (pauses in date order)."""
    for pause in sorted(pauses, key=lambda p: p.start):
        if pause.start <= day:
            day += datetime.timedelta(days=pause.days)
    return day


def overlapping(pauses: Iterable[Period]) -> tuple[Period, Period] | None:
    """The first pair of pauses that overlap, if any."""
    ordered = sorted(pauses, key=lambda p: p.start)
    for earlier, later in zip(ordered, ordered[1:], strict=False):
        if earlier.overlaps(later):
            return earlier, later
    return None


def build_schedule(
    *,
    start: datetime.date,
    interval_months: int,
    length_months: int,
    pauses: Iterable[Period] = (),
    extension_months: int = 0,
    first_meeting_days: int | None = None,
) -> Schedule:
    """Every review due date and the completion date.

    Reviews run every ``interval_months``, as many as the original length holds intervals; an
    extension moves the completion only. With ``first_meeting_days`` the first is that many days
    after the start and the others follow it an interval apart (as ``next_meeting_after`` plans
    them once a meeting is held); without it they fall at the intervals from the start, the last
    on the original end."""
    if interval_months < 1 or length_months < 1:
        raise ValueError("The review interval and the length must be at least one month.")
    if extension_months < 0:
        raise ValueError("An extension cannot be negative.")
    if first_meeting_days is not None and first_meeting_days < 1:
        raise ValueError("The first meeting must be at least a day after the start.")
    pauses = list(pauses)
    if overlapping(pauses):
        raise ValueError("Pauses cannot overlap.")
    count = length_months // interval_months
    if first_meeting_days is None:
        planned = [add_months(start, n * interval_months) for n in range(1, count + 1)]
    else:
        first = start + datetime.timedelta(days=first_meeting_days)
        planned = [add_months(first, n * interval_months) for n in range(count)]
    reviews = tuple(shift_for_pauses(day, pauses) for day in planned)
    completion = shift_for_pauses(add_months(start, length_months + extension_months), pauses)
    return Schedule(reviews=reviews, completion=completion)


def next_meeting_after(
    held_on: datetime.date, *, interval_months: int, completion: datetime.date, pauses: Iterable[Period] = (),
) -> datetime.date:
    """The next review planned from the day the last one was held: the programme's interval later,
    moved by any pause that begins in between, and never after the completion date."""
    planned = add_months(held_on, interval_months)
    planned = shift_for_pauses(planned, [pause for pause in pauses if pause.start > held_on])
    return min(planned, completion)


def months_elapsed(start: datetime.date, today: datetime.date) -> int:
    """Whole months from start to today (0 before the first month is over)."""
    months = (today.year - start.year) * 12 + today.month - start.month
    if add_months(start, months) > today:
        months -= 1
    return max(months, 0)


def progress_percent(start: datetime.date, completion: datetime.date, today: datetime.date) -> int:
    """Share of the programme's days gone, 0 to 100."""
    total = (completion - start).days
    if total <= 0:
        return 100
    return max(0, min(100, round(100 * (today - start).days / total)))
