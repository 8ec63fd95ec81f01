"""The case page's table and evidence cards written in Python (progression/views/case_html.py) are
the markup the template wrote: every branch (a flagged row, a short evidence count, a marker, a file,
each kind of linked record) and every value escaped."""

from __future__ import annotations

import datetime
from types import SimpleNamespace

from django.template import engines

from preceptorship.models import User
from progression.evidence_links import LinkedItem
from progression.models import Decision
from progression.selectors import EvidenceShown
from progression.views import case_html
from progression.views.cases import TableSection

# What templates/progression/case_detail.html wrote with the template engine.
TABLE_TEMPLATE = """{% load dates %}{% for section in table %}
<h2 id="section-{{ section.pk }}">{{ section.title }}{% if section.required_for_sign_off %} <strong class="nhsuk-tag nhsuk-tag--blue">Required for sign-off</strong>{% endif %}</h2>
<p class="app-section-progress"><progress max="100" value="{{ section.percent }}" aria-labelledby="section-{{ section.pk }}-progress"></progress> <span id="section-{{ section.pk }}-progress">{{ section.met }} of {{ section.cells|length }} reached in {{ section.title }}</span></p>
<table class="nhsuk-table-responsive app-case-table">
  <caption class="nhsuk-table__caption nhsuk-u-visually-hidden">{{ section.title }}</caption>
  <thead role="rowgroup" class="nhsuk-table__head">
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
    {% for row in section.cells %}
    <tr role="row" class="nhsuk-table__row{% if row.flagged and flagged %} app-flagged-row{% endif %}">
      <td role="cell" class="nhsuk-table__cell"><span class="nhsuk-table-responsive__heading" aria-hidden="true">Competency </span><span>{% if row.flagged and flagged %}<strong class="nhsuk-tag nhsuk-tag--orange">Pointed at in the return</strong> {% endif %}<a href="{{ row.url }}">{{ row.code }}</a> {{ row.statement }}</span></td>
      <td role="cell" class="nhsuk-table__cell"><span class="nhsuk-table-responsive__heading" aria-hidden="true">Competency reached? </span><span><strong class="nhsuk-tag{{ row.tag }}">{{ row.status }}</strong></span></td>
      <td role="cell" class="nhsuk-table__cell"><span class="nhsuk-table-responsive__heading" aria-hidden="true">Date </span>{{ row.reached_on }}</td>
      <td role="cell" class="nhsuk-table__cell"><span class="nhsuk-table-responsive__heading" aria-hidden="true">Evidence </span>{{ row.evidence_count }}{% if row.evidence_short %} of {{ case.framework.evidence_per_competency }} needed{% endif %}</td>
      <td role="cell" class="nhsuk-table__cell"><span class="nhsuk-table-responsive__heading" aria-hidden="true">Manager's comment </span><span>{{ row.manager_comment }}{% if row.marked_by %}<br><span class="app-marked-by">{{ row.marked_by }}</span>{% endif %}</span></td>
      <td role="cell" class="nhsuk-table__cell"><span class="nhsuk-table-responsive__heading" aria-hidden="true">Worker's comment </span>{{ row.worker_comment }}</td>
    </tr>
    {% endfor %}
  </tbody>
</table>
{% endfor %}"""
EVIDENCE_TEMPLATE = """{% load dates %}{% for item in evidence %}
<div class="nhsuk-card">
  <div class="nhsuk-card__content">
    <h3 class="nhsuk-card__heading"><a href="{{ item.url }}">{{ item.title }}</a></h3>
    <p class="nhsuk-body-s">{{ item.example_date|day_month_name_year }} · added by {{ item.added_by.get_full_name }} · shows {{ item.codes|join:", " }}</p>
    <p>{{ item.description|linebreaksbr }}</p>
    {% if item.file %}<p><a href="{{ item.file_url }}">Download {{ item.original_filename }}</a></p>{% endif %}
    {% include "progression/includes/evidence_links.html" %}
  </div>
</div>
{% empty %}
<p>No evidence yet.</p>
{% endfor %}"""


HISTORY_TEMPLATE = """<ol class="nhsuk-list nhsuk-list--border">
  {% for decision in history %}
  <li><strong>{{ decision.get_decision_display }}</strong>, {{ decision.at|date:"j F Y H:i" }}, by {{ decision.actor.get_full_name|default:"someone no longer here" }} ({{ decision.role_display }}{% if decision.on_behalf_of %}, for {{ decision.on_behalf_of.get_full_name }}, who delegated their decisions{% endif %}){% if decision.comment %}: {{ decision.comment }}{% endif %}</li>
  {% endfor %}
</ol>"""


def render(source: str, **context: object) -> str:
    return engines["django"].from_string(source).render(context)


