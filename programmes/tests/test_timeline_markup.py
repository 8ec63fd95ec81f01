"""The timeline's markup, written in Python (``views.common.Timeline``), is the template's it replaced."""

from __future__ import annotations

import datetime

import pytest
from django.template import engines

from programmes.selectors import TimelineItem
from programmes.views.common import Timeline

# includes/timeline.html as it was, a template.
AS_TEMPLATE = """{% load dates %}<ol class="app-timeline">
  {% for item in timeline %}
  <li class="app-timeline__item app-timeline__item--{{ item.state }}">
    <strong>{% if item.url %}<a href="{{ item.url }}">{{ item.label }}</a>{% else %}{{ item.label }}{% endif %}</strong>
    {% if item.state == "overdue" %}<strong class="nhsuk-tag nhsuk-tag--red">Overdue</strong>{% endif %}
    <span class="app-timeline__date">{{ item.on|day_month_name_year }}</span>
    {% if item.detail %}<span class="app-timeline__detail">{{ item.detail }}</span>{% endif %}
  </li>
  {% endfor %}
</ol>"""

ITEMS = [
    TimelineItem(datetime.date(2025, 1, 2), "Review 2 overdue", "overdue"),
    TimelineItem(datetime.date(2025, 3, 4), "Reflection <shared>", "done", 'On "safety" & care', "/r/1/?a=1&b=2"),
    TimelineItem(datetime.date(2025, 12, 31), "Completion due", "future", "", ""),
    TimelineItem(datetime.date(2026, 2, 1), "Goal achieved", "done", "Named only", ""),
]


@pytest.mark.parametrize("items", [[], ITEMS[:1], ITEMS])
def test_the_timeline_is_written_as_its_template_wrote_it(items: list[TimelineItem]) -> None:
    expected = engines["django"].from_string(AS_TEMPLATE).render({"timeline": items})
    assert Timeline(items).html == expected
    shown = engines["django"].get_template("programmes/lead/includes/timeline.html")
    assert expected in shown.render({"timeline": Timeline(items)})
