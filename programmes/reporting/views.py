"""Dashboards (programme lead, ICS lead), the mentor directory and their exports.

Access: the programme lead's dashboard shows only enrolments of the organisations they lead;
the ICS dashboard shows aggregates of the organisations of the ICS they lead and never a personal
record of a preceptee; the mentor directory lists mentors (staff) with their load. Anyone without
the role gets 403; someone else's export job is 404.
"""

from __future__ import annotations

import datetime
from collections.abc import Iterator
from typing import Any

from django.core.paginator import Paginator
from django.db.models import Q, QuerySet
from django.http import FileResponse, Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_GET, require_POST

from preceptorship import access, charts
from preceptorship.models import Membership, Organisation, Profession, Team
from preceptorship.storage import private_file_response
from programmes import exports
from programmes.access import lead_organisation_ids
from programmes.models import Enrolment, ExportJob, Programme
from programmes.reporting import access as reporting_access
from programmes.reporting import measures, summary
from programmes.reporting.forms import DashboardFilterForm, MentorDirectoryForm, PeriodForm
from programmes.reporting.measures import SUMMARY_MEASURES, Figures, Filters, Period
from progression.models import ProgressionCase

Role = Membership.Role
MENTORS_PER_PAGE = 50
FORMATS = ("csv", "xlsx")


def _format(fmt: str) -> str:
    if fmt not in FORMATS:
        raise Http404("Unknown format.")
    return fmt


# Tables (the same rows feed the page and the files).


def summary_table(figures: Figures) -> exports.Table:
    rows = [[code, label, getattr(figures, attribute)] for code, label, attribute in SUMMARY_MEASURES]
    rows += [
        ["protected_time_hours", "Protected time received (hours)", figures.protected_hours],
        ["protected_time_allowance_hours", "Protected time allowance (hours)", figures.protected_allowance],
    ]
    return exports.Table("summary", "Summary", [("measure", "Code"), ("label", "Measure"), ("value", "Value")], rows)


def monthly_table(figures: Figures) -> exports.Table:
    return exports.Table(
        "monthly", "Starts, completions and active enrolments by month",
        [("month", "Month"), ("starts", "Starts"), ("completions", "Completions"),
         ("active_enrolments", "Active at month end")],
        [[f"{m.month:%Y-%m}", m.starts, m.completions, m.active] for m in figures.months],
    )


def withdrawals_table(figures: Figures) -> exports.Table:
    return exports.Table(
        "withdrawals", "Withdrawals in the first 12 months, by reason",
        [("reason", "Reason"), ("withdrawals_first_12_months", "Withdrawals")],
        [[reason, figure] for reason, figure in figures.withdrawals_by_reason.items()],
    )


def scores_table(figures: Figures) -> exports.Table:
    return exports.Table(
        "scores", "Wellbeing and confidence by review (mean score, 1 to 5)",
        [("review_number", "Review"), ("mean_wellbeing", "Wellbeing"), ("mean_confidence", "Confidence")],
        [[number, wellbeing, confidence] for number, wellbeing, confidence in figures.scores],
    )


def evaluation_table(figures: Figures) -> exports.Table:
    answers = measures.count(figures.evaluation_answers)
    return exports.Table(
        "evaluation", f"Programme evaluation (aggregates of at least {measures.SMALL_NUMBER} answers)",
        [("measure", "Code"), ("label", "Question"), ("value", "Answer"), ("answers", "Answers")],
        [[code, label, figures.evaluation[code], answers] for code, label in measures.EVALUATION_MEASURES],
    )


def mentors_table(rows: list[list[Any]], name: str = "mentors") -> exports.Table:
    """``measures.mentor_rows`` as a table."""
    return exports.Table(
        name, "Mentors: active preceptees against capacity",
        [("mentor", "Mentor"), ("organisation", "Organisation"), ("profession", "Profession"), ("team", "Team"),
         ("active_preceptees", "Active preceptees"), ("capacity", "Capacity")],
        rows,
    )


