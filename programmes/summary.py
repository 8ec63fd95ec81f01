"""The dashboards' figures, rebuilt from the records into the summary tables of ``programmes.models``
(``MonthFigures``, ``EventFigures``, ``CompletionLengths``, ``CurrentFigures``, ``SummaryBuild``).

``rebuild(today=)`` replaces every row in one transaction, so a dashboard reads either the last
build or the one before, never half of one; two rebuilds at once wait for each other (the build
row is locked first). It runs every few minutes (``programmes.tasks.rebuild_dashboard_figures``,
on beat) and when a dashboard or home panel finds no build at all (``ensure_built``: a new
database, just migrated or seeded). Each table is filled twice: at the finest grain (``detail``)
and by employer and programme organisation only.
"""

from __future__ import annotations

import datetime
from collections import defaultdict
from collections.abc import Iterable
from typing import Any

from django.db import transaction
from django.db.models import Count, F, Q, Sum
from django.db.models.functions import Coalesce, TruncDate, TruncMonth
from django.utils import timezone

from programmes.models import (
    CompletionLengths,
    CurrentFigures,
    Enrolment,
    Evaluation,
    EventFigures,
    Extension,
    MonthFigures,
    Programme,
    ProtectedTime,
    ReviewMeeting,
    SummaryBuild,
)
from programmes.reporting import FIRST_YEAR_DAYS, ON_TIME_DAYS

# A period is at most this many months long (forms_reports.MAX_MONTHS), so an event further back
# than this is before any period that contains the month: it counts as no event before.
LOOK_BACK_MONTHS = 36

# The summary fields, and the enrolment's fields they hold.
DIMENSIONS = {
    "organisation_id": "organisation_id",
    "provider_id": "programme__organisation_id",
    "programme_id": "programme_id",
    "profession_id": "preceptee__profession_id",
    "team_id": "team_id",
    "transition": "transition",
    "withdrawal_reason": "withdrawal_reason",
}
# What the rows without ``detail`` keep: every dashboard's scope, and the withdrawal reasons that
# the unfiltered dashboards break down.
COARSE = ("organisation_id", "provider_id", "withdrawal_reason")
BLANK = {"programme_id": None, "profession_id": None, "team_id": None, "transition": ""}

Key = tuple[Any, ...]


def _month(day: datetime.date) -> datetime.date:
    return day.replace(day=1)


def _months_between(first: datetime.date, last: datetime.date) -> int:
    return (last.year - first.year) * 12 + last.month - first.month


def _lookups(prefix: str = "") -> list[str]:
    return [prefix + lookup for lookup in DIMENSIONS.values()]


def _add(found: dict[Key, dict[str, Any]], rows: Iterable[dict[str, Any]], prefix: str, *extra: str) -> None:
    """Add each grouped row's measures to ``found`` under (dimensions, *extra)."""
    lookups = _lookups(prefix)
    for row in rows:
        key = (*(row.pop(lookup) for lookup in lookups), *(row.pop(name) for name in extra))
        into = found[key]
        for name, value in row.items():
            into[name] = into.get(name, 0) + (value or 0)


def _month_figures() -> dict[Key, dict[str, Any]]:
    found: dict[Key, dict[str, Any]] = defaultdict(dict)
    enrolments = Enrolment.objects.order_by()
    _add(found, enrolments.annotate(month=TruncMonth("start_date")).values(*_lookups(), "month").annotate(
        starts=Count("pk"), hours_started=Sum("programme__protected_hours_per_month"),
    ), "", "month")
    first_year = Q(withdrawn_on__isnull=False, withdrawn_on__lt=F("start_date") + datetime.timedelta(FIRST_YEAR_DAYS))
    _add(found, enrolments.filter(Q(completed_on__isnull=False) | Q(withdrawn_on__isnull=False))
         .annotate(month=TruncMonth(Coalesce("completed_on", "withdrawn_on"))).values(*_lookups(), "month").annotate(
        ended=Count("pk"), completions=Count("pk", filter=Q(completed_on__isnull=False)),
        withdrawn_first_year=Count("pk", filter=first_year), hours_ended=Sum("programme__protected_hours_per_month"),
    ), "", "month")
    _add(found, ProtectedTime.objects.order_by().annotate(month=TruncMonth("on"))
         .values(*_lookups("enrolment__"), "month").annotate(protected_hours=Sum("hours")), "enrolment__", "month")
    _add(found, Evaluation.objects.order_by().annotate(month=TruncMonth(TruncDate("created_at")))
         .values(*_lookups("enrolment__"), "month").annotate(
        evaluations=Count("pk"), support_total=Sum("support_received"), confidence_total=Sum("confidence_now"),
        protected_time_total=Sum("protected_time"),
        would_recommend=Count("pk", filter=Q(would_recommend=Evaluation.Recommend.YES)),
    ), "enrolment__", "month")
    return found


def _previous(last: dict[int, datetime.date], enrolment_id: int, month: datetime.date) -> datetime.date | None:
    """The month of the enrolment's event before this one (or None), and remember this one."""
    before = last.get(enrolment_id)
    last[enrolment_id] = month
    if before is None or _months_between(before, month) >= LOOK_BACK_MONTHS:
        return None
    return before


