"""Aggregate figures for the programme lead's dashboard and the ICS dashboard.

The enrolment figures (``figures``) are read from the summary tables that ``programmes.summary``
rebuilds every few minutes: sums by month, organisation and the dashboards' filters, added up by
the database, so each dashboard costs the same few queries whatever the number of enrolments and
the pages say when their figures are from. Grouping by organisation (the ICS view) is the same
queries with a GROUP BY. Progression cases, mentors and the offer measures are read from the
records themselves.

Small numbers are suppressed: a ``Figure`` with between 1 and 4 people behind it reads
"fewer than 5" everywhere (pages, charts, exports), so no individual can be identified.

A hidden number must not be recoverable by subtraction either (secondary suppression,
``protect``): in every group of cells that add up to a total shown somewhere (the months of the
period against its starts and completions, the withdrawal reasons against the withdrawals in the
first 12 months, the organisations of an ICS against the system's figures on the home page, a
filtered dashboard's counts and those of the filter's other values against the unfiltered ones,
the practitioners offered preceptorship and those not offered against the newly registered), a
group with a hidden cell must have at least two hidden members. When only one is hidden, the
smallest other non-zero cell is hidden as well, and the total only when no cell is left to hide.
Such a cell reads "not shown (protects a small number)" (``PROTECTED``): it has 5 people or more,
and says so, but showing it would give the small one away. Zero cells are never hidden: they give
nothing away. For counts the total is then never hidden for protection (it is hidden only when
it is itself fewer than 5), so the home page's totals agree with the dashboards' breakdowns.
``protected`` applies the rule to the figures before any page, chart or file reads them, so they
all agree.

A share of people shown beside its denominator (the completion rate beside the completions, the
share on multi-professional programmes beside the active enrolments, "would recommend" beside the
number of answers) would give its numerator away: it is hidden the same way when the people it
counts, or those it leaves out, are 1 to 4 (``share``).

Scopes (``lead_scope`` and ``ics_scope`` are the same as summary rows):
- ``lead_enrolments``: enrolments on programmes of the organisations the user leads, starting from
  ``access.scope`` (programme leads see these records anyway).
- ``ics_enrolments``: enrolments of staff employed by the organisations of the ICS the user leads.
  It is used for aggregates only: no view ever lists its rows (ICS leads see no personal records).
"""

from __future__ import annotations

import calendar
import datetime
from collections.abc import Callable, Hashable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from decimal import Decimal
from typing import Any

from django.db.models import (
    Avg,
    Case,
    Count,
    DateField,
    DateTimeField,
    DurationField,
    ExpressionWrapper,
    F,
    Min,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
    Sum,
    Value,
    When,
    Window,
)
from django.db.models.expressions import RowRange
from django.db.models.functions import Coalesce
from django.utils import timezone

from preceptorship import access
from preceptorship.models import Membership, Organisation, Profession
from programmes.access import lead_organisation_ids
from programmes.models import (
    CompletionLengths,
    CurrentFigures,
    Enrolment,
    EventFigures,
    MonthFigures,
    OfferFigures,
    Programme,
)
from progression.models import ProgressionCase

Role = Membership.Role

SMALL_NUMBER = 5
SUPPRESSED = "fewer than 5"
PROTECTED = "not shown (protects a small number)"
ON_TIME_DAYS = 14
FIRST_YEAR_DAYS = 365
DAYS_PER_MONTH = Decimal("30.4375")
REVIEW_NUMBERS = range(1, 7)
DEFAULT_CAPACITY = 4  # Programme.mentor_capacity's default, for a mentor with no current preceptee


# Figures and suppression.


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


# The period and filters.


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
        """The summary fields (``programmes.summary.DIMENSIONS``) these filters fix, and the value of each."""
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


# Scopes.


def lead_enrolments(user: Any) -> QuerySet[Enrolment]:
    return access.scope(user, Enrolment).filter(programme__organisation_id__in=lead_organisation_ids(user))


def ics_organisations(user: Any) -> QuerySet[Organisation]:
    return access.scope(user, Organisation).filter(ics_id__in=access.ics_ids(user, Role.ICS_LEAD)).order_by("name")


def lead_scope(user: Any) -> Q:
    """The summary rows of ``lead_enrolments``: enrolments on the programmes of the lead's organisations."""
    return Q(provider_id__in=lead_organisation_ids(user))


def ics_scope(user: Any) -> Q:
    """The summary rows of ``ics_enrolments``."""
    return Q(organisation__ics_id__in=access.ics_ids(user, Role.ICS_LEAD))


