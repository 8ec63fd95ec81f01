"""The equality figures: retention (preceptorships completed against those left or withdrawn) and
progression (cases signed off against not), by the group people declared, for a set of
organisations. One query per table whatever the number of people.

Nobody's answer can be read from a table: a group of fewer than five people is hidden whole, a
count of 1 to 4 is hidden, and ``preceptorship.figures.protect`` hides a second figure wherever a
hidden one could be worked out from a total (of the group's row, of a column, or of the organisations
against all of them together: each organisation's tables and the whole's are protected as one)."""

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
ALL = "all"  # the organisations together


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


@dataclass(frozen=True)
class Figures:
    """One measure's tables: all the organisations counted together (``whole``) and each organisation
    on its own (``by_organisation``, by id), hidden together so that no table gives another away."""

    whole: Table
    by_organisation: dict[int, Table]


def _tables(question: Question, counts: dict[int, dict[str, tuple[int, int]]], organisation_ids: list[int],
            **labels: str) -> Figures:
    """The tables of every organisation and of all of them together, protected as one: a group's row
    (completed and not against its total), a column (the groups against all people), and an
    organisation's figure against the sum over the organisations (so the whole system's table, less
    the other organisations', never gives a hidden figure away)."""
    groups = question.groups()
    names = ("first", "second", "total")
    cells: dict[tuple[Any, str, str], Figure] = {}
    for place in [*organisation_ids, ALL]:
        for group in [*groups, TOTAL]:
            if place == ALL:
                pairs = [counts.get(o, {}).get(g, (0, 0)) for o in organisation_ids
                         for g in (groups if group == TOTAL else [group])]
            else:
                pairs = [counts.get(place, {}).get(g, (0, 0)) for g in (groups if group == TOTAL else [group])]
            first, second = sum(pair[0] for pair in pairs), sum(pair[1] for pair in pairs)
            figures = {"first": count(first), "second": count(second), "total": count(first + second)}
            if group != TOTAL and 0 < first + second < SMALL_NUMBER:
                # A small group is hidden whole, its zeros too: "none of them completed" tells on them.
                figures = {name: replace(figure, protects=True) for name, figure in figures.items()}
            for name, figure in figures.items():
                cells[(place, group, name)] = figure
    rules = []
    for place in [*organisation_ids, ALL]:
        rules += [([(place, group, "first"), (place, group, "second")], (place, group, "total"))
                  for group in [*groups, TOTAL]]
        rules += [([(place, group, name) for group in groups], (place, TOTAL, name)) for name in names]
    rules += [([(place, group, name) for place in organisation_ids], (ALL, group, name))
              for group in [*groups, TOTAL] for name in names]
    found = protect(cells, rules)

    def table(place: Any) -> Table:
        rows = [Row(group, *(found[(place, group, name)] for name in names)) for group in groups]
        return Table(rows=rows, totals=Row(TOTAL, *(found[(place, TOTAL, name)] for name in names)), **labels)

    return Figures(whole=table(ALL), by_organisation={place: table(place) for place in organisation_ids})


def _by_group(question: Question, rows: Any, is_first: Any) -> dict[int, dict[str, tuple[int, int]]]:
    """Counts by organisation and group: (first, second)."""
    counts: dict[int, dict[str, list[int]]] = {}
    for row in rows:
        tally = counts.setdefault(row["organisation_id"], {}).setdefault(question.group_of(row["answer"]), [0, 0])
        tally[0 if is_first(row) else 1] += row["n"]
    return {place: {group: (first, second) for group, (first, second) in by_group.items()}
            for place, by_group in counts.items()}


def retention(*, organisation_ids: list[int], question: Question) -> Table:
    """Finished preceptorships: completed against left or withdrawn, by group."""
    return retention_by_organisation(organisation_ids=organisation_ids, question=question).whole


def retention_by_organisation(*, organisation_ids: list[int], question: Question) -> Figures:
    """Retention for the organisations together and for each of them (one query)."""
    rows = (Enrolment.objects.filter(organisation_id__in=organisation_ids,
                                     status__in=(Enrolment.Status.COMPLETED, Enrolment.Status.WITHDRAWN))
            .values("organisation_id", "status", answer=F(f"preceptee__equality_answers__{question.field}"))
            .annotate(n=Count("pk")).order_by())
    counts = _by_group(question, rows, lambda row: row["status"] == Enrolment.Status.COMPLETED)
    return _tables(question, counts, organisation_ids, title="Retention", first_label="Completed",
                   second_label="Left or withdrawn",
                   caption=f"Finished preceptorships by {question.title.lower()}: completed, left or withdrawn")


def progression(*, organisation_ids: list[int], question: Question) -> Table:
    """Progression cases: signed off against not signed off (still open, declined or withdrawn), by group."""
    return progression_by_organisation(organisation_ids=organisation_ids, question=question).whole


def progression_by_organisation(*, organisation_ids: list[int], question: Question) -> Figures:
    """Career progression for the organisations together and for each of them (one query)."""
    rows = (ProgressionCase.objects.filter(organisation_id__in=organisation_ids)
            .values("organisation_id", "stage", answer=F(f"practitioner__equality_answers__{question.field}"))
            .annotate(n=Count("pk")).order_by())
    counts = _by_group(question, rows, lambda row: row["stage"] in SIGNED_OFF)
    return _tables(question, counts, organisation_ids, title="Career progression", first_label="Signed off",
                   second_label="Not signed off",
                   caption=f"Progression cases by {question.title.lower()}: signed off or not")
