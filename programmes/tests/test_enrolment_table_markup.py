"""The lead's enrolment table rows, written in Python (``views.enrolments.TableRows``), are the
template's markup they replaced."""

from __future__ import annotations

import pytest
from django.template import engines
from django.utils.html import format_html

from programmes.views.enrolments import TableRows

# The rows of includes/enrolment_table.html as they were, a template.
AS_TEMPLATE = """    {% for row in rows %}
    <tr class="nhsuk-table__row">
      <td class="nhsuk-table__cell"><a href="{{ row.url }}">{{ row.preceptee }}</a>{% if row.note %}<span class="app-table-note">{{ row.note }}</span>{% endif %}</td>
      {% if show_programme %}<td class="nhsuk-table__cell">{{ row.programme }}</td>{% endif %}
      <td class="nhsuk-table__cell">{{ row.mentor }}</td>
      <td class="nhsuk-table__cell">{{ row.started }}</td>
      <td class="nhsuk-table__cell">{% if row.next_review %}{{ row.next_review }}{% if row.overdue %} <strong class="nhsuk-tag nhsuk-tag--red">Overdue</strong>{% endif %}{% else %}None due{% endif %}</td>
      <td class="nhsuk-table__cell">{{ row.status }}</td>
    </tr>
    {% endfor %}
"""  # noqa: E501

ROWS = [
    {"url": "/e/1/?a=1&b=2", "preceptee": "Ann <O'Neil>", "note": "Nursing, Ward & 7", "programme": 'The "new" one',
     "mentor": "Bea Tutor", "started": "1 Apr 2025", "next_review": "2 May 2025", "overdue": True,
     "status": format_html('<strong class="nhsuk-tag nhsuk-tag--blue">{}</strong>', "Active")},
    {"url": "/e/2/", "preceptee": "c@example.org", "note": "", "programme": "P", "mentor": "M", "started": "",
     "next_review": "", "overdue": False, "status": "<b>"},
    {"url": "/e/3/", "preceptee": "D", "note": "Physio", "programme": "P", "mentor": "M", "started": "3 Jan 2024",
     "next_review": "4 Jan 2024", "overdue": False, "status": "Paused"},
]


@pytest.mark.parametrize("rows", [[], ROWS[:1], ROWS])
@pytest.mark.parametrize("show_programme", [False, True])
def test_the_rows_are_written_as_their_template_wrote_them(rows: list[dict], show_programme: bool) -> None:
    expected = engines["django"].from_string(AS_TEMPLATE).render({"rows": rows, "show_programme": show_programme})
    written = TableRows(rows).html_with_programme if show_programme else TableRows(rows).html
    assert f"    {written}\n" == expected
    table = engines["django"].get_template("programmes/lead/includes/enrolment_table.html").render(
        {"rows": TableRows(rows), "show_programme": show_programme, "caption": "Enrolments"})
    assert expected in table
