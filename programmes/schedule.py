"""The preceptorship schedule, derived from the programme's rules and never typed in.

Pure functions only (no database): given a start date, the review interval, the programme length,
the pauses and the extensions, they return when each review and the completion fall due. The
reminder sweep and the services both rely on them, so every rule lives here once.

Rules:
- review n is due at start + n x interval months; completion at start + length (+ extensions);
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
) -> Schedule:
    """Every review due date and the completion date.

    Reviews run every ``interval_months`` up to and including the original length (the last
    review coincides with the original end); an extension moves the completion only."""
    if interval_months < 1 or length_months < 1:
        raise ValueError("The review interval and the length must be at least one month.")
    if extension_months < 0:
        raise ValueError("An extension cannot be negative.")
    pauses = list(pauses)
    if overlapping(pauses):
        raise ValueError("Pauses cannot overlap.")
    reviews = tuple(
        shift_for_pauses(add_months(start, n * interval_months), pauses)
        for n in range(1, length_months // interval_months + 1)
    )
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
