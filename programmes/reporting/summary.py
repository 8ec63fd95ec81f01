"""The dashboards' figures, rebuilt from the records into the summary tables of ``programmes.models``
(``MonthFigures``, ``EventFigures``, ``CompletionLengths``, ``CurrentFigures``, ``SummaryBuild``).

``rebuild(today=)`` replaces every row in one transaction, so a dashboard reads either the last
build or the one before, never half of one; two rebuilds at once wait for each other (the build
row is locked first). It runs every few minutes (``programmes.reporting.tasks.rebuild_dashboard_figures``,
on beat) and when a dashboard or home panel finds no build at all (``ensure_built``: a new
database, just migrated or seeded). Each table is filled twice: at the finest grain (``detail``)
and by employer and programme organisation only. Then the default view of each dashboard is
rendered from them (``programmes.reporting.prepared``).
"""

from __future__ import annotations

import datetime
from typing import Any

from django.db import connection, transaction
from django.db.models import (
    Case,
    Count,
    Exists,
    F,
    FloatField,
    Func,
    IntegerField,
    OuterRef,
    Q,
    QuerySet,
    Sum,
    Value,
    When,
    Window,
)
from django.db.models.functions import Coalesce, ExtractMonth, ExtractYear, Lag, TruncDate, TruncMonth
from django.utils import timezone

from preceptorship.models import Membership, Profession
from programmes.models import (
    CaseFigures,
    CompletionLengths,
    CurrentFigures,
    Enrolment,
    Evaluation,
    EventFigures,
    Extension,
    MonthFigures,
    OfferFigures,
    Programme,
    ProtectedTime,
    ReviewMeeting,
    SummaryBuild,
)
from programmes.reporting import prepared
from programmes.reporting.measures import FIRST_YEAR_DAYS, ON_TIME_DAYS
from progression.models import ProgressionCase

# A period is at most this many months long (reporting.forms.MAX_MONTHS), so an event further back
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
# Only the monthly figures break withdrawals down by reason; the other tables leave the reason
# blank (``by_reason=False``), so that their rows are not split by a field no dashboard reads there.


class DaysBetween(Func):
    """Whole days from the second date to the first."""

    output_field = IntegerField()
    arity = 2
    template = "(%(expressions)s)"
    arg_joiner = " - "

    def as_sqlite(self, compiler: Any, connection: Any, **extra: Any) -> tuple[str, list[Any]]:
        return self.as_sql(compiler, connection, template="CAST(julianday(%(expressions)s) AS INTEGER)",
                           arg_joiner=") - julianday(", **extra)


class Epoch(Func):
    """Seconds since 1970 of a time."""

    output_field = FloatField()
    template = "EXTRACT(EPOCH FROM %(expressions)s)"

    def as_sqlite(self, compiler: Any, connection: Any, **extra: Any) -> tuple[str, list[Any]]:
        return self.as_sql(compiler, connection, template="((julianday(%(expressions)s) - 2440587.5) * 86400.0)",
                           **extra)


def _month_index(field: Any) -> Any:
    """Months since year 0: the difference of two is the months between them."""
    return ExtractYear(field) * 12 + ExtractMonth(field)


def _dimensions(prefix: str = "", by_reason: bool = True) -> dict[str, Any]:
    """The enrolment's summary fields as annotations named ``s_<field>``."""
    found = {f"s_{name}": F(prefix + lookup) for name, lookup in DIMENSIONS.items()}
    if not by_reason:
        found["s_withdrawal_reason"] = Value("")
    return found


class Source:
    """One query of the records whose rows add up into a summary table: a queryset selecting
    ``s_<field>`` for each dimension and extra field, and some of the measures (the others are 0).
    ``columns`` replaces a selected column by an SQL expression of the query's columns."""

    def __init__(self, queryset: QuerySet, columns: dict[str, str] | None = None) -> None:
        self.queryset = queryset
        self.columns = columns or {}

    def sql(self, fields: list[str], measures: list[str]) -> tuple[str, tuple[Any, ...]]:
        selected = set(self.queryset.query.values_select) | set(self.queryset.query.annotation_select)
        parts = [f"{self.columns.get(name, 's_' + name)} AS s_{name}" for name in fields]
        for name in measures:
            parts.append(f"COALESCE({name}, 0) AS {name}" if name in selected else f"0 AS {name}")
        inner, params = self.queryset.query.sql_with_params()
        return f"SELECT {', '.join(parts)} FROM ({inner}) source", params  # noqa: S608 - names, not input


