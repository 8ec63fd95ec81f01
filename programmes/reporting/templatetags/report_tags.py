"""Template tags of the dashboards: their tables, written in Python (``preceptorship.charts.table_html``)
because a template loop per cell made the tables a large share of a dashboard's time."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from django import template
from django.utils.safestring import SafeString

from preceptorship import charts

register = template.Library()


@register.simple_tag
def report_table(caption: str, headers: Sequence[Any], rows: Sequence[Sequence[Any]],
                 numeric: Sequence[bool] | None = None) -> SafeString:
    return charts.table_html(caption, headers, rows, numeric or None)
