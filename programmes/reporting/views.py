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

from preceptorship import access
from preceptorship.models import Membership, Organisation, Profession, Team
from preceptorship.storage import private_file_response
from programmes import exports, selectors
from programmes.access import lead_organisation_ids
from programmes.models import Enrolment, ExportJob, PreparedDashboard, Programme
from programmes.reporting import access as reporting_access
from programmes.reporting import measures, pages, prepared, summary
from programmes.reporting.forms import DashboardFilterForm, MentorDirectoryForm, PeriodForm
from programmes.reporting.measures import Figures, Filters, Period
from programmes.services.enrolments import mentor_room
from progression.models import ProgressionCase

Role = Membership.Role
MENTORS_PER_PAGE = 50
FORMATS = ("csv", "xlsx")


def _format(fmt: str) -> str:
    if fmt not in FORMATS:
        raise Http404("Unknown format.")
    return fmt


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
    (a constant number of queries): every table complete, as the downloads hold them."""
    form, period, filters, today = _lead_request(request)
    user = request.user
    as_of = summary.ensure_built(today).built_at
    figures = pages.lead_figures(lead_organisation_ids(user), period, today, filters=filters)
    stages = measures.stages_in_full(measures.progression_by_stage(measures.lead_cases(user), filters=filters)[None])
    mentor_rows = measures.mentor_rows(lead_organisation_ids(user), profession=filters.profession)
    tables = {
        table.name: table
        for table in (
            pages.summary_table(figures), pages.monthly_table(figures), pages.withdrawals_table(figures),
            pages.scores_table(figures), pages.evaluation_table(figures), pages.mentors_table(mentor_rows),
            pages.progression_table(stages),
        )
    }
    return {"form": form, "period": period, "figures": figures, "tables": tables, "stages": stages, "as_of": as_of}


def _page(request: HttpRequest, template: str, context: dict[str, Any]) -> HttpResponse:
    return render(request, template, {
        **context, "query_string": request.GET.urlencode(), "crumbs": [("Home", reverse("home"))],
    })


@require_GET
def dashboard(request: HttpRequest) -> HttpResponse:
    """The default view of one organisation shows the sections the rebuild prepared, as of its
    build; any other view works them out from the summary tables and the cases."""
    form, period, filters, today = _lead_request(request)
    user = request.user
    organisations = lead_organisation_ids(user)
    found = None if form.is_bound else prepared.view(PreparedDashboard.Kind.LEAD, organisations, period)
    if found:
        as_of, sections = found
    else:
        as_of = summary.ensure_built(today).built_at
        sections = pages.lead_sections(pages.lead_figures(organisations, period, today, filters=filters),
                                       organisations, today, filters, request.GET.urlencode())
    return _page(request, "programmes/reports/dashboard.html", {
        "form": form, "period": period, "as_of": as_of, "sections": sections,
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
    ("protected_caseload_percent", "Protected caseload (% of a full caseload)"),
    ("protected_caseload_months", "Protected caseload (first months)"),
    ("latest_caseload_percent", "Latest caseload recorded (%)"), ("latest_caseload_on", "Caseload recorded on"),
    ("latest_caseload_above_protection", "Above the protected caseload"),
]
ABOVE = {True: exports.Coded("yes", "Yes"), False: exports.Coded("no", "No")}


def _above_protection(percent: int | None, months: int | None, start: datetime.date, recorded: int | None,
                      on: datetime.date | None) -> exports.Coded | str:
    """Whether the caseload recorded was above the protection on the day it was recorded; blank when
    nothing was recorded or the programme did not protect the caseload then."""
    if recorded is None or on is None:
        return ""
    limit = Programme(protected_caseload_percent=percent, protected_caseload_months=months).caseload_limit(start, on)
    return "" if limit is None else ABOVE[recorded > limit]


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
    values = selectors.with_latest_caseload(rows).order_by("start_date", "pk").values_list(
        "pk", "preceptee__first_name", "preceptee__last_name", "preceptee__email", "preceptee__profession__name",
        "programme__name", "organisation__name", "team__name", "transition", "start_date", "status",
        "mentor__first_name", "mentor__last_name", "line_manager__first_name", "line_manager__last_name",
        "reviews_held", "next_review_due", "completion_due", "completed_on", "withdrawn_on", "withdrawal_reason",
        "programme__protected_caseload_percent", "programme__protected_caseload_months", "latest_caseload",
        "latest_caseload_on",
    )

    def generate() -> Iterator[list[Any]]:
        for (pk, first, last, email, profession, programme, employer, team, transition, start, status,
             mentor_first, mentor_last, manager_first, manager_last, held, next_due, completion_due, completed_on,
             withdrawn_on, reason, protected_percent, protected_months, caseload,
             caseload_on) in values.iterator(chunk_size=2000):
            yield [
                pk, f"{first} {last}".strip(), email, profession or "", programme, employer, team or "",
                labels["transition"].get(transition, transition), start, labels["status"].get(status, status),
                f"{mentor_first} {mentor_last}".strip(), f"{manager_first or ''} {manager_last or ''}".strip(),
                held, next_due, completion_due, completed_on, withdrawn_on, labels["reason"].get(reason, ""),
                protected_percent, protected_months, caseload, caseload_on,
                _above_protection(protected_percent, protected_months, start, caseload, caseload_on),
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
    found = pages.ics_figures(access.ics_ids(user, Role.ICS_LEAD), names, period, today, filters=filters)
    grouped, stages, offer = found["grouped"], found["stages"], found["offer"]
    tables = {
        table.name: table
        for table in (
            pages.organisations_table(names, grouped), pages.offer_table(offer),
            pages.offer_summary_table(measures.offer_summary(offer)),
            pages.progression_by_organisation_table(names, stages),
            *([pages.organisation_table(names, grouped, table)] if table in pages.ORGANISATION_TABLE_NAMES else []),
        )
    }
    return {"form": form, "period": period, "names": names, "grouped": grouped, "stages": stages, "tables": tables,
            "as_of": as_of, "found": found}


@require_GET
def ics_dashboard(request: HttpRequest) -> HttpResponse:
    """The default view of one system shows the sections the rebuild prepared; any other view
    works its figures out from the summary tables."""
    form, period, _, _ = _ics_request(request)
    found = None
    if not form.is_bound:
        found = prepared.view(PreparedDashboard.Kind.ICS, access.ics_ids(request.user, Role.ICS_LEAD), period)
    if found:
        as_of, sections = found
    else:
        context = _ics_context(request)
        as_of = context["as_of"]
        sections = pages.ics_sections(context["names"], context["found"], request.GET.urlencode())
    return _page(request, "programmes/reports/ics_dashboard.html",
                 {"form": form, "period": period, "as_of": as_of, "sections": sections})


@require_GET
def ics_organisation(request: HttpRequest, pk: int) -> HttpResponse:
    """One organisation of the ICS in detail: the tables and charts of its own dashboard, as totals."""
    context = _ics_context(request)
    names = dict(context["names"])
    if pk not in names:
        raise Http404("No such organisation in your integrated care system.")
    figures = context["grouped"].get(pk) or Figures()
    stages = context["stages"].get(pk) or measures.progression_by_stage(ProgressionCase.objects.none())[None]
    tables = [pages.monthly_table(figures), pages.withdrawals_table(figures), pages.scores_table(figures),
              pages.evaluation_table(figures), pages.progression_table(stages)]
    return render(request, "programmes/reports/ics_organisation.html", {
        "form": context["form"], "period": context["period"], "name": names[pk], "as_of": context["as_of"],
        "charts": pages.lead_charts(figures, stages), "tables": tables, "query_string": request.GET.urlencode(),
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
    for mentor in page:
        mentor.room = mentor_room(current=mentor.load, capacity=mentor.capacity)
    return render(request, "programmes/reports/mentor_directory.html", {
        "form": form, "page_obj": page, "profession": profession, "query_string": request.GET.urlencode(),
        "crumbs": [("Home", reverse("home"))],
    })


@require_GET
def mentor_directory_export(request: HttpRequest, fmt: str) -> HttpResponse:
    organisations = _directory_organisations(request.user)
    form = MentorDirectoryForm(request.GET or None)
    profession = form.cleaned_data.get("profession") if form.is_valid() else None
    return exports.response(pages.mentors_table(measures.mentor_rows(organisations, profession=profession),
                                          name="mentor_directory"), _format(fmt))