def _fill(model: type, sources: list[Source], extra: tuple[str, ...], measures: list[str]) -> None:
    """Replace ``model``'s rows by the sources' rows added up: by every dimension and the extra
    fields (``detail``), then those by the coarse dimensions only. Two statements, in the database."""
    table = connection.ops.quote_name(model._meta.db_table)
    fields = [*DIMENSIONS, *extra]
    selects, params = [], []
    for source in sources:
        sql, found = source.sql(fields, measures)
        selects.append(sql)
        params += found
    sums = ", ".join(f"SUM({name})" for name in measures)
    grouped = ", ".join(f"s_{name}" for name in fields)
    columns = ", ".join([*fields, *measures])
    with connection.cursor() as cursor:
        cursor.execute(f"DELETE FROM {table}")  # noqa: S608  # nosec B608 - the model's own table name
        cursor.execute(
            f"INSERT INTO {table} (detail, {columns}) SELECT %s, {grouped}, {sums} "  # noqa: S608  # nosec B608
            f"FROM ({' UNION ALL '.join(selects)}) found GROUP BY {grouped}",
            [True, *params],
        )
        blank = {"programme_id": "NULL", "profession_id": "NULL", "team_id": "NULL", "transition": "''"}
        coarse = [*COARSE, *extra]
        cursor.execute(  # table and column names come from the models; values are parameters
            f"INSERT INTO {table} (detail, {columns}) "  # noqa: S608  # nosec B608
            f"SELECT %s, {', '.join(blank.get(name, name) for name in fields)}, {sums} "
            f"FROM {table} WHERE detail = %s GROUP BY {', '.join(coarse)}",
            [False, True],
        )
        if connection.vendor == "postgresql":
            cursor.execute(f"ANALYZE {table}")  # the pages' plans depend on how many rows there now are


def _month_figures() -> None:
    enrolments = Enrolment.objects.order_by()
    first_year = Q(withdrawn_on__isnull=False, withdrawn_on__lt=F("start_date") + datetime.timedelta(FIRST_YEAR_DAYS))
    starts = (
        enrolments.annotate(**_dimensions(), s_month=TruncMonth("start_date")).values(*_dimensions(), "s_month")
        .annotate(starts=Count("pk"), hours_started=Sum("programme__protected_hours_per_month"))
    )
    endings = (
        enrolments.filter(Q(completed_on__isnull=False) | Q(withdrawn_on__isnull=False))
        .annotate(**_dimensions(), s_month=TruncMonth(Coalesce("completed_on", "withdrawn_on")))
        .values(*_dimensions(), "s_month")
        .annotate(ended=Count("pk"), completions=Count("pk", filter=Q(completed_on__isnull=False)),
                  withdrawn_first_year=Count("pk", filter=first_year),
                  hours_ended=Sum("programme__protected_hours_per_month"))
    )
    hours = (ProtectedTime.objects.order_by().annotate(**_dimensions("enrolment__"), s_month=TruncMonth("on"))
             .values(*_dimensions(), "s_month").annotate(protected_hours=Sum("hours")))
    evaluations = (
        Evaluation.objects.order_by()
        .annotate(**_dimensions("enrolment__"), s_month=TruncMonth(TruncDate("created_at")))
        .values(*_dimensions(), "s_month")
        .annotate(evaluations=Count("pk"), support_total=Sum("support_received"),
                  confidence_total=Sum("confidence_now"), protected_time_total=Sum("protected_time"),
                  would_recommend=Count("pk", filter=Q(would_recommend=Evaluation.Recommend.YES)))
    )
    _fill(MonthFigures, [Source(starts), Source(endings), Source(hours), Source(evaluations)], ("month",), [
        "starts", "completions", "ended", "withdrawn_first_year", "hours_started", "hours_ended", "protected_hours",
        "evaluations", "support_total", "confidence_total", "protected_time_total", "would_recommend",
    ])


