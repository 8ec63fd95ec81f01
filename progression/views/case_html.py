"""The case page's competency table and evidence cards, written in Python.

A case's table has a row of six cells for each competency (25 on most frameworks) and the page a
card for each piece of evidence with the records it links to: drawn by the template engine, a
variable lookup and an escape for each cell, they cost more than everything else the page shows.
This writes the same markup (``templates/progression/case_detail.html`` shows where it goes; the
evidence links are those of ``progression/includes/evidence_links.html``), every value escaped, and
the case's history with them.
"""

from __future__ import annotations

import html
from collections.abc import Iterable
from typing import Any

from django.template.defaultfilters import linebreaksbr
from django.utils import timezone
from django.utils.dates import MONTHS
from django.utils.functional import Promise
from django.utils.safestring import SafeString, mark_safe

from preceptorship.templatetags.dates import day_month_name_year
from progression.evidence_links import LinkedItem


def esc(value: Any) -> str:
    """What ``django.utils.html.conditional_escape`` writes, without its wrapper for lazy text (a
    page's hundreds of values made it the page's largest cost here)."""
    if isinstance(value, Promise):
        value = str(value)
    if hasattr(value, "__html__"):
        return value.__html__()
    return html.escape(str(value))


HEADING = '<span class="nhsuk-table-responsive__heading" aria-hidden="true">'
CELL = '      <td role="cell" class="nhsuk-table__cell">' + HEADING

TABLE_HEAD = """  <thead role="rowgroup" class="nhsuk-table__head">
    <tr role="row">
      <th role="columnheader" scope="col">Competency</th>
      <th role="columnheader" scope="col">Competency reached?</th>
      <th role="columnheader" scope="col">Date</th>
      <th role="columnheader" scope="col">Evidence</th>
      <th role="columnheader" scope="col">Manager's comment</th>
      <th role="columnheader" scope="col">Worker's comment</th>
    </tr>
  </thead>
  <tbody class="nhsuk-table__body">
    """


def _row(row: dict[str, Any], flagging: bool, needed: int) -> str:
    """One competency's row (a cell dict of ``views.cases._row_cells``)."""
    flagged = flagging and row["flagged"]
    pointed = '<strong class="nhsuk-tag nhsuk-tag--orange">Pointed at in the return</strong> ' if flagged else ""
    short = f" of {needed} needed" if row["evidence_short"] else ""
    marked_by = f'<br><span class="app-marked-by">{esc(row["marked_by"])}</span>' if row["marked_by"] else ""
    return (
        f'\n    <tr role="row" class="nhsuk-table__row{" app-flagged-row" if flagged else ""}">\n'
        f'{CELL}Competency </span><span>{pointed}<a href="{esc(row["url"])}">{esc(row["code"])}</a> '
        f'{esc(row["statement"])}</span></td>\n'
        f'{CELL}Competency reached? </span><span><strong class="nhsuk-tag{esc(row["tag"])}">{esc(row["status"])}'
        f'</strong></span></td>\n'
        f'{CELL}Date </span>{esc(row["reached_on"])}</td>\n'
        f'{CELL}Evidence </span>{row["evidence_count"]}{short}</td>\n'
        f'{CELL}Manager\'s comment </span><span>{esc(row["manager_comment"])}{marked_by}</span></td>\n'
        f'{CELL}Worker\'s comment </span>{esc(row["worker_comment"])}</td>\n'
        "    </tr>\n    "
    )