def progression_table(stages: list[measures.StageRow]) -> exports.Table:
    return exports.Table(
        "progression", "Progression cases by stage and time in stage",
        [("stage", "Code"), ("stage_label", "Stage"), ("cases", "Cases"), ("mean_days_in_stage", "Mean days in stage")],
        [[row.stage, row.label, row.cases, row.mean_days] for row in stages],
    )


def organisations_table(names: list[tuple[int, str]], grouped: dict[Any, Figures]) -> exports.Table:
    columns = [("organisation", "Organisation"), *((code, label) for code, label, _ in SUMMARY_MEASURES)]
    rows = []
    for pk, name in names:
        figures = grouped.get(pk) or Figures()
        rows.append([name, *(getattr(figures, attribute) for _, _, attribute in SUMMARY_MEASURES)])
    return exports.Table("organisations", "Organisations side by side", columns, rows)


def _per_organisation(names: list[tuple[int, str]], grouped: dict[Any, Figures], table: Any) -> list[list[Any]]:
    """The rows of one of the lead's tables for each organisation, organisation first."""
    rows = []
    for pk, name in names:
        for row in table(grouped.get(pk) or Figures()).rows:
            rows.append([name, *row])
    return rows


# The lead dashboard's monthly, withdrawal, score and evaluation tables, per organisation: downloads
# of the ICS dashboard, built only when one is asked for (the page lists their names and titles).
ORGANISATION_TABLES = [
    ("monthly_by_organisation", "Starts, completions and active enrolments by organisation and month", monthly_table),
    ("withdrawals_by_organisation", "Withdrawals in the first 12 months by organisation and reason",
     withdrawals_table),
    ("scores_by_organisation", "Wellbeing and confidence by organisation and review (mean score, 1 to 5)",
     scores_table),
    ("evaluation_by_organisation", "Programme evaluation by organisation (aggregates of at least 5 answers)",
     evaluation_table),
]


ORGANISATION_TABLE_NAMES = {name for name, _, _ in ORGANISATION_TABLES}


def organisation_table(names: list[tuple[int, str]], grouped: dict[Any, Figures], name: str) -> exports.Table:
    """One of ``ORGANISATION_TABLES``: its rows for each organisation, organisation first."""
    _, title, table = next(spec for spec in ORGANISATION_TABLES if spec[0] == name)
    columns = [("organisation", "Organisation"), *table(Figures()).columns]
    return exports.Table(name, title, columns, _per_organisation(names, grouped, table))


def offer_table(rows: list[measures.OfferRow]) -> exports.Table:
    return exports.Table(
        "offer", "Preceptorship offered to newly registered AHPs, by organisation and profession",
        [("organisation", "Organisation"), ("profession", "Profession"),
         ("newly_registered", "Newly registered AHPs"), ("offered", "Offered preceptorship"),
         ("offer", "Offered to all, some or none")],
        [[row.organisation, row.profession, row.newly_registered, row.offered, row.offer] for row in rows],
    )


def offer_summary_table(summary: dict[str, measures.Figure]) -> exports.Table:
    return exports.Table(
        "offer_summary", "Organisations offering preceptorship to all, some or none of their newly registered AHPs",
        [("offer", "Offered to"), ("organisations_percent", "Organisations")],
        [[name, figure] for name, figure in summary.items()],
    )


def progression_by_organisation_table(names: list[tuple[int, str]], grouped: dict[Any, list]) -> exports.Table:
    rows = []
    for pk, name in names:
        for stage in grouped.get(pk) or []:
            rows.append([name, stage.stage, stage.label, stage.cases, stage.mean_days])
    return exports.Table(
        "progression_by_organisation", "Progression cases by organisation and stage",
        [("organisation", "Organisation"), ("stage", "Code"), ("stage_label", "Stage"), ("cases", "Cases"),
         ("mean_days_in_stage", "Mean days in stage")],
        rows,
    )


# The programme lead's dashboard.


def _lead_request(request: HttpRequest) -> tuple[DashboardFilterForm, Period, Filters, datetime.date]:
    """The form, period and filters the lead asked for."""
    user = request.user
    access.refuse_unless(reporting_access.may_see_lead_dashboard(user), reporting_access.REFUSAL)
    today = timezone.localdate()
    organisations = lead_organisation_ids(user)
    form = DashboardFilterForm(request.GET or None, organisation_ids=organisations, today=today)
    period = form.period()
    filters = form.filters() if form.is_bound else Filters()
    return form, period, filters, today