def ics_enrolments(user: Any) -> QuerySet[Enrolment]:
    """Aggregate-only: enrolments of staff employed in the user's ICS. Never list these rows."""
    return Enrolment.objects.filter(organisation__ics_id__in=access.ics_ids(user, Role.ICS_LEAD))


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
        default_factory=lambda: {label: count(0) for label in Enrolment.WithdrawalReason.labels}
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
    tables (``programmes.summary``), in four queries whatever the data size. Grouped, every group
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
    reasons = Enrolment.WithdrawalReason.values
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
    reason_labels = dict(Enrolment.WithdrawalReason.choices)
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
            reason_labels[reason]: count(row.get(f"reason_{reason}")) for reason in Enrolment.WithdrawalReason.values
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
                            "time_score", "yes", *(f"reason_{r}" for r in Enrolment.WithdrawalReason.values)), 0)
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
                  for value, label in Enrolment.WithdrawalReason.choices]
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


# Mentors: capacity is operational information about staff, not about preceptees, so loads are
# shown as they are (a mentor's load of 2 out of 4 must be readable to find someone with room).


def mentors(organisation_ids: Iterable[int], profession: Profession | None = None) -> QuerySet[Membership]:
    """One row per mentor role, with ``load`` (current preceptees) and ``capacity``; one query."""
    current = Enrolment.objects.filter(mentor_id=OuterRef("user_id"), status__in=Enrolment.CURRENT).order_by()
    rows = (
        Membership.objects.filter(role=Role.MENTOR, organisation_id__in=list(organisation_ids), user__is_active=True)
        .select_related("user", "user__profession", "organisation", "team")
        .annotate(
            load=Coalesce(
                Subquery(current.values("mentor_id").annotate(n=Count("pk")).values("n")[:1]), 0
            ),
            capacity=Coalesce(
                Subquery(current.values("mentor_id").annotate(c=Min("programme__mentor_capacity")).values("c")[:1]),
                DEFAULT_CAPACITY,
            ),
        )
        .order_by("user__profession__name", "user__last_name", "user__first_name", "organisation__name", "pk")
    )
    if profession:
        rows = rows.filter(user__profession=profession)
    return rows


# Progression cases.


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


def lead_cases(user: Any) -> QuerySet[ProgressionCase]:
    return access.scope(user, ProgressionCase).filter(organisation_id__in=lead_organisation_ids(user))


def ics_cases(user: Any) -> QuerySet[ProgressionCase]:
    """Aggregate-only, like ``ics_enrolments``."""
    return ProgressionCase.objects.filter(organisation__ics_id__in=access.ics_ids(user, Role.ICS_LEAD))


# The national baseline measures (ICS dashboard).


@dataclass(frozen=True)
class OfferRow:
    organisation: str
    profession: str
    newly_registered: Figure
    offered: Figure

    @property
    def offer(self) -> str:
        """All, some or none of the newly registered AHPs were offered preceptorship."""
        total, offered = self.newly_registered.value or 0, self.offered.value or 0
        if offered == 0:
            return "none"
        return "all" if offered >= total else "some"


def preceptorship_offer(organisation_ids: Iterable[int], period: Period) -> list[OfferRow]:
    """Per organisation and AHP profession: practitioners first registered in the period, and how
    many of them have an enrolment with that organisation; one query of the summary
    (``OfferFigures``, rebuilt with the other figures)."""
    rows = (
        OfferFigures.objects.filter(organisation_id__in=list(organisation_ids), month__range=(period.start, period.end))
        .order_by()
        .values("organisation__name", "profession__name")
        .annotate(newly=Sum("newly_registered"), offered_sum=Sum("offered"))
        .order_by("organisation__name", "profession__name")
    )
    return protect_offer([
        OfferRow(row["organisation__name"], row["profession__name"], count(row["newly"]), count(row["offered_sum"]))
        for row in rows
    ])


def protect_offer(rows: list[OfferRow]) -> list[OfferRow]:
    """``protect`` for each row: those offered and those not (the difference, never shown but
    worked out by subtraction) add up to the newly registered."""
    cells: dict[tuple[int, str], Figure] = {}
    for i, row in enumerate(rows):
        cells[(i, "offered")] = row.offered
        cells[(i, "not offered")] = count((row.newly_registered.value or 0) - (row.offered.value or 0))
        cells[(i, "newly")] = row.newly_registered
    hidden = protect(cells, [([(i, "offered"), (i, "not offered")], (i, "newly")) for i in range(len(rows))])
    return [replace(row, newly_registered=hidden[(i, "newly")], offered=hidden[(i, "offered")])
            for i, row in enumerate(rows)]


def offer_summary(rows: list[OfferRow]) -> dict[str, Figure]:
    """Organisations offering preceptorship to all, some or none of their newly registered AHPs
    (the national baseline's 64% / 24% / 12%): an organisation offers to all only if every
    profession does, to none only if no profession does."""
    offers: dict[str, set[str]] = {}
    for row in rows:
        offers.setdefault(row.organisation, set()).add(row.offer)
    classes = {"all": 0, "some": 0, "none": 0}
    for found in offers.values():
        classes["all" if found == {"all"} else "none" if found == {"none"} else "some"] += 1
    total = len(offers)
    # Organisations, not people: never suppressed.
    return {name: Figure(round(100 * n / total) if total else None, 0, "%") for name, n in classes.items()}