def cell(code: str, **values: object) -> dict[str, object]:
    row = {"url": f"/progression/cases/1/competencies/{code}/", "code": code, "statement": "Leads & <teaches>",
           "tag": " nhsuk-tag--green", "status": "Reached", "reached_on": "3 Mar 2025", "evidence_count": 2,
           "evidence_short": False, "manager_comment": "Good \"work\"", "marked_by": "Ann O'Neil, 3 Mar 2025",
           "worker_comment": "–", "flagged": False}
    return {**row, **values}


def sections() -> list[TableSection]:
    first = TableSection(7, "Clinical <practice>", True, [
        cell("C1"), cell("C2", flagged=True, evidence_count=0, evidence_short=True, marked_by="", tag=" nhsuk-tag--grey",
                          status="Not yet", reached_on="–", manager_comment="–", worker_comment="I <disagree>")], 1)
    return [first, TableSection(9, "Leadership", False, [cell("L1", flagged=True)], 1)]


def test_the_table_is_the_templates_markup_flagged_or_not():
    case = SimpleNamespace(framework=SimpleNamespace(evidence_per_competency=3))
    for flagging in (True, False):
        expected = render(TABLE_TEMPLATE, table=sections(), flagged=["x"] if flagging else [], case=case)
        assert case_html.table_html(sections(), flagging=flagging, needed=3) == expected
    flagged = case_html.table_html(sections(), flagging=True, needed=3)
    assert flagged.count("app-flagged-row") == 2 and "app-flagged-row" not in case_html.table_html(
        sections(), flagging=False, needed=3)
    assert "Leads &amp; &lt;teaches&gt;" in flagged and "0 of 3 needed" in flagged and "Clinical &lt;practice&gt;" in flagged


def test_the_evidence_cards_are_the_templates_markup_with_every_kind_of_link():
    day = datetime.date(2025, 3, 4)
    links = [
        LinkedItem(kind="reflection", on=day, when="written", title="On <night> shifts", url="/reflections/4/"),
        LinkedItem(kind="review meeting", on=day, when="held", title="Mid-point review", url="",
                   hidden_note="the record is open to the mentor"),
        LinkedItem(kind="reflection", on=None, when="written", hidden_note="private & kept"),
    ]
    items = [
        EvidenceShown(pk=1, title="Sepsis <case> & after", example_date=day, description="Line one\nLine <two>\r\n\nthree",
                      file="evidence/a.pdf", original_filename="a <b>.pdf", added_by="Ann O'Neil <x>",
                      codes=["C1", "C<2>"], url="/e/1/", file_url="/e/1/file/", links=links),
        EvidenceShown(pk=2, title="Plain", example_date=day, description="", file="", original_filename="",
                      added_by="", url="/e/2/", file_url="/e/2/file/"),
    ]
    for shown in (items, items[1:], []):
        # The template read the name from the user who added the item.
        as_read = [SimpleNamespace(**{**vars(item), "added_by": SimpleNamespace(get_full_name=lambda n=item.added_by: n)})
                   for item in shown]
        assert case_html.evidence_html(shown) == render(EVIDENCE_TEMPLATE, evidence=as_read)
    page = case_html.evidence_html(items)
    assert "Sepsis &lt;case&gt; &amp; after" in page and 'href="/reflections/4/"' in page
    assert "(the record is open to the mentor)" in page and "No evidence yet." in case_html.evidence_html([])


def test_the_history_is_the_templates_markup_in_local_time_with_delegates_and_people_gone():
    hos, delegate = User(first_name="Hana", last_name="O'Hara <x>"), User(first_name="Dev", last_name="Patel")
    at = datetime.datetime(2025, 6, 30, 23, 5, tzinfo=datetime.UTC)  # 1 July, 00:05 in London
    history = [
        Decision(decision=Decision.Kind.SUBMITTED, role="line_manager", at=at, actor=hos, comment=""),
        Decision(decision=Decision.Kind.RECOMMENDED, role="head_of_service", at=at, actor=delegate,
                 on_behalf_of=hos, comment="Strong <case> & well evidenced"),
        Decision(decision=Decision.Kind.RETURNED, role="someone's role", at=at, actor=None, comment="Again"),
    ]
    for shown in (history, []):
        assert case_html.history_html(shown) == render(HISTORY_TEMPLATE, history=shown)
    page = case_html.history_html(history)
    assert "1 July 2025 00:05" in page and "someone no longer here" in page and "&lt;case&gt; &amp;" in page


def test_values_are_escaped_as_the_template_escapes_them():
    from django.utils.html import conditional_escape
    from django.utils.safestring import mark_safe
    from django.utils.translation import gettext_lazy

    kept = mark_safe("<b>kept</b>")  # noqa: S308  # nosec - a safe string is the input under test
    for value in ("<a href='x'>&\"</a>", kept, gettext_lazy("Reached & <more>"), 5, "–"):
        assert case_html.esc(value) == conditional_escape(value)