def _lead_context(request: HttpRequest) -> dict[str, Any]:
    """Figures and tables for the lead's organisations, from the last build of the summary
    (a constant number of queries)."""
    form, period, filters, today = _lead_request(request)
    user = request.user
    as_of = summary.ensure_built(today).built_at
    figures = measures.protected(measures.figures(measures.lead_scope(user), period, today, filters=filters))[None]
    stages = measures.progression_by_stage(measures.lead_cases(user), filters=filters)[None]
    mentor_rows = measures.mentor_rows(lead_organisation_ids(user), profession=filters.profession)
    tables = {
        table.name: table
        for table in (
            summary_table(figures), monthly_table(figures), withdrawals_table(figures), scores_table(figures),
            evaluation_table(figures), mentors_table(mentor_rows), progression_table(stages),
        )
    }
    return {"form": form, "period": period, "figures": figures, "tables": tables, "stages": stages, "as_of": as_of}


def _lead_charts(figures: Figures, stages: list[measures.StageRow]) -> dict[str, Any]:
    months = [m.label for m in figures.months]
    axis = charts.month_labels([m.month for m in figures.months])
    return {
        "flow": charts.bar_chart(
            "Starts and completions by month", months,
            [("Starts", [m.starts for m in figures.months]), ("Completions", [m.completions for m in figures.months])],
            first_header="Month", axis_labels=axis,
        ),
        "active": charts.line_chart(
            "Active enrolments at the end of each month", months,
            [("Active enrolments", [m.active for m in figures.months])], first_header="Month", axis_labels=axis,
        ),
        "withdrawals": charts.horizontal_bar_chart(
            "Withdrawals in the first 12 months, by reason", list(figures.withdrawals_by_reason.items()),
            measure="Withdrawals", first_header="Reason",
        ),
        "scores": charts.line_chart(
            "Wellbeing and confidence by review (mean score, 1 to 5)",
            [f"Review {number}" for number, _, _ in figures.scores],
            [("Wellbeing", [w for _, w, _ in figures.scores]), ("Confidence", [c for _, _, c in figures.scores])],
            first_header="Review", minimum=0, maximum=5,
        ),
        "progression": charts.horizontal_bar_chart(
            "Progression cases by stage", [(row.label, row.cases) for row in stages],
            measure="Cases", first_header="Stage",
        ),
    }


def _page(request: HttpRequest, template: str, context: dict[str, Any]) -> HttpResponse:
    return render(request, template, {
        **context, "query_string": request.GET.urlencode(), "crumbs": [("Home", reverse("home"))],
    })


@require_GET
def dashboard(request: HttpRequest) -> HttpResponse:
    context = _lead_context(request)
    figures = context["figures"]
    return _page(request, "programmes/reports/dashboard.html", {
        **context, "charts": _lead_charts(figures, context["stages"]),
        "headlines": [(label, getattr(figures, attribute)) for _, label, attribute in SUMMARY_MEASURES],
    })


def _download(tables: dict[str, exports.Table], table: str, fmt: str) -> HttpResponse:
    if table not in tables:
        raise Http404("No such table.")
    return exports.response(tables[table], _format(fmt))


@require_GET
def dashboard_export(request: HttpRequest, table: str, fmt: str) -> HttpResponse:
    return _download(_lead_context(request)["tables"], table, fmt)


# The list of enrolments (one row per enrolment), for the lead only.

ENROLMENT_COLUMNS = [
    ("enrolment_id", "Enrolment"), ("preceptee", "Preceptee"), ("email", "E-mail"), ("profession", "Profession"),
    ("programme", "Programme"), ("organisation", "Employer"), ("team", "Team"), ("transition", "Transition reason"),
    ("start_date", "Start date"), ("status", "Status"), ("mentor", "Mentor"), ("line_manager", "Line manager"),
    ("reviews_held", "Reviews held"), ("next_review_due", "Next review due"), ("completion_due", "Completion due"),
    ("completed_on", "Completed on"), ("withdrawn_on", "Withdrawn on"), ("withdrawal_reason", "Withdrawal reason"),
]


