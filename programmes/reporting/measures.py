"""Aggregate figures for the programme lead's dashboard and the ICS dashboard, one module per
concern: ``suppression`` (``Figure``, ``protect``), ``period`` (``Period``, ``Filters``), ``scopes``,
``dashboards`` (``figures``, ``protected``), ``mentors``, ``progression`` and ``offer``. Callers use
``programmes.reporting.<name>``.

The enrolment figures (``figures``) are read from the summary tables that ``programmes.reporting.summary``
rebuilds every few minutes: sums by month, organisation and the dashboards' filters, added up by
the database, so each dashboard costs the same few queries whatever the number of enrolments and
the pages say when their figures are from. Grouping by organisation (the ICS view) is the same
queries with a GROUP BY. Progression cases, mentors and the offer measures are read from the
records themselves.

Small numbers are suppressed where the viewer could not see the records behind them: across the
organisations of an ICS (the ICS lead's dashboard, its organisation pages and files, and the ICS
home page) and in the programme evaluation (anonymous answers). There a ``Figure`` with between 1
and 4 people behind it reads "fewer than 5" (pages, charts, exports), so no individual can be
identified. A programme lead's own organisation's figures are shown in full (``shown_in_full``,
``stages_in_full``): the lead sees every enrolment behind them, and its download lists every name.

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
- ``lead_cases``: progression cases of the staff of the organisations the user leads, counted by
  stage on the lead's dashboard; no view lists their rows to the lead.
- ``ics_enrolments``: enrolments of staff employed by the organisations of the ICS the user leads.
  It is used for aggregates only: no view ever lists its rows (ICS leads see no personal records).
"""

from preceptorship.figures import (
    PROTECTED,
    SMALL_NUMBER,
    SUPPRESSED,
    Figure,
    count,
    mean,
    percent,
    protect,
    share,
)
from programmes.reporting.dashboards import (
    ACROSS_ORGANISATIONS,
    DAYS_PER_MONTH,
    EVALUATION_MEASURES,
    FIRST_YEAR_DAYS,
    ON_TIME_DAYS,
    REVIEW_NUMBERS,
    SUMMARY_MEASURES,
    Figures,
    Month,
    active_during,
    figures,
    protected,
    shown_in_full,
)
from programmes.reporting.mentors import DEFAULT_CAPACITY, mentor_rows, mentors
from programmes.reporting.offer import OfferRow, offer_summary, preceptorship_offer, protect_offer
from programmes.reporting.period import Filters, Period, add_months, month_end, month_start
from programmes.reporting.progression import StageRow, progression_by_stage, progression_by_stage_of, stages_in_full
from programmes.reporting.scopes import (
    cases_of,
    ics_enrolments,
    ics_organisations,
    ics_scope,
    ics_scope_of,
    lead_cases,
    lead_enrolments,
    lead_scope,
    provider_scope,
)

__all__ = [
    "ACROSS_ORGANISATIONS",
    "DAYS_PER_MONTH",
    "DEFAULT_CAPACITY",
    "EVALUATION_MEASURES",
    "FIRST_YEAR_DAYS",
    "ON_TIME_DAYS",
    "PROTECTED",
    "REVIEW_NUMBERS",
    "SMALL_NUMBER",
    "SUMMARY_MEASURES",
    "SUPPRESSED",
    "Figure",
    "Figures",
    "Filters",
    "Month",
    "OfferRow",
    "Period",
    "StageRow",
    "active_during",
    "add_months",
    "count",
    "figures",
    "ics_enrolments",
    "ics_organisations",
    "ics_scope",
    "ics_scope_of",
    "cases_of",
    "lead_cases",
    "lead_enrolments",
    "lead_scope",
    "mean",
    "mentor_rows",
    "mentors",
    "month_end",
    "month_start",
    "offer_summary",
    "percent",
    "preceptorship_offer",
    "progression_by_stage",
    "progression_by_stage_of",
    "protect",
    "protect_offer",
    "protected",
    "provider_scope",
    "share",
    "shown_in_full",
    "stages_in_full",
]