def table_html(table: Iterable[Any], *, flagging: bool, needed: int) -> SafeString:
    """Each section's heading, progress and table of competencies (``views.cases.TableSection``).
    ``flagging``: rows the return pointed at are highlighted (a draft returned with some);
    ``needed``: the framework's pieces of evidence for each competency."""
    parts = []
    for section in table:
        title = esc(section.title)
        required = ' <strong class="nhsuk-tag nhsuk-tag--blue">Required for sign-off</strong>' \
            if section.required_for_sign_off else ""
        parts.append(
            f'\n<h2 id="section-{section.pk}">{title}{required}</h2>\n'
            f'<p class="app-section-progress"><progress max="100" value="{section.percent}" '
            f'aria-labelledby="section-{section.pk}-progress"></progress> <span id="section-{section.pk}-progress">'
            f'{section.met} of {len(section.cells)} reached in {title}</span></p>\n'
            '<table class="nhsuk-table-responsive app-case-table">\n'
            f'  <caption class="nhsuk-table__caption nhsuk-u-visually-hidden">{title}</caption>\n'
            f'{TABLE_HEAD}'
        )
        parts.extend(_row(row, flagging, needed) for row in section.cells)
        parts.append("\n  </tbody>\n</table>\n")
    return mark_safe("".join(parts))  # noqa: S308  # nosec - every value is escaped


def _link(link: LinkedItem) -> str:
    """A linked record as the reader may see it: a title only to a reader who may know it, a link
    only to one who may open it."""
    if link.title:
        named = f'<a href="{esc(link.url)}">{esc(link.title)}</a>' if link.url else esc(link.title)
        text = f"Linked {esc(link.kind)}: {named}, {esc(link.date_text)}"
    else:
        text = f"A linked {esc(link.kind)}, {esc(link.date_text)}"
    hidden = "" if link.url else f" ({esc(link.hidden_note)})"
    return f'\n<p class="app-evidence-link">{text}{hidden}</p>\n'


def _card(item: Any) -> str:
    """One evidence item (``selectors.EvidenceShown``, its ``url``, ``file_url`` and ``links`` set)."""
    download = (f'<p><a href="{esc(item.file_url)}">Download {esc(item.original_filename)}</a></p>'
                if item.file else "")
    links = "".join(_link(link) for link in item.links)
    return (
        '\n<div class="nhsuk-card">\n  <div class="nhsuk-card__content">\n'
        f'    <h3 class="nhsuk-card__heading"><a href="{esc(item.url)}">{esc(item.title)}</a></h3>\n'
        f'    <p class="nhsuk-body-s">{esc(day_month_name_year(item.example_date))} · added by {esc(item.added_by)}'
        f' · shows {", ".join(esc(code) for code in item.codes)}</p>\n'
        f"    <p>{linebreaksbr(item.description, autoescape=True)}</p>\n"
        f"    {download}\n"
        f"    \n{links}\n\n  </div>\n</div>\n"
    )


def evidence_html(evidence: list[Any]) -> SafeString:
    """A card for each piece of evidence, or that there is none yet."""
    if not evidence:
        return mark_safe("\n<p>No evidence yet.</p>\n")  # noqa: S308  # nosec - fixed text
    return mark_safe("".join(_card(item) for item in evidence))  # noqa: S308  # nosec - every value is escaped


def _when(at: Any) -> str:
    """What ``{{ at|date:"j F Y H:i" }}`` writes: "3 March 2025 09:05", in local time."""
    local = timezone.localtime(at) if timezone.is_aware(at) else at
    return f"{local.day} {MONTHS[local.month]} {local.year} {local.hour:02d}:{local.minute:02d}"


def _decision(decision: Any) -> str:
    actor = (decision.actor.get_full_name() if decision.actor is not None else "") or "someone no longer here"
    behalf = (f", for {esc(decision.on_behalf_of.get_full_name())}, who delegated their decisions"
              if decision.on_behalf_of is not None else "")
    comment = f": {esc(decision.comment)}" if decision.comment else ""
    return (f"\n  <li><strong>{esc(decision.get_decision_display())}</strong>, {_when(decision.at)}, by {esc(actor)} "
            f"({esc(decision.role_display)}{behalf}){comment}</li>\n  ")


def history_html(history: Iterable[Any]) -> SafeString:
    """The case's decisions, oldest first (``selectors.case_history_shown``)."""
    items = "".join(_decision(decision) for decision in history)
    return mark_safe(f'<ol class="nhsuk-list nhsuk-list--border">\n  {items}\n</ol>')  # noqa: S308  # nosec - escaped