def _filters_from(user: Any, parameters: dict[str, Any]) -> Filters:
    """Rebuild the filters of an export from ids, within what the user may see."""
    organisations = lead_organisation_ids(user)

    def one(queryset: QuerySet, pk: Any) -> Any:
        return queryset.filter(pk=pk).first() if pk else None

    return Filters(
        programme=one(Programme.objects.filter(organisation_id__in=organisations), parameters.get("programme")),
        profession=one(Profession.objects.all(), parameters.get("profession")),
        team=one(Team.objects.filter(organisation_id__in=organisations), parameters.get("team")),
        transition=parameters.get("transition") or "",
    )


def enrolment_rows(user: Any, parameters: dict[str, Any]) -> tuple[int, Iterator[list[Any]]]:
    """Enrolments the user leads that were on a programme during the period, filters applied."""
    period = Period(datetime.date.fromisoformat(parameters["start"]), datetime.date.fromisoformat(parameters["end"]))
    rows = _filters_from(user, parameters).apply(measures.lead_enrolments(user)).filter(
        measures.active_during(period.start, period.end)
    )
    labels = {
        "status": dict(Enrolment.Status.choices),
        "transition": dict(Enrolment._meta.get_field("transition").choices),
        "reason": dict(Enrolment.WithdrawalReason.choices),
    }
    values = rows.order_by("start_date", "pk").values_list(
        "pk", "preceptee__first_name", "preceptee__last_name", "preceptee__email", "preceptee__profession__name",
        "programme__name", "organisation__name", "team__name", "transition", "start_date", "status",
        "mentor__first_name", "mentor__last_name", "line_manager__first_name", "line_manager__last_name",
        "reviews_held", "next_review_due", "completion_due", "completed_on", "withdrawn_on", "withdrawal_reason",
    )

    def generate() -> Iterator[list[Any]]:
        for (pk, first, last, email, profession, programme, employer, team, transition, start, status,
             mentor_first, mentor_last, manager_first, manager_last, held, next_due, completion_due, completed_on,
             withdrawn_on, reason) in values.iterator(chunk_size=2000):
            yield [
                pk, f"{first} {last}".strip(), email, profession or "", programme, employer, team or "",
                labels["transition"].get(transition, transition), start, labels["status"].get(status, status),
                f"{mentor_first} {mentor_last}".strip(), f"{manager_first or ''} {manager_last or ''}".strip(),
                held, next_due, completion_due, completed_on, withdrawn_on, labels["reason"].get(reason, ""),
            ]

    return rows.count(), generate()


exports.register_list(exports.ListExport("enrolments", "Enrolments", ENROLMENT_COLUMNS, enrolment_rows))


@require_GET
def enrolments_export(request: HttpRequest, fmt: str) -> HttpResponse:
    access.refuse_unless(reporting_access.may_see_lead_dashboard(request.user), reporting_access.REFUSAL)
    fmt = _format(fmt)
    form = DashboardFilterForm(
        request.GET or None, organisation_ids=lead_organisation_ids(request.user)
    )
    period = form.period()
    filters = form.filters() if form.is_bound else Filters()
    parameters = {**filters.as_parameters(), "start": period.start.isoformat(), "end": period.end.isoformat()}
    total, rows = enrolment_rows(request.user, parameters)
    if total > exports.BACKGROUND_ROWS:
        job = exports.export_job_start(actor=request.user, name="enrolments", fmt=fmt, parameters=parameters)
        return redirect("programmes:export-job", pk=job.pk)
    table = exports.Table("enrolments", "Enrolments", ENROLMENT_COLUMNS, list(rows))
    return exports.response(table, fmt)


# Background export jobs: only the person who asked sees them.


def _job(request: HttpRequest, pk: int) -> ExportJob:
    return exports.export_job_fail_if_stale(access.get_for_user(request.user, ExportJob, pk=pk))


@require_GET
def export_job(request: HttpRequest, pk: int) -> HttpResponse:
    job = _job(request, pk)
    return render(request, "programmes/reports/export_job.html", {"job": job})


