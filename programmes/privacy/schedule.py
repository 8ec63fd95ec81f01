"""The retention schedule: how long each kind of record is kept, from ``settings.RETENTION``.

Each value is a period such as "6 years", "12 months" or "90 days" (docs/data-protection.md lists
the kinds, their defaults and why). A missing kind, an unknown kind or a value that is not a
period stops the site at start-up (``checks.py``), so a typing mistake never keeps records for
the wrong time without anyone knowing.
"""

from __future__ import annotations

import datetime
import re
from dataclasses import dataclass

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured

from programmes.schedule import add_months

# Kind -> what its period runs from (shown by the dry run and the docs).
KINDS: dict[str, str] = {
    "enrolments": "the end of the programme (completion or withdrawal)",
    "needs_assessments": "the end of the programme (completion or withdrawal)",
    "progression_cases": "the final decision (confirmed or declined)",
    "notifications": "when the notification was made",
    "files": "when the import or export was made",
    "subject_access_exports": "when the export was made",
    "leavers": "when the person left (inactive, no role left)",
}
PERIOD = re.compile(r"^\s*(\d{1,4})\s*(day|days|month|months|year|years)\s*$", re.IGNORECASE)


@dataclass(frozen=True)
class Period:
    number: int
    unit: str  # "days", "months" or "years"

    def __str__(self) -> str:
        unit = self.unit[:-1] if self.number == 1 else self.unit
        return f"{self.number} {unit}"

    def before(self, day: datetime.date) -> datetime.date:
        """The day this period before ``day``: records that ended on or before it are past their date."""
        if self.unit == "days":
            return day - datetime.timedelta(days=self.number)
        months = self.number * (12 if self.unit == "years" else 1)
        return add_months(day, -months)


def parse(value: object) -> Period:
    match = PERIOD.match(str(value)) if isinstance(value, str) else None
    if not match:
        raise ImproperlyConfigured(
            f"{value!r} is not a retention period: write it as a number and days, months or years, such as '6 years'."
        )
    number, unit = int(match.group(1)), match.group(2).lower()
    if number < 1:
        raise ImproperlyConfigured(f"{value!r}: a retention period is at least 1 day.")
    return Period(number, unit if unit.endswith("s") else f"{unit}s")


def periods() -> dict[str, Period]:
    """Every kind's period, read from the settings each time (never at import)."""
    configured = getattr(settings, "RETENTION", {})
    unknown = sorted(set(configured) - set(KINDS))
    if unknown:
        raise ImproperlyConfigured(f"RETENTION names kinds of record that do not exist: {', '.join(unknown)}.")
    missing = sorted(set(KINDS) - set(configured))
    if missing:
        raise ImproperlyConfigured(f"RETENTION has no period for: {', '.join(missing)}.")
    found = {}
    for kind in KINDS:
        try:
            found[kind] = parse(configured[kind])
        except ImproperlyConfigured as error:
            raise ImproperlyConfigured(f"RETENTION[{kind!r}]: {error}") from None
    return found
