"""The dashboards' tables, charts and figures sections: what a page shows and a download holds.

The figures sections (``lead_sections``, ``ics_sections``) are rendered from the figures alone,
never from the request or the viewer, so that the summary rebuild can render each organisation's
and each ICS's default view once (``programmes.reporting.prepared``) and a page can show it as it is.
"""

from __future__ import annotations

import datetime
from collections.abc import Collection, Iterable
from typing import Any

from django.template.loader import render_to_string
from django.utils.html import format_html
from django.utils.safestring import SafeString, mark_safe

from preceptorship import charts
from programmes import exports, offer
from programmes.reporting import measures
from programmes.reporting.measures import SUMMARY_MEASURES, Figures, Filters, Period
from progression.models import ProgressionCase

# Tables (the same rows feed the page and the files).


def summary_table(figures: Figures) -> exports.Table:
    rows = [[code, label, getattr(figures, attribute)] for code, label, attribute in SUMMARY_MEASURES]
    rows += [
        ["protected_time_hours", "Protected time received (hours)", figures.protected_hours],
        ["protected_time_allowance_hours", "Protected time allowance (hours)", figures.protected_allowance],
    ]
    return exports.Table("summary", "Summary", [("measure", "Code"), ("label", "Measure"), ("value", "Value")], rows,
                         file_only=("measure",))


def monthly_table(figures: Figures) -> exports.Table:
    return exports.Table(
        "monthly", "Starts, completions and active enrolments by month",
        [("month", "Month"), ("starts", "Starts"), ("completions", "Completions"),
         ("active_enrolments", "Active at month end")],
        [[exports.Coded(f"{m.month:%Y-%m}", m.label), m.starts, m.completions, m.active] for m in figures.months],
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
        [[exports.Coded(number, f"Review {number}"), wellbeing, confidence]
         for number, wellbeing, confidence in figures.scores],
    )


def evaluation_table(figures: Figures) -> exports.Table:
    answers = measures.count(figures.evaluation_answers)
    return exports.Table(
        "evaluation", f"Programme evaluation (aggregates of at least {measures.SMALL_NUMBER} answers)",
        [("measure", "Code"), ("label", "Question"), ("value", "Answer"), ("answers", "Answers")],
        [[code, label, figures.evaluation[code], answers] for code, label in measures.EVALUATION_MEASURES],
        file_only=("measure",),
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
        file_only=("stage",),
    )


# The measures of the organisations side by side that only the download holds, so that the page's
# table fits a 1280-pixel screen; the charts below it show the multi-professional share.
DOWNLOAD_ONLY = ("median_months_to_complete", "extensions", "protected_time_percent", "multi_professional_percent")


def organisations_table(names: list[tuple[int, str]], grouped: dict[Any, Figures]) -> exports.Table:
    columns = [("organisation", "Organisation"), *((code, label) for code, label, _ in SUMMARY_MEASURES)]
    rows = []
    for pk, name in names:
        figures = grouped.get(pk) or Figures()
        rows.append([name, *(getattr(figures, attribute) for _, _, attribute in SUMMARY_MEASURES)])
    return exports.Table("organisations", "Organisations side by side", columns, rows, file_only=DOWNLOAD_ONLY)


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


# How the pages say the files' ``offer`` codes.
OFFER_LABELS = {"all": "All", "some": "Some", "none": "None"}


def _offer(code: str) -> exports.Coded:
    return exports.Coded(code, OFFER_LABELS[code])


def offer_table(rows: list[measures.OfferRow]) -> exports.Table:
    return exports.Table(
        "offer", "Preceptorship offered to newly registered AHPs, by organisation and profession",
        [("organisation", "Organisation"), ("profession", "Profession"),
         ("newly_registered", "Newly registered AHPs"), ("offered", "Offered preceptorship"),
         ("offer", "Offered to all, some or none")],
        [[row.organisation, row.profession, row.newly_registered, row.offered, _offer(row.offer)] for row in rows],
    )


def offer_summary_table(summary: dict[str, measures.Figure]) -> exports.Table:
    return exports.Table(
        "offer_summary", "Organisations offering preceptorship to all, some or none of their newly registered AHPs",
        [("offer", "Offered to"), ("organisations_percent", "Organisations")],
        [[_offer(name), figure] for name, figure in summary.items()],
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
        rows, file_only=("stage",),
    )


