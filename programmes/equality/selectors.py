"""The equality figures: retention (preceptorships completed against those left or withdrawn) and
progression (cases signed off against not), by the group people declared, for a set of
organisations. One query per table whatever the number of people.

Nobody's answer can be read from a table: a group of fewer than five people is hidden whole, a
count of 1 to 4 is hidden, and ``preceptorship.figures.protect`` hides a second figure wherever a
hidden one could be worked out from a total (of the group's row, or of a column)."""

from __future__ import annotations

from dataclasses import dataclass, replace
from typing import Any

from django.db.models import Count, F

from preceptorship.figures import SMALL_NUMBER, Figure, count, protect
from programmes.equality.categories import Question
from programmes.models import Enrolment
from progression.models import ProgressionCase

Stage = ProgressionCase.Stage
SIGNED_OFF = (Stage.SIGNED_OFF, Stage.HR_RECORDED, Stage.WORKER_TOLD, Stage.CONFIRMED)
TOTAL = "All people"


@dataclass(frozen=True)
class Row:
    group: str
    first: Figure
    second: Figure
    total: Figure


@dataclass(frozen=True)
class Table:
    title: str
    caption: str
    first_label: str
    second_label: str
    rows: list[Row]
    totals: Row

    @property
    def any_shown(self) -> bool:
        """Whether any group's figures are shown (not only the totals)."""
        return any(not row.total.hidden and row.group != TOTAL for row in self.rows)


def _table(question: Question, counts: dict[str, tuple[int, int]], **labels: str) -> Table:
    groups = question.groups()
    cells: dict[tuple[str, str], Figure] = {}
    for group in [*groups, TOTAL]:
        if group == TOTAL:
            first = sum(counts.get(g, (0, 0))[0] for g in groups)
            second = sum(counts.get(g, (0, 0))[1] for g in groups)
        else:
            first, second = counts.get(group, (0, 0))
        figures = {"first": count(first), "second": count(second), "total": count(first + second)}
        if group != TOTAL and 0 < first + second < SMALL_NUMBER:
            # A small group is hidden whole, its zeros too: "none of them completed" tells on them.
            figures = {name: replace(figure, protects=True) for name, figure in figures.items()}
        for name, figure in figures.items():
            cells[(group, name)] = figure
    rules = [([(group, "first"), (group, "second")], (group, "total")) for group in [*groups, TOTAL]]
    rules += [([(group, name) for group in groups], (TOTAL, name)) for name in ("first", "second", "total")]
    found = protect(cells, rules)
    rows = [Row(group, found[(group, "first")], found[(group, "second")], found[(group, "total")])
            for group in groups]
    totals = Row(TOTAL, found[(TOTAL, "first")], found[(TOTAL, "second")], found[(TOTAL, "total")])
    return Table(rows=rows, totals=totals, **labels)


def _by_group(question: Question, rows: Any, is_first: Any) -> dict[str, tuple[int, int]]:
    counts: dict[str, list[int]] = {}
    for row in rows:
        tally = counts.setdefault(question.group_of(row["answer"]), [0, 0])
        tally[0 if is_first(row) else 1] += row["n"]
    return {group: (first, second) for group, (first, second) in counts.items()}


def retention(*, organisation_ids: list[int], question: Question) -> Table:
    """Finished preceptorships: completed against left or withdrawn, by group."""
    rows = (Enrolment.objects.filter(organisation_id__in=organisation_ids,
                                     status__in=(Enrolment.Status.COMPLETED, Enrolment.Status.WITHDRAWN))
            .values("status", answer=F(f"preceptee__equality_answers__{question.field}"))
            .annotate(n=Count("pk")).order_by())
    counts = _by_group(question, rows, lambda row: row["status"] == Enrolment.Status.COMPLETED)
    return _table(question, counts, title="Retention", first_label="Completed", second_label="Left or withdrawn",
                  caption=f"Finished preceptorships by {question.title.lower()}: completed, left or withdrawn")


def progression(*, organisation_ids: list[int], question: Question) -> Table:
    """Progression cases: signed off against not signed off (still open, declined or withdrawn), by group."""
    rows = (ProgressionCase.objects.filter(organisation_id__in=organisation_ids)
            .values("stage", answer=F(f"practitioner__equality_answers__{question.field}"))
            .annotate(n=Count("pk")).order_by())
    counts = _by_group(question, rows, lambda row: row["stage"] in SIGNED_OFF)
    return _table(question, counts, title="Career progression", first_label="Signed off",
                  second_label="Not signed off",
                  caption=f"Progression cases by {question.title.lower()}: signed off or not")
