"""The default view of each dashboard, prepared by the rebuild (``PreparedDashboard``).

Most dashboard requests are of the default view: no filter, the default period. Working its
figures out from the summary tables and rendering them cost most of the page, and gives the same
result for every request until the next rebuild; so the rebuild renders the figures sections of
each organisation's lead dashboard and each system's ICS dashboard once, in the same transaction
as the figures, and a page of the default view reads one row. A lead of several organisations,
an ICS lead of several systems and any filtered view work their figures out as before. The lead's
first mentors and their loads, the count of people waiting to be offered preceptorship and the
progression cases at each stage are prepared with the figures: they depend on the organisation
only, and the page gives them "as of" the build like the rest.
"""

from __future__ import annotations

import datetime
from collections.abc import Collection
from typing import Any

from django.utils.safestring import SafeString, mark_safe

from preceptorship.models import IntegratedCareSystem, Organisation
from programmes.models import PreparedDashboard
from programmes.reporting import pages
from programmes.reporting.forms import PeriodForm
from programmes.reporting.period import Period

Kind = PreparedDashboard.Kind


def default_period(today: datetime.date) -> Period:
    """The period a dashboard shows when nothing is asked for (an empty form's)."""
    return PeriodForm(today=today).period()


def ics_names(ics_id: int) -> list[tuple[int, str]]:
    """The organisations of one system as the ICS dashboard lists them."""
    return list(Organisation.objects.filter(ics_id=ics_id).order_by("name").values_list("pk", "name"))


def prepare(*, today: datetime.date, built_at: datetime.datetime) -> None:
    """Replace the prepared views by those of the figures now in the summary tables (call within
    the rebuild's transaction, after the tables are filled)."""
    period = default_period(today)
    rows = []
    for pk in Organisation.objects.order_by("pk").values_list("pk", flat=True):
        sections = pages.lead_sections(pages.lead_figures([pk], period, today), [pk], today)
        rows.append(PreparedDashboard(kind=Kind.LEAD, key=pk, start=period.start, end=period.end,
                                      built_at=built_at, sections=sections))
    for pk in IntegratedCareSystem.objects.order_by("pk").values_list("pk", flat=True):
        names = ics_names(pk)
        sections = pages.ics_sections(names, pages.ics_figures([pk], names, period, today))
        rows.append(PreparedDashboard(kind=Kind.ICS, key=pk, start=period.start, end=period.end,
                                      built_at=built_at, sections=sections))
    PreparedDashboard.objects.all().delete()
    PreparedDashboard.objects.bulk_create(rows)


def view(kind: str, keys: Collection[int], period: Period) -> tuple[datetime.datetime, dict[str, SafeString]] | None:
    """The prepared sections of the default view of ``keys`` (one organisation or system) for
    ``period``, and the time of their build; None when there are none to show (several keys, no
    build yet, or a period other than the build's: a new day before the next rebuild)."""
    if len(keys) != 1:
        return None
    found: Any = (PreparedDashboard.objects.filter(kind=kind, key=next(iter(keys)), start=period.start, end=period.end)
                  .values_list("built_at", "sections").first())
    if found is None:
        return None
    built_at, sections = found
    # The sections were rendered by the project's own templates, which escaped every value.
    return built_at, {name: mark_safe(html) for name, html in sections.items()}  # noqa: S308  # nosec - rendered by a template