def figure_charts(figures: Figures, prefix: str = "") -> dict[str, charts.Chart]:
    """The charts of one dashboard's enrolment figures. With ``prefix``, each chart's element ids
    are the prefix and the chart's name, the same wherever and whenever the section is rendered (a
    section rendered by the rebuild sits in a page beside charts numbered by the web process)."""
    months = [m.label for m in figures.months]
    axis = charts.month_labels([m.month for m in figures.months])
    found = {
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
    }
    if prefix:
        for name, chart in found.items():
            chart.ident = f"{prefix}-{name}"
    return found


def progression_chart(stages: list[measures.StageRow], ident: str = "") -> charts.Chart:
    """The cases at each stage as bars; ``ident``: the chart's element id, when it is rendered in a
    prepared section (``figure_charts``)."""
    chart = charts.horizontal_bar_chart("Progression cases by stage", [(row.label, row.cases) for row in stages],
                                        measure="Cases", first_header="Stage")
    if ident:
        chart.ident = ident
    return chart


def lead_charts(figures: Figures, stages: list[measures.StageRow]) -> dict[str, charts.Chart]:
    """The charts of one organisation's dashboard: its figures' and its progression cases'."""
    return {**figure_charts(figures), "progression": progression_chart(stages)}


# The stages' headers of the ICS dashboard's table, short so that one row per organisation fits a
# 1280-pixel screen; each stands for the stage's label.
STAGE_HEADERS = {
    ProgressionCase.Stage.SUBMITTED: "Head of Service",
    ProgressionCase.Stage.RECOMMENDED: "Operational Director",
    ProgressionCase.Stage.SIGNED_OFF: "Signed off",
    ProgressionCase.Stage.HR_RECORDED: "HR recorded",
    ProgressionCase.Stage.WORKER_TOLD: "Worker told",
    ProgressionCase.Stage.CONFIRMED: "Confirmed",
}


def _stage_header(value: str, label: str) -> str:
    short = STAGE_HEADERS.get(value)
    return format_html('<abbr title="{}">{}</abbr>', label, short) if short else label


# Cases that ended without a progression: on each organisation's page and in the download, so that
# the table of one row per organisation fits a 1280-pixel screen.
ENDED_UNCONFIRMED = (ProgressionCase.Stage.DECLINED, ProgressionCase.Stage.WITHDRAWN)


def stages_by_organisation(names: list[tuple[int, str]], stages: dict[Any, list]) -> exports.Table:
    """Cases at each stage but declined and withdrawn, one row per organisation (those, and the
    mean days, are on each organisation's page and in the download)."""
    labels = [(value, _stage_header(value, label)) for value, label in ProgressionCase.Stage.choices
              if value not in ENDED_UNCONFIRMED]
    rows = []
    for pk, name in names:
        found = {row.stage: row.cases for row in stages.get(pk) or []}
        rows.append([name, *(found.get(value) or measures.count(0) for value, _ in labels)])
    return exports.Table("progression_by_organisation", "Progression cases by organisation and stage",
                         [("organisation", "Organisation"), *labels], rows)


def ics_charts(names: list[tuple[int, str]], grouped: dict[Any, Figures]) -> list[charts.Chart]:
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



# The figures of a dashboard and its figures sections.


def lead_figures(organisation_ids: Iterable[int], period: Period, today: datetime.date,
                 filters: Filters | None = None) -> Figures:
    """The enrolment figures of the programmes of ``organisation_ids`` (a lead's dashboard), in full
    but for the anonymous evaluation (``measures.shown_in_full``)."""
    scope = measures.provider_scope(organisation_ids)
    return measures.shown_in_full(measures.figures(scope, period, today, filters=filters)[None])


# The lead's dashboard's sections that depend on its organisations only (templates
# ``includes/lead_<name>.html``); the progression cases after them follow the lead's own access.
LEAD_SECTIONS = ("offer", "figures", "mentors", "evaluation", "progression")
# The dashboard lists the first mentors; the mentor directory and the download list them all.
MENTORS_SHOWN = 25


