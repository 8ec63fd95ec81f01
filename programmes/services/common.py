"""What every programmes service shares: limits, the capacity warning, locking an enrolment and today's date.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass

from django.utils import timezone

from preceptorship.models import User
from programmes.models import (
    Enrolment,
)

COMPLETION_WINDOW_DAYS = 31  # confirmations open a month before the completion date
MAX_PROGRAMME_MONTHS = 60
MAX_PAUSE_DAYS = 3 * 366  # the longest leave a preceptorship is paused for


@dataclass(frozen=True)
class CapacityWarning:
    mentor: User
    current: int
    adding: int
    capacity: int

    def __str__(self) -> str:
        return (
            f"{self.mentor} already mentors {self.current} active preceptee{'s' if self.current != 1 else ''}; "
            f"adding {self.adding} makes {self.current + self.adding}, over their capacity of "
            f"{self.capacity}."
        )


class OverCapacity(Exception):  # noqa: N818 - reads as the situation, like Http404
    """One or more mentors (a cohort may have several) would go over their capacity."""

    def __init__(self, *warnings: CapacityWarning) -> None:
        super().__init__(" ".join(str(warning) for warning in warnings))
        self.warnings = list(warnings)
        self.warning = warnings[0]


def lock_enrolment(enrolment: Enrolment) -> Enrolment:
    return Enrolment.objects.select_for_update().select_related("programme").get(pk=enrolment.pk)


def service_today() -> datetime.date:
    return timezone.localdate()
