"""Working days in England and Wales: Monday to Friday, except bank holidays.

The bank holidays are data (``preceptorship/data/bank-holidays-england-and-wales.json``), not
code: add a special bank holiday there when one is proclaimed. Outside the years the file covers
only weekends count as non-working days.
"""

from __future__ import annotations

import datetime
import json
from functools import cache
from pathlib import Path

DATA = Path(__file__).resolve().parent / "data" / "bank-holidays-england-and-wales.json"
ONE_DAY = datetime.timedelta(days=1)


@cache
def bank_holidays() -> frozenset[datetime.date]:
    events = json.loads(DATA.read_text(encoding="utf-8"))["events"]
    return frozenset(datetime.date.fromisoformat(event["date"]) for event in events)


def is_working_day(day: datetime.date) -> bool:
    return day.weekday() < 5 and day not in bank_holidays()


def add_working_days(day: datetime.date, count: int) -> datetime.date:
    """The day ``count`` working days after ``day`` (``day`` itself is not counted).

    A case that reaches a step on Thursday 17 April 2025 has waited 10 working days on 6 May 2025:
    Good Friday, Easter Monday, the weekends and the early May bank holiday do not count."""
    if count < 0:
        raise ValueError("Count forwards only.")
    while count:
        day += ONE_DAY
        if is_working_day(day):
            count -= 1
    return day


def working_days_between(start: datetime.date, end: datetime.date) -> int:
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
    holidays = sum(1 for holiday in bank_holidays() if start < holiday <= end and holiday.weekday() < 5)
    return count - holidays