# The month of the enrolment's event before, unless it is LOOK_BACK_MONTHS or more before.
PREVIOUS = f"CASE WHEN s_month_index - s_previous_index < {LOOK_BACK_MONTHS} THEN s_previous END"


def _event_figures() -> None:
    held = ReviewMeeting.objects.filter(status=ReviewMeeting.Status.HELD).order_by()
    answers = {
        "wellbeing_total": F("wellbeing"), "confidence_total": F("confidence"),
        "wellbeing_answers": Case(When(wellbeing__isnull=False, then=1), default=0),
        "confidence_answers": Case(When(confidence__isnull=False, then=1), default=0),
    }
    review = {**_dimensions("enrolment__", by_reason=False), "s_kind": Value(EventFigures.Kind.REVIEW),
              "s_month": TruncMonth("held_on"), "s_number": F("number")}
    # Only reviews with a due date count towards "on time", and so towards its people: each has
    # the month of the enrolment's review with a due date before it.
    order = [F("held_on").asc(), F("pk").asc()]
    timed = held.filter(due_on__isnull=False).annotate(
        **review, **answers, events=Value(1),
        on_time=Case(When(held_on__lte=F("due_on") + datetime.timedelta(ON_TIME_DAYS), then=1), default=0),
        s_month_index=_month_index("held_on"),
        s_previous=Window(Lag(TruncMonth("held_on")), partition_by=[F("enrolment_id")], order_by=order),
        s_previous_index=Window(Lag(_month_index("held_on")), partition_by=[F("enrolment_id")], order_by=order),
    ).values(*review, *answers, "events", "on_time", "s_month_index", "s_previous", "s_previous_index")
    untimed = held.filter(due_on__isnull=True).annotate(**review, **answers).values(*review, *answers)
    day = TruncDate("created_at")
    order = [F("created_at").asc(), F("pk").asc()]
    extensions = Extension.objects.order_by().annotate(
        **_dimensions("enrolment__", by_reason=False), s_kind=Value(EventFigures.Kind.EXTENSION),
        s_month=TruncMonth(day), events=Value(1),
        s_month_index=_month_index(day),
        s_previous=Window(Lag(TruncMonth(day)), partition_by=[F("enrolment_id")], order_by=order),
        s_previous_index=Window(Lag(_month_index(day)), partition_by=[F("enrolment_id")], order_by=order),
    ).values(*_dimensions(), "s_kind", "s_month", "events", "s_month_index", "s_previous", "s_previous_index")
    # A literal NULL, not one selected by the query: a column of NULLs has no type to unite with.
    sources = [Source(timed, {"previous": PREVIOUS}), Source(untimed, {"previous": "NULL"}),
               Source(extensions, {"previous": PREVIOUS, "number": "NULL"})]
    _fill(EventFigures, sources, ("kind", "month", "number", "previous"),
          ["events", "on_time", "wellbeing_total", "wellbeing_answers", "confidence_total", "confidence_answers"])


def _completion_lengths() -> None:
    completed = (
        Enrolment.objects.filter(completed_on__isnull=False).order_by()
        .annotate(**_dimensions(by_reason=False), s_month=TruncMonth("completed_on"),
                  s_days=DaysBetween("completed_on", "start_date"))
        .values(*_dimensions(), "s_month", "s_days").annotate(completions=Count("pk"))
    )
    _fill(CompletionLengths, [Source(completed)], ("month", "days"), ["completions"])


