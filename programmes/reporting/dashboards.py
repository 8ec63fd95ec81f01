"""The enrolment figures of a dashboard (``figures``), read from the summary tables that
``programmes.reporting.summary`` rebuilds, and their secondary suppression (``protected``)."""

from __future__ import annotations

import datetime
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field, replace
from decimal import Decimal
from typing import Any

from django.db.models import Case, DateField, F, Q, Sum, Value, When, Window
from django.db.models.expressions import RowRange

from preceptorship.figures import Figure, count, in_full, mean, percent, protect, share
from programmes.models import CompletionLengths, CurrentFigures, Enrolment, EventFigures, MonthFigures
from programmes.reporting.period import Filters, Period

ON_TIME_DAYS = 14
FIRST_YEAR_DAYS = 365
DAYS_PER_MONTH = Decimal("30.4375")
REVIEW_NUMBERS = range(1, 7)
# The withdrawal reasons (value, label), read once: a dashboard looks them up for every organisation.
REASONS = tuple(Enrolment.WithdrawalReason.choices)
REASON_VALUES = tuple(value for value, _ in REASONS)


# The figures, grouped (``group`` = "organisation_id") or not (``group`` = None, key None).


def active_during(first: datetime.date, last: datetime.date) -> Q:
    """On a programme at some time from ``first`` to ``last`` (the enrolments export)."""
    return (
        Q(start_date__lte=last)
        & (Q(completed_on__isnull=True) | Q(completed_on__gte=first))
        & (Q(withdrawn_on__isnull=True) | Q(withdrawn_on__gte=first))
    )


@dataclass(frozen=True)
class Month:
    month: datetime.date
    starts: Figure
    completions: Figure
    active: Figure

    @property
    def label(self) -> str:
        return f"{self.month:%b %Y}"


@dataclass
class Figures:
    """Everything one dashboard (or one organisation's column of the ICS dashboard) shows."""

    months: list[Month] = field(default_factory=list)
    active_now: Figure = field(default_factory=lambda: count(0))
    starts: Figure = field(default_factory=lambda: count(0))
    completions: Figure = field(default_factory=lambda: count(0))
    completion_rate: Figure = field(default_factory=lambda: percent(0, 0))
    median_months: Figure = field(default_factory=lambda: Figure(None, 0, "months"))
    extensions: Figure = field(default_factory=lambda: count(0))
    reviews_on_time: Figure = field(default_factory=lambda: percent(0, 0))
    reviews_overdue: Figure = field(default_factory=lambda: count(0))
    withdrawals_first_year: Figure = field(default_factory=lambda: count(0))
    withdrawals_by_reason: dict[str, Figure] = field(
        default_factory=lambda: {label: count(0) for _, label in REASONS}
    )
    protected_hours: Figure = field(default_factory=lambda: Figure(None, 0, "hours"))
    protected_allowance: Figure = field(default_factory=lambda: Figure(None, 0, "hours"))
    protected_share: Figure = field(default_factory=lambda: percent(0, 0))
    multi_professional_share: Figure = field(default_factory=lambda: percent(0, 0))
    scores: list[tuple[int, Figure, Figure]] = field(default_factory=lambda: _scores([]))
    evaluation: dict[str, Figure] = field(default_factory=lambda: _evaluation({}))
    evaluation_answers: int = 0
    # Filtered figures only: the counts of the first query for each other value of the filtered
    # fields (the other programmes, say), which add up with these to the unfiltered figures.
    others: list[dict[str, int]] = field(default_factory=list)


SUMMARY_MEASURES = [
    # (stable code, label, attribute of Figures)
    ("active_now", "Active enrolments now", "active_now"),
    ("starts", "Starts in the period", "starts"),
    ("completions", "Completions in the period", "completions"),
    ("completion_rate_percent", "Completion rate (completed of those who finished)", "completion_rate"),
    ("median_months_to_complete", "Median months to complete", "median_months"),
    ("extensions", "Extensions agreed in the period", "extensions"),
    ("reviews_on_time_percent", f"Reviews held on time (within {ON_TIME_DAYS} days of due)", "reviews_on_time"),
    ("reviews_overdue_now", "Reviews overdue now", "reviews_overdue"),
    ("withdrawals_first_12_months", "Withdrawals in the first 12 months", "withdrawals_first_year"),
    ("protected_time_percent", "Protected time received against the allowance", "protected_share"),
    ("multi_professional_percent", "Active enrolments on multi-professional programmes", "multi_professional_share"),
]


