"""The caseload's and the team's table rows, written in Python (``views.caseload.CaseloadRows``),
are the template's markup they replaced."""

from __future__ import annotations

import pytest
from django.template import engines

from programmes.views.caseload import CaseloadRows

# The rows of practice/includes/enrolment_table.html as they were, a template.
AS_TEMPLATE = """    {% for row in rows %}
    <tr class="nhsuk-table__row" role="row">
      <td class="nhsuk-table__cell" role="cell"><span class="nhsuk-table-responsive__heading" aria-hidden="true">Preceptee </span><a href="{{ row.url }}">{{ row.preceptee }}</a>{% if row.profession %}<br><span class="nhsuk-body-s">{{ row.profession }}</span>{% endif %}</td>
      <td class="nhsuk-table__cell" role="cell"><span class="nhsuk-table-responsive__heading" aria-hidden="true">Programme </span>{{ row.programme }}</td>
      <td class="nhsuk-table__cell" role="cell"><span class="nhsuk-table-responsive__heading" aria-hidden="true">Status </span>{{ row.status }}{% if row.caseload_over %}<br><strong class="nhsuk-tag nhsuk-tag--orange">Caseload above protection</strong>{% endif %}</td>
      <td class="nhsuk-table__cell" role="cell"><span class="nhsuk-table-responsive__heading" aria-hidden="true">Next review </span>
        {% if row.next_review %}{{ row.next_review }}
          {% if row.overdue %}<strong class="nhsuk-tag nhsuk-tag--red">Overdue</strong>{% endif %}
        {% else %}None due{% endif %}{% if row.draft_url %}<br><a href="{{ row.draft_url }}">Review record in progress — continue<span class="nhsuk-u-visually-hidden"> ({{ row.preceptee }})</span></a>{% endif %}</td>
      <td class="nhsuk-table__cell" role="cell"><span class="nhsuk-table-responsive__heading" aria-hidden="true">Reviews held </span>{{ row.reviews_held }}</td>
      <td class="nhsuk-table__cell" role="cell"><span class="nhsuk-table-responsive__heading" aria-hidden="true">Reflections awaiting feedback </span>{{ row.shared_awaiting }}</td>
    </tr>
    {% endfor %}
"""  # noqa: E501

ROWS = [
    {"url": "/r/1/?a=1&b=2", "preceptee": "Ann <O'Neil>", "profession": "Nursing & care", "programme": 'The "new" one',
     "status": "Active", "next_review": "2 May 2025", "overdue": True, "reviews_held": 2, "shared_awaiting": 1,
     "draft_url": "/r/1/record/?x=1&y=2", "caseload_over": True},
    {"url": "/r/2/", "preceptee": "b@example.org", "profession": "", "programme": "P", "status": "Paused",
     "next_review": "", "overdue": False, "reviews_held": 0, "shared_awaiting": 0, "draft_url": "",
     "caseload_over": False},
    {"url": "/r/3/", "preceptee": "C", "profession": "Physio", "programme": "P", "status": "Active",
     "next_review": "4 Jan 2024", "overdue": False, "reviews_held": 12, "shared_awaiting": 3, "draft_url": "",
     "caseload_over": False},
]


@pytest.mark.parametrize("rows", [[], ROWS[:1], ROWS])
def test_the_rows_are_written_as_their_template_wrote_them(rows: list[dict]) -> None:
    expected = engines["django"].from_string(AS_TEMPLATE).render({"rows": rows})
    assert f"    {CaseloadRows(rows).html}\n" == expected
    table = engines["django"].get_template("programmes/practice/includes/enrolment_table.html").render(
        {"rows": CaseloadRows(rows), "caption": "Your caseload"})
    assert expected in table