def _current_figures(today: datetime.date) -> None:
    multi = (Programme.professions.through.objects.order_by().values("programme_id")
             .annotate(n=Count("profession_id")).filter(n__gt=1).values("programme_id"))
    current = (
        Enrolment.objects.filter(status__in=Enrolment.CURRENT).order_by()
        .annotate(**_dimensions(by_reason=False)).values(*_dimensions())
        .annotate(active=Count("pk"), multi_professional=Count("pk", filter=Q(programme_id__in=multi)),
                  overdue=Count("pk", filter=Q(status=Enrolment.Status.ACTIVE, next_review_due__lt=today)))
    )
    _fill(CurrentFigures, [Source(current)], (), ["active", "multi_professional", "overdue"])


def _offer_figures() -> None:
    """Per organisation, AHP profession and month of first registration: the practitioners, and
    those with an enrolment with that organisation."""
    enrolled = Enrolment.objects.filter(preceptee_id=OuterRef("user_id"), organisation_id=OuterRef("organisation_id"))
    rows = (
        Membership.objects.filter(role=Membership.Role.PRACTITIONER, user__profession__kind=Profession.Kind.AHP,
                                  user__first_registered_on__isnull=False)
        .annotate(enrolled=Exists(enrolled), s_organisation=F("organisation_id"), s_profession=F("user__profession_id"),
                  s_month=TruncMonth("user__first_registered_on"))
        .order_by().values("s_organisation", "s_profession", "s_month")
        .annotate(newly=Count("user", distinct=True), offered=Count("user", distinct=True, filter=Q(enrolled=True)))
    )
    _replace(OfferFigures, rows, {"organisation_id": "s_organisation", "profession_id": "s_profession",
                                  "month": "s_month", "newly_registered": "newly", "offered": "offered"})


def _case_figures() -> None:
    """Progression cases by organisation, profession, team and stage, with the sum of the times
    they reached their stage."""
    rows = (
        ProgressionCase.objects.order_by()
        .annotate(s_organisation=F("organisation_id"), s_profession=F("practitioner__profession_id"),
                  s_team=F("team_id"), s_stage=F("stage"))
        .values("s_organisation", "s_profession", "s_team", "s_stage")
        .annotate(cases=Count("pk"), changed=Sum(Epoch("stage_changed_at")))
    )
    _replace(CaseFigures, rows, {"organisation_id": "s_organisation", "profession_id": "s_profession",
                                 "team_id": "s_team", "stage": "s_stage", "cases": "cases",
                                 "changed_seconds": "changed"})


def _replace(model: type, rows: QuerySet, columns: dict[str, str]) -> None:
    """Replace ``model``'s rows by those of ``rows``: each column from the query's column named."""
    sql, params = rows.query.sql_with_params()
    table = connection.ops.quote_name(model._meta.db_table)
    with connection.cursor() as cursor:
        cursor.execute(f"DELETE FROM {table}")  # noqa: S608  # nosec B608 - the model's own table name
        cursor.execute(  # table and column names come from the models; values are parameters
            f"INSERT INTO {table} ({', '.join(columns)}) "  # noqa: S608  # nosec B608
            f"SELECT {', '.join(columns.values())} FROM ({sql}) source",
            params,
        )


TABLES = (MonthFigures, EventFigures, CompletionLengths, CurrentFigures, OfferFigures, CaseFigures)


@transaction.atomic
def rebuild(*, today: datetime.date) -> SummaryBuild:
    """Replace the dashboards' figures with figures worked out from the records now."""
    build, _ = SummaryBuild.objects.get_or_create(pk=1, defaults={"built_at": timezone.now(), "built_for": today})
    build = SummaryBuild.objects.select_for_update().get(pk=build.pk)
    _month_figures()
    _event_figures()
    _completion_lengths()
    _current_figures(today)
    _offer_figures()
    _case_figures()
    build.built_at, build.built_for = timezone.now(), today
    # With the figures, in the same transaction: a page never shows sections of another build.
    prepared.prepare(today=today, built_at=build.built_at)
    build.save(update_fields=["built_at", "built_for"])
    return build


def last_build() -> SummaryBuild | None:
    return SummaryBuild.objects.filter(pk=1).first()


def ensure_built(today: datetime.date) -> SummaryBuild:
    """The last build, or a first one when there has never been one (a new database)."""
    return last_build() or rebuild(today=today)
