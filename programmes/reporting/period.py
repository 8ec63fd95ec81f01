"""The dashboards' period (whole months) and filters."""

from __future__ import annotations

import calendar
import datetime
from dataclasses import dataclass
from typing import Any

from django.db.models import Q, QuerySet

from preceptorship.models import Profession
from programmes.models import Enrolment, Programme
from progression.models import ProgressionCase


def month_start(day: datetime.date) -> datetime.date:
    return day.replace(day=1)


def month_end(day: datetime.date) -> datetime.date:
    return day.replace(day=calendar.monthrange(day.year, day.month)[1])


def add_months(day: datetime.date, months: int) -> datetime.date:
    index = day.year * 12 + day.month - 1 + months
    return datetime.date(index // 12, index % 12 + 1, 1)


@dataclass(frozen=True)
class Period:
    """Whole months from the month of ``start`` to the month of ``end``."""

    start: datetime.date
    end: datetime.date

    def __post_init__(self) -> None:
        object.__setattr__(self, "start", month_start(self.start))
        object.__setattr__(self, "end", month_end(self.end))

    @classmethod
    def last_months(cls, months: int, today: datetime.date) -> Period:
        return cls(add_months(today, -(months - 1)), today)

    def months(self) -> list[datetime.date]:
        found, day = [], self.start
        while day <= self.end:
            found.append(day)
            day = add_months(day, 1)
        return found

    def __str__(self) -> str:
        return f"{self.start:%B %Y} to {self.end:%B %Y}"


@dataclass(frozen=True)
class Filters:
    programme: Programme | None = None
    profession: Profession | None = None
    team: Any = None
    transition: str = ""

    def q(self) -> Q | None:
        """The enrolments these filters choose, or None when they choose all."""
        chosen = Q()
        if self.programme:
            chosen &= Q(programme=self.programme)
        if self.profession:
            chosen &= Q(preceptee__profession=self.profession)
        if self.team:
            chosen &= Q(team=self.team)
        if self.transition:
            chosen &= Q(transition=self.transition)
        return chosen or None

    def dimensions(self) -> dict[str, Any]:
        """The summary fields (``programmes.reporting.summary.DIMENSIONS``) these filters fix, and the value of each."""
        found = {
            "programme_id": self.programme.pk if self.programme else None,
            "profession_id": self.profession.pk if self.profession else None,
            "team_id": self.team.pk if self.team else None,
            "transition": self.transition or None,
        }
        return {name: value for name, value in found.items() if value is not None}

    def apply(self, enrolments: QuerySet[Enrolment]) -> QuerySet[Enrolment]:
        chosen = self.q()
        return enrolments if chosen is None else enrolments.filter(chosen)

    def case_q(self) -> Q | None:
        """The progression cases these filters choose, or None when they choose all. Progression is
        not a programme: only profession and team apply."""
        chosen = Q()
        if self.profession:
            chosen &= Q(practitioner__profession=self.profession)
        if self.team:
            chosen &= Q(team=self.team)
        return chosen or None

    def case_dimensions(self) -> dict[str, Any]:
        """The progression case fields these filters fix, and the value of each."""
        found = {
            "practitioner__profession_id": self.profession.pk if self.profession else None,
            "team_id": self.team.pk if self.team else None,
        }
        return {name: value for name, value in found.items() if value is not None}

    def apply_to_cases(self, cases: QuerySet[ProgressionCase]) -> QuerySet[ProgressionCase]:
        chosen = self.case_q()
        return cases if chosen is None else cases.filter(chosen)

    def as_parameters(self) -> dict[str, Any]:
        return {
            "programme": self.programme.pk if self.programme else None,
            "profession": self.profession.pk if self.profession else None,
            "team": self.team.pk if self.team else None,
            "transition": self.transition,
        }
