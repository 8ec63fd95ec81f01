"""Progression cases at each stage and the mean days they have spent there."""

from __future__ import annotations

import datetime
from dataclasses import dataclass
from typing import Any

from django.db.models import Avg, Count, DateTimeField, DurationField, ExpressionWrapper, F, QuerySet, Value
from django.utils import timezone

from programmes.reporting.period import Filters
from programmes.reporting.suppression import Figure, count, mean, protect
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
            waited_value = row.get("waited")
            days = None if waited_value is None else _as_days(waited_value)
            cases_here = row.get("cases") or 0
            result[key].append(StageRow(value, label, hidden[(key, value)], mean(days, cases_here, "days")))
    return result


def _as_days(value: Any) -> float:
    if isinstance(value, datetime.timedelta):
        return value.total_seconds() / 86400
    return float(value) / 86_400_000_000  # microseconds, as some databases average durations