def figures(
    scope: Q, period: Period, today: datetime.date, group: str | None = None,
    keys: Iterable[Any] = (), filters: Filters | None = None,
) -> dict[Any, Figures]:
    """All the enrolment figures of ``scope`` (``lead_scope``, ``ics_scope``) from the summary
    tables (``programmes.reporting.summary``), in four queries whatever the data size. Grouped, every group
    found gets its figures, and so does every one of ``keys`` (an organisation with no enrolment
    still has its months, reasons and review numbers, all zero). With ``filters``, the figures are
    of the enrolments they choose; the first query counts all of ``scope`` by the filtered fields
    (``Figures.others``: the other programmes, say), so that ``protected`` can keep the unfiltered
    figures, shown elsewhere, from giving another value's small number away."""
    dimensions = filters.dimensions() if filters else {}
    chosen = tuple(dimensions.values())
    detail = bool(dimensions)
    months = period.months()
    grouping = [*([group] if group else []), *dimensions]

    def split(row: dict[str, Any]) -> tuple[Any, tuple]:
        return (row.pop(group) if group else None), tuple(row.pop(name) for name in dimensions)

    # Starts and endings before the period and in each of its months, and the figures of the day.
    flows: dict[tuple[Any, tuple], dict[str, Any]] = {}
    bucket = Case(When(month__lt=period.start, then=Value(None)), default=F("month"), output_field=DateField())
    reasons = REASON_VALUES
    month_rows = (
        MonthFigures.objects.filter(scope, detail=detail, month__lte=period.end).order_by()
        .annotate(bucket=bucket).values(*grouping, "bucket")
        .annotate(
            starts=Sum("starts"), completions=Sum("completions"), ended=Sum("ended"),
            first_year=Sum("withdrawn_first_year"),
            hours_started=Sum("hours_started"), hours_ended=Sum("hours_ended"), hours=Sum("protected_hours"),
            answered=Sum("evaluations"), support=Sum("support_total"), confidence=Sum("confidence_total"),
            time_score=Sum("protected_time_total"), yes=Sum("would_recommend"),
            **{f"reason_{reason}": Sum("withdrawn_first_year", filter=Q(withdrawal_reason=reason))
               for reason in reasons},
        )
    )
    for row in month_rows:
        found = flows.setdefault(split(row), {"months": {}})
        found["months"][row.pop("bucket")] = row
    now = {"active_now": Sum("active"), "multi_now": Sum("multi_professional"), "overdue": Sum("overdue")}
    current = CurrentFigures.objects.filter(scope, detail=detail).order_by()
    for row in current.values(*grouping).annotate(**now) if grouping else [current.aggregate(**now)]:
        flows.setdefault(split(row), {"months": {}})["now"] = row

    main: dict[Any, dict[str, Any]] = {}
    others: dict[Any, list[dict[str, int]]] = {}
    extra: dict[Any, dict[str, Any]] = {}
    for (key, values), found in flows.items():
        row = _flow_row(found, months)
        if values == chosen:
            main[key] = row
            extra[key] = found
        else:
            others.setdefault(key, []).append({name: row[name] or 0 for name in row if _counted(name)})

    # Review meetings and extensions in the period, for the enrolments the filters choose.
    within = (period.start, period.end)
    first_in_period = Q(previous__isnull=True) | Q(previous__lt=period.start)
    events = (
        EventFigures.objects.filter(scope, detail=detail, month__range=within, **dimensions).order_by()
        .values(*([group] if group else []), "kind", "number")
        .annotate(
            people=Sum("events", filter=first_in_period), events=Sum("events"), on_time=Sum("on_time"),
            wellbeing=Sum("wellbeing_total"), wellbeing_n=Sum("wellbeing_answers"),
            confidence=Sum("confidence_total"), confidence_n=Sum("confidence_answers"),
        )
    )
    reviews: dict[Any, dict[str, int]] = {}
    extensions: dict[Any, dict[str, int]] = {}
    score_rows: dict[Any, list[dict[str, Any]]] = {}
    for row in events:
        key = row.get(group) if group else None
        into = (reviews if row["kind"] == EventFigures.Kind.REVIEW else extensions).setdefault(key, {})
        for name in ("events", "on_time", "people"):
            into[name] = into.get(name, 0) + (row[name] or 0)
        if row["kind"] == EventFigures.Kind.REVIEW and row["number"] in REVIEW_NUMBERS:
            score_rows.setdefault(key, []).append({
                "number": row["number"],
                "mean_wellbeing": row["wellbeing"] / row["wellbeing_n"] if row["wellbeing_n"] else None,
                "mean_confidence": row["confidence"] / row["confidence_n"] if row["confidence_n"] else None,
                "wellbeing_n": row["wellbeing_n"], "confidence_n": row["confidence_n"],
            })
    medians = _median_months(scope, detail, within, dimensions, group)

    found_keys = set(main) | set(reviews) | set(extensions) | set(keys)
    if group is None:
        found_keys = {None}
    result: dict[Any, Figures] = {}
    reason_labels = dict(REASONS)
    for k in found_keys:
        row = main.get(k) or {}
        figure = Figures()
        figure.others = others.get(k, [])
        figure.months = [
            Month(first, count(row.get(f"starts_{i}")), count(row.get(f"completions_{i}")),
                  count(row.get(f"active_{i}")))
            for i, first in enumerate(months)
        ]
        figure.active_now = count(row.get("active_now"))
        figure.starts = count(sum(row.get(f"starts_{i}") or 0 for i in range(len(months))))
        figure.completions = count(row.get("completed"))
        figure.completion_rate = share(row.get("completed"), row.get("finished"))
        median, completed = medians.get(k, (None, 0))
        figure.median_months = Figure(median, completed, "months")
        figure.reviews_overdue = count(row.get("overdue"))
        figure.withdrawals_first_year = count(row.get("first_year"))
        figure.withdrawals_by_reason = {
            reason_labels[reason]: count(row.get(f"reason_{reason}")) for reason in REASON_VALUES
        }
        figure.multi_professional_share = share(row.get("multi_now"), row.get("active_now"))
        review = reviews.get(k) or {}
        figure.reviews_on_time = percent(review.get("on_time"), review.get("events"), review.get("people") or 0)
        allowance = sum((row.get(f"allowance_{i}") or Decimal(0)) for i in range(len(months)))
        logged = row.get("hours") or Decimal(0)
        people = row.get("in_period") or 0
        figure.protected_hours = Figure(logged, people, "hours")
        figure.protected_allowance = Figure(allowance, people, "hours")
        figure.protected_share = percent(logged, allowance, people)
        extension = extensions.get(k) or {}
        figure.extensions = Figure(extension.get("events") or 0, extension.get("people") or 0)
        figure.scores = _scores(score_rows.get(k, []))
        figure.evaluation_answers = row.get("answered") or 0
        figure.evaluation = _evaluation(row)
        result[k] = figure
    return result


