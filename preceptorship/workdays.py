"""Working days: Monday to Friday, except the bank holidays of the organisation's nation.

Bank holidays come from the ``holidays`` package (kept up to date by its maintainers, with
substitute days when Christmas or Boxing Day falls at a weekend and the one-off holidays such as
a state funeral), so nothing here runs out in a few years. England and Wales share one calendar,
the default; an organisation in Scotland or Northern Ireland chooses its own nation's
(``Organisation.nation``).
"""

from __future__ import annotations

import datetime
from functools import cache

import holidays

ONE_DAY = datetime.timedelta(days=1)

ENGLAND_AND_WALES = "england-and-wales"
SCOTLAND = "scotland"
NORTHERN_IRELAND = "northern-ireland"
# Our nation -> the package's subdivision of the United Kingdom.
SUBDIVISIONS = {ENGLAND_AND_WALES: "ENG", SCOTLAND: "SCT", NORTHERN_IRELAND: "NIR"}


@cache
def _calendar(nation: str) -> holidays.HolidayBase:
    try:
        subdivision = SUBDIVISIONS[nation]
    except KeyError:
        raise ValueError(f"Unknown nation {nation!r}: choose one of {', '.join(SUBDIVISIONS)}.") from None
    # Expands year by year as dates are asked about.
    return holidays.country_holidays("GB", subdiv=subdivision)


def bank_holidays(year: int, nation: str = ENGLAND_AND_WALES) -> dict[datetime.date, str]:
    """The weekday bank holidays of one year, with their names."""
    calendar = _calendar(nation)
    calendar.get(datetime.date(year, 1, 1))  # make the package compute the year
    return {day: name for day, name in sorted(calendar.items()) if day.year == year and day.weekday() < 5}


def is_working_day(day: datetime.date, nation: str = ENGLAND_AND_WALES) -> bool:
    return day.weekday() < 5 and day not in _calendar(nation)


def add_working_days(day: datetime.date, count: int, nation: str = ENGLAND_AND_WALES) -> datetime.date:
    """The day ``count`` working days after ``day`` (``day`` itself is not counted).

    A case that reaches a step on Thursday 17 April 2025 has waited 10 working days on 6 May 2025:
    Good Friday, Easter Monday, the weekends and the early May bank holiday do not count."""
    if count < 0:
        raise ValueError("Count forwards only.")
    while count:
        day += ONE_DAY
        if is_working_day(day, nation):
            count -= 1
    return day


def latest_start_for(today: datetime.date, count: int, nation: str = ENGLAND_AND_WALES) -> datetime.date:
    """The latest day from which ``count`` working days have passed by ``today``.

    Anything that began on this day or earlier has waited at least ``count`` working days; anything
    later has not. A case reached on Sunday 22 November 2026 has waited 10 working days on
    Saturday 5 December 2026."""
    if count < 1:
        return today
    day = today
    while True:
        if is_working_day(day, nation):
            count -= 1
            if count == 0:
                return day - ONE_DAY
        day -= ONE_DAY


def working_days_between(start: datetime.date, end: datetime.date, nation: str = ENGLAND_AND_WALES) -> int:
    """Working days after ``start`` up to and including ``end`` (0 when ``end`` is not later)."""
    if end <= start:
        return 0
    # Whole weeks hold five weekdays each; walk only the remainder.
    days = (end - start).days
    weeks, rest = divmod(days, 7)
    count = weeks * 5
    day = start + datetime.timedelta(days=weeks * 7)
    for _ in range(rest):
        day += ONE_DAY
        if day.weekday() < 5:
            count += 1
    calendar = _calendar(nation)
    for year in range(start.year, end.year + 1):
        calendar.get(datetime.date(year, 1, 1))  # make the package compute each year in the span
    weekday_holidays = sum(1 for holiday in calendar if start < holiday <= end and holiday.weekday() < 5)
    return count - weekday_holidays