def lead_sections(figures: Figures, organisation_ids: Collection[int], today: datetime.date,
                  filters: Filters | None = None, query_string: str = "") -> dict[str, SafeString]:
    """The lead's dashboard's sections of ``organisation_ids`` as HTML, by name: ``offer`` (how many
    are waiting to be offered preceptorship, whatever the filters), ``figures`` (the summary, starts
    and completions, retention, wellbeing and confidence), ``mentors`` (the first ``MENTORS_SHOWN``
    mentors of the filters' profession, or of all, with their loads), ``evaluation`` and
    ``progression`` (the cases at each stage, as ``filters`` choose them). ``query_string``: the
    filters the download links carry."""
    filters = filters or Filters()
    mentor_rows = measures.mentor_rows(organisation_ids, profession=filters.profession, limit=MENTORS_SHOWN + 1)
    stages = measures.stages_in_full(measures.progression_by_stage(measures.cases_of(organisation_ids),
                                                                   filters=filters)[None])
    context = {
        "shown": bool(organisation_ids), "waiting": offer.waiting_count(organisation_ids, today),
        "headlines": [(label, getattr(figures, attribute)) for _, label, attribute in SUMMARY_MEASURES],
        "tables": {table.name: table for table in (summary_table(figures), monthly_table(figures),
                                                    withdrawals_table(figures), scores_table(figures),
                                                    evaluation_table(figures),
                                                    mentors_table(mentor_rows[:MENTORS_SHOWN]),
                                                    progression_table(stages))},
        "charts": {**figure_charts(figures, prefix="figures"),
                   "progression": progression_chart(stages, ident="figures-progression")},
        "more_mentors": len(mentor_rows) > MENTORS_SHOWN, "mentors_shown": MENTORS_SHOWN,
        "url_name": "programmes:dashboard-export", "query_string": query_string,
    }
    return {name: mark_safe(render_to_string(f"programmes/reports/includes/lead_{name}.html", context))  # noqa: S308  # nosec - rendered by a template, escaped
            for name in LEAD_SECTIONS}


def ics_figures(ics_ids: Iterable[int], names: list[tuple[int, str]], period: Period, today: datetime.date,
                filters: Filters | None = None) -> dict[str, Any]:
    """The ICS dashboard's figures of the organisations ``names`` of the systems ``ics_ids``:
    ``grouped`` (enrolment figures by organisation, protected across them), ``stages`` (progression
    cases by organisation) and ``offer`` (preceptorship offered, by organisation and profession)."""
    filters = filters or Filters()
    scope = measures.ics_scope_of(ics_ids)
    ids = [pk for pk, _ in names]
    grouped = measures.protected(measures.figures(scope, period, today, group="organisation_id", keys=ids,
                                                  filters=filters), across=ids)
    stages = measures.progression_by_stage_of(scope, group="organisation_id", filters=filters)
    offer = measures.preceptorship_offer(ids, period)
    if filters.profession:
        offer = [row for row in offer if row.profession == filters.profession.name]
    return {"grouped": grouped, "stages": stages, "offer": offer}


def ics_sections(names: list[tuple[int, str]], found: dict[str, Any], query_string: str = "") -> dict[str, SafeString]:
    """The ICS dashboard's figures section as HTML (``figures``: from the organisations side by side
    to the progression cases), from ``ics_figures``."""
    grouped, offer = found["grouped"], found["offer"]
    charts_found = ics_charts(names, grouped)
    for i, chart in enumerate(charts_found, start=1):
        chart.ident = f"figures-{i}"
    context = {
        "names": names, "charts": charts_found,
        "tables": {table.name: table for table in (organisations_table(names, grouped), offer_table(offer),
                                                    offer_summary_table(measures.offer_summary(offer)))},
        "stage_table": stages_by_organisation(names, found["stages"]),
        "organisation_tables": [{"name": name, "title": title} for name, title, _ in ORGANISATION_TABLES],
        "url_name": "programmes:ics-export", "query_string": query_string,
    }
    return {"figures": mark_safe(render_to_string("programmes/reports/includes/ics_figures.html", context))}  # noqa: S308  # nosec - rendered by a template, escaped