# The counts shown as people, which a filtered view must keep from giving away the rest.
def _counted(name: str) -> bool:
    return name.split("_")[0] in ("starts", "completions", "active", "overdue", "completed", "first", "reason")


def _flow_row(found: dict[str, Any], months: list[datetime.date]) -> dict[str, Any]:
    """One group's figures by name (``starts_0``, ``active_0``, ``completed``, ``in_period`` ...)
    from its sums before the period (bucket None) and in each month of it. Active at a month's end:
    started by then and not yet ended; on the programme during a month (for the protected time
    allowance): started by its end and not ended before it."""
    by_month = found["months"]
    before = by_month.get(None) or {}
    started = before.get("starts") or 0
    ended = before.get("ended") or 0
    hours_started = before.get("hours_started") or Decimal(0)
    hours_ended = before.get("hours_ended") or Decimal(0)
    row: dict[str, Any] = {"in_period": started - ended, "active_now": 0, "multi_now": 0, "overdue": 0,
                           **(found.get("now") or {})}
    totals = dict.fromkeys(("completed", "finished", "first_year", "hours", "answered", "support", "confidence",
                            "time_score", "yes", *(f"reason_{r}" for r in REASON_VALUES)), 0)
    for i, first in enumerate(months):
        month = by_month.get(first) or {}
        row[f"allowance_{i}"] = hours_started + (month.get("hours_started") or 0) - hours_ended
        started += month.get("starts") or 0
        ended += month.get("ended") or 0
        hours_started += month.get("hours_started") or 0
        hours_ended += month.get("hours_ended") or 0
        row[f"starts_{i}"] = month.get("starts") or 0
        row[f"completions_{i}"] = month.get("completions") or 0
        row[f"active_{i}"] = started - ended
        row["in_period"] += month.get("starts") or 0
        for name in totals:
            source = {"completed": "completions", "finished": "ended"}.get(name, name)
            totals[name] += month.get(source) or 0
    return row | totals


