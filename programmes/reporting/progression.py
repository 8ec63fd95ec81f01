"""Progression cases at each stage and the mean days they have spent there."""

from __future__ import annotations

import datetime
from dataclasses import dataclass
from typing import Any

from django.db.models import Avg, Count, DateTimeField, DurationField, ExpressionWrapper, F, Q, QuerySet, Sum, Value
from django.utils import timezone

from preceptorship.figures import Figure, count, in_full, mean, protect
from programmes.models import CaseFigures
from programmes.reporting.period import Filters
from progression.models import ProgressionCase


@dataclass(frozen=True)
class StageRow:
    stage: str
    label: str
    cases: Figure
    mean_days: Figure


def progression_by_stage(
    cases: QuerySet[ProgressionCase], group: str | None = None, filters: Filters | None = None,
) -> dict[Any, list[StageRow]]:
    """Cases at each stage and the mean days they have spent there; one query. With ``filters``,
    the cases they choose; the same query counts all of ``cases`` by the filtered fields, so that
    each stage's count is protected across every value of those fields against the unfiltered
    count (``protect``), as ``protected`` does for enrolments."""
    # The application's clock, not the database's: the same "now" as every other figure on the page.
    now = Value(timezone.now(), output_field=DateTimeField())
    waited = ExpressionWrapper(now - F("stage_changed_at"), output_field=DurationField())
    dimensions = filters.case_dimensions() if filters else {}
    rows = (
        cases.order_by()
        .values(*([group] if group else []), "stage", *dimensions)
        .annotate(cases=Count("pk"), waited=Avg(waited))
    )
    return _by_stage([{**row, "waited": None if row["waited"] is None else _as_days(row["waited"])} for row in rows],
                     group, dimensions)


# The progression case fields of ``Filters.case_dimensions`` in ``CaseFigures``.
CASE_FIGURES_FIELDS = {"practitioner__profession_id": "profession_id", "team_id": "team_id"}


def progression_by_stage_of(scope: Q, group: str | None = None,
                            filters: Filters | None = None) -> dict[Any, list[StageRow]]:
    """``progression_by_stage`` of the cases ``scope`` chooses (``ics_scope``), from the summary
    (``CaseFigures``, rebuilt with the other figures): their mean time in stage is the time now
    less the mean time they reached it; one query."""
    now = timezone.now().timestamp()
    dimensions = {CASE_FIGURES_FIELDS[name]: value for name, value in (filters.case_dimensions() if filters
                                                                        else {}).items()}
    rows = (
        CaseFigures.objects.filter(scope).order_by()
        .values(*([group] if group else []), "stage", *dimensions)
        .annotate(cases=Sum("cases"), changed=Sum("changed_seconds"))
    )
    return _by_stage([
        {**row, "waited": (now - row["changed"] / row["cases"]) / 86400 if row["cases"] else None} for row in rows
    ], group, dimensions)


def _by_stage(rows: list[dict[str, Any]], group: str | None,
              dimensions: dict[str, Any]) -> dict[Any, list[StageRow]]:
    """Rows of cases (``cases``, ``waited`` in days) by stage, the group and the filtered fields,
    as stage rows per group, protected against the other values of the filtered fields."""
    found: dict[Any, dict[str, dict[str, Any]]] = {}
    others: dict[tuple[Any, str], list[int]] = {}
    for row in rows:
        key = row.get(group) if group else None
        if tuple(row[name] for name in dimensions) == tuple(dimensions.values()):
            found.setdefault(key, {})[row["stage"]] = row
        else:
            others.setdefault((key, row["stage"]), []).append(row["cases"])
    cells: dict[tuple, Figure] = {}
    groups: list[tuple[list[tuple], tuple]] = []
    for key, stages in (found or {None: {}}).items():
        for value, _ in ProgressionCase.Stage.choices:
            name = (key, value)
            cells[name] = count((stages.get(value) or {}).get("cases"))
            members = [name]
            for j, other in enumerate(others.get(name, [])):
                cells[("other", j, *name)] = count(other)
                members.append(("other", j, *name))
            if len(members) > 1:
                cells[("whole", *name)] = count(sum(cells[member].value or 0 for member in members))
                groups.append((members, ("whole", *name)))
    hidden = protect(cells, groups)
    result: dict[Any, list[StageRow]] = {}
    for key, stages in (found or {None: {}}).items():
        result[key] = []
        for value, label in ProgressionCase.Stage.choices:
            row = stages.get(value) or {}
            waited = mean(row.get("waited"), row.get("cases") or 0, "days")
            result[key].append(StageRow(value, label, hidden[(key, value)], waited))
    return result


def stages_in_full(rows: list[StageRow]) -> list[StageRow]:
    """``rows`` of one organisation's own dashboard: counts of its own staff's cases, nothing hidden."""
    return [StageRow(row.stage, row.label, in_full(row.cases), in_full(row.mean_days)) for row in rows]


def _as_days(value: Any) -> float:
    if isinstance(value, datetime.timedelta):
        return value.total_seconds() / 86400
    return float(value) / 86_400_000_000  # microseconds, as some databases average durations