@require_GET
def export_job_status(request: HttpRequest, pk: int) -> JsonResponse:
    job = _job(request, pk)
    return JsonResponse({
        "status": job.status, "status_label": job.get_status_display(), "done": job.done_rows,
        "total": job.total_rows, "percent": job.percent,
        "finished": job.status in (ExportJob.Status.DONE, ExportJob.Status.FAILED),
        "download": reverse("programmes:export-job-download", args=[job.pk]) if job.status == "done" else "",
    })


@require_POST
def export_job_retry(request: HttpRequest, pk: int) -> HttpResponse:
    job = _job(request, pk)
    access.refuse_unless(reporting_access.may_see_lead_dashboard(request.user), reporting_access.REFUSAL)
    exports.export_job_retry(actor=request.user, job=job)
    return redirect("programmes:export-job", pk=job.pk)


@require_GET
def export_job_download(request: HttpRequest, pk: int) -> FileResponse:
    job = _job(request, pk)
    if job.status != ExportJob.Status.DONE or not job.file:
        raise Http404("The file is not ready.")
    return private_file_response(job.file, exports.file_name(job.table, job.format), exports.CONTENT_TYPES[job.format])


# The ICS dashboard: aggregates per organisation, never a personal record.


def _ics_request(request: HttpRequest) -> tuple[PeriodForm, Period, Filters, datetime.date]:
    user = request.user
    access.refuse_unless(reporting_access.may_see_ics_dashboard(user), reporting_access.REFUSAL)
    today = timezone.localdate()
    form = PeriodForm(request.GET or None, today=today)
    period = form.period()
    filters = Filters(profession=form.cleaned("profession") if form.is_bound else None)
    return form, period, filters, today


def _ics_context(request: HttpRequest, table: str | None = None) -> dict[str, Any]:
    """The ICS's figures per organisation, from the last build of the summary; with ``table``, one
    of ``ORGANISATION_TABLES`` among the tables too."""
    form, period, filters, today = _ics_request(request)
    user = request.user
    as_of = summary.ensure_built(today).built_at
    names = list(measures.ics_organisations(user).values_list("pk", "name"))
    ids = [pk for pk, _ in names]
    grouped = measures.protected(measures.figures(
        measures.ics_scope(user), period, today, group="organisation_id", keys=ids, filters=filters
    ), across=ids)
    stages = measures.progression_by_stage_of(measures.ics_scope(user), group="organisation_id", filters=filters)
    offer = measures.preceptorship_offer(ids, period)
    if filters.profession:
        offer = [row for row in offer if row.profession == filters.profession.name]
    tables = {
        table.name: table
        for table in (
            organisations_table(names, grouped), offer_table(offer),
            offer_summary_table(measures.offer_summary(offer)),
            progression_by_organisation_table(names, stages),
            *([organisation_table(names, grouped, table)] if table in ORGANISATION_TABLE_NAMES else []),
        )
    }
    return {"form": form, "period": period, "names": names, "grouped": grouped, "stages": stages, "tables": tables,
            "as_of": as_of}


def stages_by_organisation(names: list[tuple[int, str]], stages: dict[Any, list]) -> exports.Table:
    """Cases at each stage, one row per organisation (the mean days are on each organisation's page)."""
    labels = [(value, label) for value, label in ProgressionCase.Stage.choices]
    rows = []
    for pk, name in names:
        found = {row.stage: row.cases for row in stages.get(pk) or []}
        rows.append([name, *(found.get(value) or measures.count(0) for value, _ in labels)])
    return exports.Table("progression_by_organisation", "Progression cases by organisation and stage",
                         [("organisation", "Organisation"), *labels], rows)


