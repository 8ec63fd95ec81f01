"""Navigation links and home-page panels for the dashboards: a programme lead's home shows the
dashboard summary; an ICS lead's home shows the system's headline figures."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from django.utils import timezone

from preceptorship import access
from preceptorship.home import Panel, register_nav, register_panel
from preceptorship.models import Membership
from programmes.reporting import measures, summary

Role = Membership.Role
HEADLINES = ["active_now", "starts", "completions", "reviews_on_time", "reviews_overdue", "withdrawals_first_year"]

register_nav("Dashboard", "programmes:dashboard", access.any_role(Role.PROGRAMME_LEAD), order=10)
register_nav("ICS dashboard", "programmes:ics-dashboard", access.any_role(Role.ICS_LEAD), order=11)
register_nav("Mentor directory", "programmes:mentor-directory", access.any_role(Role.ICS_LEAD), order=12)
register_nav("Import staff", "staff:import", access.any_role(Role.PROGRAMME_LEAD), order=29)


def _headlines(figures: measures.Figures) -> list[tuple[str, measures.Figure]]:
    labels = {attribute: label for _, label, attribute in measures.SUMMARY_MEASURES}
    return [(labels[name], getattr(figures, name)) for name in HEADLINES]


def _protected(found: measures.Figures) -> measures.Figures:
    return measures.protected({None: found})[None]


def _summary(scope: Any, shown: Any) -> Any:
    """A panel's context: the headline figures of the last 12 months within ``scope(user)``, from
    the last build of the summary, as ``shown`` gives them (a lead's own in full, an ICS's protected)."""

    def context(request: HttpRequest) -> dict[str, Any]:
        today = timezone.localdate()
        period = measures.Period.last_months(12, today)
        as_of = summary.ensure_built(today).built_at
        figures = shown(measures.figures(scope(request.user), period, today)[None])
        return {"period": period, "headlines": _headlines(figures), "as_of": as_of}

    return context


register_panel(Panel(
    title="Your dashboard",
    template="programmes/reports/panels/lead_summary.html",
    allowed=access.any_role(Role.PROGRAMME_LEAD),
    context=_summary(measures.lead_scope, measures.shown_in_full),
    order=5,
))

register_panel(Panel(
    title="Your integrated care system",
    template="programmes/reports/panels/ics_summary.html",
    allowed=access.any_role(Role.ICS_LEAD),
    context=_summary(measures.ics_scope, _protected),
    order=6,
))
