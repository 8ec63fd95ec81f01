"""Small numbers and the totals beside them: ``Figure`` (a number and the people behind it),
suppression of 1 to 4 people and secondary suppression (``protect``); see ``programmes.reporting``.
Hiding is for viewers who could not see the records behind a figure (an ICS lead across
organisations, anyone reading anonymous evaluation answers); ``in_full`` is a figure for one who can."""

from __future__ import annotations

from collections.abc import Hashable, Iterable, Mapping, Sequence
from dataclasses import dataclass, replace
from decimal import Decimal
from typing import Any

SMALL_NUMBER = 5
SUPPRESSED = "fewer than 5"
PROTECTED = "not shown (protects a small number)"


@dataclass(frozen=True)
class Figure:
    """A number and how many people are behind it. ``people`` 1 to 4 suppresses the value;
    ``protects`` hides it so that a suppressed figure of the same table cannot be worked out."""

    value: int | float | Decimal | None
    people: int
    unit: str = ""
    protects: bool = False

    @property
    def suppressed(self) -> bool:
        return 0 < self.people < SMALL_NUMBER

    @property
    def hidden(self) -> bool:
        """Not shown, either for its own small number or to protect another."""
        return self.suppressed or self.protects

    @property
    def missing(self) -> bool:
        return not self.hidden and self.value is None

    @property
    def label(self) -> str:
        """Why a hidden figure is not shown: "fewer than 5" or "not shown (protects ...)"."""
        return SUPPRESSED if self.suppressed else PROTECTED if self.protects else ""

    def export_value(self) -> Any:
        """What a CSV or Excel cell holds: the number, why it is hidden, or empty when there is no figure."""
        if self.hidden:
            return self.label
        if self.value is None:
            return ""
        return float(self.value) if isinstance(self.value, Decimal) else self.value

    @property
    def number(self) -> float | None:
        """The value for drawing a chart, or None when it must not (or cannot) be shown."""
        if self.hidden or self.value is None:
            return None
        return float(self.value)

    def __str__(self) -> str:
        if self.hidden:
            return self.label
        if self.value is None:
            return "no data"
        value = self.value
        if isinstance(value, (float, Decimal)) and value != int(value):
            text = f"{value:.1f}"
        else:
            text = f"{int(value):,}"
        return f"{text}%" if self.unit == "%" else f"{text} {self.unit}".strip()


def count(value: int | None) -> Figure:
    value = value or 0
    return Figure(value, value)


def percent(numerator: int | float | Decimal | None, denominator: int | float | Decimal | None,
            people: int | None = None) -> Figure:
    numerator, denominator = numerator or 0, denominator or 0
    value = round(100 * float(numerator) / float(denominator)) if denominator else None
    return Figure(value, int(denominator) if people is None else people, "%")


def share(numerator: int | None, denominator: int | None) -> Figure:
    """A percentage of people beside its denominator (shown, or worked out from figures shown): it
    gives its numerator away, so it is hidden (``protects``) when the people it counts, or those it
    leaves out, are 1 to 4."""
    numerator, denominator = numerator or 0, denominator or 0
    small = any(0 < people < SMALL_NUMBER for people in (numerator, denominator - numerator))
    return replace(percent(numerator, denominator), protects=small)


def mean(value: float | Decimal | None, people: int | None, unit: str = "") -> Figure:
    return Figure(None if value is None else round(float(value), 1), people or 0, unit)


def in_full(figure: Figure) -> Figure:
    """``figure`` for a viewer who may see every record behind it (a programme lead's own
    organisation): never hidden, whatever the number of people."""
    return replace(figure, people=0, protects=False)


def protect(cells: Mapping[Hashable, Figure],
            groups: Iterable[tuple[Sequence[Hashable], Hashable]]) -> dict[Hashable, Figure]:
    """Secondary suppression: ``cells`` (figures by name), with those that must also be hidden
    marked ``protects``. Each group is (the names of cells that add up to a total, the total's
    name). A group with exactly one hidden member gets a second: its smallest non-zero cell still
    shown (the first of equals), or its total when no such cell is left. Repeated until no group
    changes, since a cell hidden in one group (an organisation's starts) can be the total of
    another (its months)."""
    found = dict(cells)
    listed = [(list(members), total) for members, total in groups]
    changed = True
    while changed:
        changed = False
        for members, total in listed:
            if sum(found[name].hidden for name in (*members, total)) != 1:
                continue
            shown = [name for name in members if not found[name].hidden and found[name].value]
            if shown:
                choice = min(shown, key=lambda name: found[name].value)
            elif found[total].value and not found[total].hidden:
                choice = total
            else:
                continue
            found[choice] = replace(found[choice], protects=True)
            changed = True
    return found