def _ics_charts(names: list[tuple[int, str]], grouped: dict[Any, Figures]) -> list[charts.Chart]:
    def per_organisation(attribute: str) -> list[tuple[str, measures.Figure]]:
        return [(name, getattr(grouped.get(pk) or Figures(), attribute)) for pk, name in names]

    return [
        charts.horizontal_bar_chart("Active enrolments now, by organisation", per_organisation("active_now"),
                                    measure="Active enrolments", first_header="Organisation"),
        charts.horizontal_bar_chart("Reviews held on time, by organisation", per_organisation("reviews_on_time"),
                                    measure="Reviews on time (%)", first_header="Organisation", maximum=100),
        charts.horizontal_bar_chart("Completion rate, by organisation", per_organisation("completion_rate"),
                                    measure="Completion rate (%)", first_header="Organisation", maximum=100),
        charts.horizontal_bar_chart(
            "Withdrawals in the first 12 months, by organisation", per_organisation("withdrawals_first_year"),
            measure="Withdrawals", first_header="Organisation",
        ),
        charts.horizontal_bar_chart(
            "Active enrolments on multi-professional programmes, by organisation",
            per_organisation("multi_professional_share"), measure="Share (%)", first_header="Organisation",
            maximum=100,
        ),
    ]


@require_GET
def ics_dashboard(request: HttpRequest) -> HttpResponse:
    context = _ics_context(request)
    return _page(request, "programmes/reports/ics_dashboard.html", {
        **context, "charts": _ics_charts(context["names"], context["grouped"]),
        "stage_table": stages_by_organisation(context["names"], context["stages"]),
        "organisation_tables": [{"name": name, "title": title} for name, title, _ in ORGANISATION_TABLES],
    })


@require_GET
def ics_organisation(request: HttpRequest, pk: int) -> HttpResponse:
    """One organisation of the ICS in detail: the tables and charts of its own dashboard, as totals."""
    context = _ics_context(request)
    names = dict(context["names"])
    if pk not in names:
        raise Http404("No such organisation in your integrated care system.")
    figures = context["grouped"].get(pk) or Figures()
    stages = context["stages"].get(pk) or measures.progression_by_stage(ProgressionCase.objects.none())[None]
    tables = [monthly_table(figures), withdrawals_table(figures), scores_table(figures), evaluation_table(figures),
              progression_table(stages)]
    return render(request, "programmes/reports/ics_organisation.html", {
        "form": context["form"], "period": context["period"], "name": names[pk], "as_of": context["as_of"],
        "charts": _lead_charts(figures, stages), "tables": tables, "query_string": request.GET.urlencode(),
        "crumbs": [("Home", reverse("home")), ("ICS dashboard", reverse("programmes:ics-dashboard"))],
    })


@require_GET
def ics_export(request: HttpRequest, table: str, fmt: str) -> HttpResponse:
    return _download(_ics_context(request, table)["tables"], table, fmt)


# The mentor directory: mentors by profession across the organisations of the user's ICS.


def _directory_organisations(user: Any) -> list[int]:
    """Every organisation of the ICS the user leads or works in as a programme lead (mentors are
    staff, so their names and loads are no secret to those who arrange mentoring across the ICS)."""
    access.refuse_unless(reporting_access.may_see_mentor_directory(user), reporting_access.REFUSAL)
    systems = access.ics_ids(user, Role.ICS_LEAD, Role.PROGRAMME_LEAD)
    own = lead_organisation_ids(user)
    return list(Organisation.objects.filter(Q(ics_id__in=systems) | Q(pk__in=own)).values_list("pk", flat=True))


@require_GET
def mentor_directory(request: HttpRequest) -> HttpResponse:
    organisations = _directory_organisations(request.user)
    form = MentorDirectoryForm(request.GET or None)
    profession = form.cleaned_data.get("profession") if form.is_valid() else None
    rows = measures.mentors(organisations, profession=profession)
    page = Paginator(rows, MENTORS_PER_PAGE).get_page(request.GET.get("page"))
    return render(request, "programmes/reports/mentor_directory.html", {
        "form": form, "page_obj": page, "profession": profession, "query_string": request.GET.urlencode(),
        "crumbs": [("Home", reverse("home"))],
    })


@require_GET
def mentor_directory_export(request: HttpRequest, fmt: str) -> HttpResponse:
    organisations = _directory_organisations(request.user)
    form = MentorDirectoryForm(request.GET or None)
    profession = form.cleaned_data.get("profession") if form.is_valid() else None
    return exports.response(mentors_table(measures.mentor_rows(organisations, profession=profession),
                                          name="mentor_directory"), _format(fmt))