def _median_months(scope: Q, detail: bool, within: tuple[datetime.date, datetime.date], dimensions: dict[str, Any],
                   group: str | None) -> dict[Any, tuple[float | None, int]]:
    """The median months from start to completion per group: the database adds up the completions
    of each length in order and returns only the rows holding the middle one or two, so one query
    and at most two rows a group."""
    partition = [F(group)] if group else [Value(1)]
    ranked = (
        CompletionLengths.objects.filter(scope, detail=detail, month__range=within, **dimensions).order_by()
        .annotate(
            reached=Window(Sum("completions"), partition_by=partition, order_by=[F("days").asc(), F("pk").asc()],
                           frame=RowRange(start=None, end=0)),
            total=Window(Sum("completions"), partition_by=partition),
        )
        .filter(reached__gte=(F("total") + 1) / 2, reached__lt=F("completions") + F("total") / 2 + 1)
        .values_list(group or "detail", "days", "completions", "reached", "total")
    )
    middle: dict[Any, list[tuple[int, int, int]]] = {}
    totals: dict[Any, int] = {}
    for key, days, completions, reached, total in ranked:
        key = key if group else None
        middle.setdefault(key, []).append((days, reached - completions, reached))
        totals[key] = total
    found = {}
    for key, rows in middle.items():
        total = totals[key]
        positions = {(total + 1) // 2, total // 2 + 1} if total % 2 == 0 else {(total + 1) // 2}
        values = [days for position in sorted(positions) for days, after, upto in rows if after < position <= upto]
        found[key] = (round(sum(values) / len(values) / float(DAYS_PER_MONTH), 1), total)
    return found


def _scores(rows: Iterable[dict[str, Any]]) -> list[tuple[int, Figure, Figure]]:
    by_number = {row["number"]: row for row in rows}
    return [
        (
            number,
            mean((by_number.get(number) or {}).get("mean_wellbeing"), (by_number.get(number) or {}).get("wellbeing_n")),
            mean((by_number.get(number) or {}).get("mean_confidence"),
                 (by_number.get(number) or {}).get("confidence_n")),
        )
        for number in REVIEW_NUMBERS
    ]


EVALUATION_MEASURES = [
    ("support_received", "How well supported they felt (1 to 5)"),
    ("confidence_now", "How confident they feel in their role now (1 to 5)"),
    ("protected_time", "Got the protected time they needed (1 to 5)"),
    ("would_recommend_percent", "Would recommend the programme to a colleague"),
]


def _evaluation(row: dict[str, Any]) -> dict[str, Figure]:
    """Aggregates of at least five answers only: below that every measure is suppressed. ``row``
    holds the number of answers and the totals of their scores."""
    answered = row.get("answered") or 0

    def average(total: str) -> float | None:
        return row[total] / answered if answered else None

    return {
        "support_received": mean(average("support"), answered),
        "confidence_now": mean(average("confidence"), answered),
        "protected_time": mean(average("time_score"), answered),
        "would_recommend_percent": share(row.get("yes"), answered),
    }


def shown_in_full(found: Figures) -> Figures:
    """``found`` for a programme lead, who may see every enrolment, review and protected time total
    behind their own organisation's figures: nothing hidden for a small number, and so nothing to
    protect either. The programme evaluation stays hidden below 5 answers: the answers are anonymous."""
    return replace(
        found,
        months=[Month(m.month, in_full(m.starts), in_full(m.completions), in_full(m.active)) for m in found.months],
        withdrawals_by_reason={reason: in_full(figure) for reason, figure in found.withdrawals_by_reason.items()},
        scores=[(number, in_full(wellbeing), in_full(confidence)) for number, wellbeing, confidence in found.scores],
        **{name: in_full(getattr(found, name)) for name in (
            "active_now", "starts", "completions", "completion_rate", "median_months", "extensions",
            "reviews_on_time", "reviews_overdue", "withdrawals_first_year", "protected_hours",
            "protected_allowance", "protected_share", "multi_professional_share",
        )},
    )


# The counts an ICS dashboard shows per organisation and the home page for the whole system.
ACROSS_ORGANISATIONS = ("active_now", "starts", "completions", "reviews_overdue", "withdrawals_first_year")


def protected(grouped: Mapping[Any, Figures], across: Iterable[Any] | None = None) -> dict[Any, Figures]:
    """``grouped`` with ``protect`` applied. Within each group: the months against the period's
    starts and completions, the reasons against the withdrawals in the first 12 months; for
    filtered figures, each count and the same count of the other values of the filtered fields
    against the unfiltered count (``Figures.others``). With ``across`` (the organisations a page
    shows), also each of ``ACROSS_ORGANISATIONS`` against the system's total; a group not shown
    counts as a hidden cell."""
    cells: dict[tuple, Figure] = {}
    groups: list[tuple[list[tuple], tuple]] = []
    for key, found in grouped.items():
        for i, month in enumerate(found.months):
            cells[(key, "starts", i)] = month.starts
            cells[(key, "completions", i)] = month.completions
            cells[(key, "active", i)] = month.active
        cells |= {(key, "reason", reason): figure for reason, figure in found.withdrawals_by_reason.items()}
        cells |= {(key, attribute): getattr(found, attribute) for attribute in ACROSS_ORGANISATIONS}
        months = range(len(found.months))
        groups += [
            ([(key, "starts", i) for i in months], (key, "starts")),
            ([(key, "completions", i) for i in months], (key, "completions")),
            ([(key, "reason", reason) for reason in found.withdrawals_by_reason], (key, "withdrawals_first_year")),
        ]
        # Filtered: each count and the same count of every other value add up to the unfiltered one.
        pairs: list[tuple[tuple, Callable[[dict[str, int]], int]]] = [
            ((key, "starts"), lambda other, months=months: sum(other[f"starts_{i}"] for i in months)),
            ((key, "completions"), lambda other: other["completed"]),
            ((key, "active_now"), lambda other: other["active_now"]),
            ((key, "reviews_overdue"), lambda other: other["overdue"]),
            ((key, "withdrawals_first_year"), lambda other: other["first_year"]),
        ]
        pairs += [((key, name, i), lambda other, name=name, i=i: other[f"{name}_{i}"])
                  for name in ("starts", "completions", "active") for i in months]
        pairs += [((key, "reason", label), lambda other, value=value: other[f"reason_{value}"])
                  for value, label in REASONS]
        for name, counted in pairs if found.others else []:
            members = [name]
            for j, other in enumerate(found.others):
                cells[("other", j, name)] = count(counted(other))
                members.append(("other", j, name))
            cells[("whole", name)] = count(sum(cells[member].value or 0 for member in members))
            groups.append((members, ("whole", name)))
    if across is not None:
        shown = [key for key in across if key in grouped]
        for attribute in ACROSS_ORGANISATIONS:
            members = [(key, attribute) for key in shown]
            unseen = sum(getattr(f, attribute).value or 0 for key, f in grouped.items() if key not in shown)
            if unseen:
                cells[("unseen", attribute)] = Figure(unseen, unseen, protects=True)
                members.append(("unseen", attribute))
            cells[("system", attribute)] = count(sum(getattr(f, attribute).value or 0 for f in grouped.values()))
            groups.append((members, ("system", attribute)))
    hidden = protect(cells, groups)
    return {
        key: replace(
            found,
            months=[replace(month, starts=hidden[(key, "starts", i)], completions=hidden[(key, "completions", i)],
                            active=hidden[(key, "active", i)])
                    for i, month in enumerate(found.months)],
            withdrawals_by_reason={reason: hidden[(key, "reason", reason)] for reason in found.withdrawals_by_reason},
            **{attribute: hidden[(key, attribute)] for attribute in ACROSS_ORGANISATIONS},
        )
        for key, found in grouped.items()
    }