def _event_figures() -> dict[Key, dict[str, Any]]:
    found: dict[Key, dict[str, Any]] = defaultdict(dict)
    lookups = _lookups("enrolment__")
    last: dict[int, datetime.date] = {}
    reviews = (ReviewMeeting.objects.filter(status=ReviewMeeting.Status.HELD)
               .order_by("enrolment_id", "held_on", "pk")
               .values_list("enrolment_id", "held_on", "due_on", "number", "wellbeing", "confidence", *lookups))
    for enrolment_id, held_on, due_on, number, wellbeing, confidence, *dimensions in reviews.iterator(5000):
        month = _month(held_on)
        # Only reviews with a due date count towards "on time", and so towards its people.
        previous = _previous(last, enrolment_id, month) if due_on else None
        into = found[(*dimensions, EventFigures.Kind.REVIEW, month, number, previous)]
        into["events"] = into.get("events", 0) + (1 if due_on else 0)
        late = due_on is None or held_on > due_on + datetime.timedelta(ON_TIME_DAYS)
        into["on_time"] = into.get("on_time", 0) + (0 if late else 1)
        into["wellbeing_total"] = into.get("wellbeing_total", 0) + (wellbeing or 0)
        into["wellbeing_answers"] = into.get("wellbeing_answers", 0) + (wellbeing is not None)
        into["confidence_total"] = into.get("confidence_total", 0) + (confidence or 0)
        into["confidence_answers"] = into.get("confidence_answers", 0) + (confidence is not None)
    last = {}
    extensions = (Extension.objects.annotate(day=TruncDate("created_at")).order_by("enrolment_id", "created_at", "pk")
                  .values_list("enrolment_id", "day", *lookups))
    for enrolment_id, day, *dimensions in extensions.iterator(5000):
        month = _month(day)
        into = found[(*dimensions, EventFigures.Kind.EXTENSION, month, None, _previous(last, enrolment_id, month))]
        into["events"] = into.get("events", 0) + 1
    return found


def _completion_lengths() -> dict[Key, dict[str, Any]]:
    found: dict[Key, dict[str, Any]] = defaultdict(dict)
    rows = (Enrolment.objects.filter(completed_on__isnull=False).order_by()
            .values_list("start_date", "completed_on", *_lookups()))
    for start_date, completed_on, *dimensions in rows.iterator(5000):
        into = found[(*dimensions, _month(completed_on), (completed_on - start_date).days)]
        into["completions"] = into.get("completions", 0) + 1
    return found


def _current_figures(today: datetime.date) -> dict[Key, dict[str, Any]]:
    found: dict[Key, dict[str, Any]] = defaultdict(dict)
    multi = (Programme.professions.through.objects.order_by().values("programme_id")
             .annotate(n=Count("profession_id")).filter(n__gt=1).values("programme_id"))
    _add(found, Enrolment.objects.filter(status__in=Enrolment.CURRENT).order_by().values(*_lookups()).annotate(
        active=Count("pk"), multi_professional=Count("pk", filter=Q(programme_id__in=multi)),
        overdue=Count("pk", filter=Q(status=Enrolment.Status.ACTIVE, next_review_due__lt=today)),
    ), "")
    return found


def _coarse(found: dict[Key, dict[str, Any]]) -> dict[Key, dict[str, Any]]:
    """``found`` added up by employer, programme organisation and withdrawal reason only."""
    names = list(DIMENSIONS)
    kept = [names.index(name) for name in COARSE]
    width = len(names)
    coarse: dict[Key, dict[str, Any]] = defaultdict(dict)
    for key, measures in found.items():
        into = coarse[(*(key[i] for i in kept), *key[width:])]
        for name, value in measures.items():
            into[name] = into.get(name, 0) + value
    return coarse


def _save(model: type, found: dict[Key, dict[str, Any]], extra: tuple[str, ...]) -> None:
    names = list(DIMENSIONS)

    def rows() -> Iterable[Any]:
        for key, measures in found.items():
            yield model(detail=True, **dict(zip([*names, *extra], key, strict=True)), **measures)
        for key, measures in _coarse(found).items():
            yield model(detail=False, **BLANK, **dict(zip([*COARSE, *extra], key, strict=True)), **measures)

    model.objects.bulk_create(rows(), batch_size=2000)


TABLES = (MonthFigures, EventFigures, CompletionLengths, CurrentFigures)


@transaction.atomic
def rebuild(*, today: datetime.date) -> SummaryBuild:
    """Replace the dashboards' figures with figures worked out from the records now."""
    build, _ = SummaryBuild.objects.get_or_create(pk=1, defaults={"built_at": timezone.now(), "built_for": today})
    build = SummaryBuild.objects.select_for_update().get(pk=build.pk)
    for model in TABLES:
        model.objects.all().delete()
    _save(MonthFigures, _month_figures(), ("month",))
    _save(EventFigures, _event_figures(), ("kind", "month", "number", "previous"))
    _save(CompletionLengths, _completion_lengths(), ("month", "days"))
    _save(CurrentFigures, _current_figures(today), ())
    build.built_at, build.built_for = timezone.now(), today
    build.save(update_fields=["built_at", "built_for"])
    return build


def last_build() -> SummaryBuild | None:
    return SummaryBuild.objects.filter(pk=1).first()


def ensure_built(today: datetime.date) -> SummaryBuild:
    """The last build, or a first one when there has never been one (a new database)."""
    return last_build() or rebuild(today=today)
