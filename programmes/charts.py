"""Server-rendered SVG charts drawn from dashboard figures.

A chart is plain data (positions, sizes, labels) that ``templates/programmes/reports/includes/
chart.html`` draws as SVG with ``role="img"``, a title and a description, followed by the same
numbers as a table behind an NHS.UK details toggle (screen readers and printing need the numbers).
Colours come from classes in ``static/css/reports.css`` (NHS.UK palette), never inline styles.

A hidden figure (``Figure.hidden``: "fewer than 5", or "not shown (protects a small number)")
draws no bar or point: its place shows a hatched marker and the table says why.
"""

from __future__ import annotations

import itertools
import math
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from programmes.reporting import Figure

WIDTH = 640
PLOT_TOP = 16
PLOT_LEFT = 44
PLOT_RIGHT = 12
PLOT_BOTTOM = 44
BAR_HEIGHT = 18
ROW_HEIGHT = 44
SERIES_CLASSES = 4  # .app-chart__series--0 .. --3 in reports.css
_ids = itertools.count(1)


@dataclass(frozen=True)
class Rect:
    x: float
    y: float
    width: float
    height: float
    series: int
    title: str
    suppressed: bool = False


@dataclass(frozen=True)
class Text:
    x: float
    y: float
    text: str
    anchor: str = "middle"


@dataclass(frozen=True)
class Line:
    points: str
    series: int


@dataclass(frozen=True)
class Point:
    x: float
    y: float
    series: int
    title: str
    suppressed: bool = False


@dataclass
class Chart:
    """Everything the template needs to draw one chart and its data table."""

    title: str
    description: str
    headers: list[str]
    rows: list[list[str]]
    legend: list[tuple[int, str]]
    width: int = WIDTH
    height: int = 240
    rects: list[Rect] = field(default_factory=list)
    texts: list[Text] = field(default_factory=list)
    gridlines: list[Text] = field(default_factory=list)
    lines: list[Line] = field(default_factory=list)
    points: list[Point] = field(default_factory=list)
    has_suppressed: bool = False  # a hatched marker: fewer than 5 people
    has_protected: bool = False  # a hatched marker: hidden to protect a small number
    ident: str = field(default_factory=lambda: f"chart-{next(_ids)}")

    @property
    def view_box(self) -> str:
        return f"0 0 {self.width} {self.height}"


def _nice_max(value: float) -> float:
    """A round axis maximum at or above ``value`` (1, 2, 2.5, 5 or 10 times a power of ten)."""
    if value <= 0:
        return 1
    power = 10 ** math.floor(math.log10(value))
    for step in (1, 2, 2.5, 5, 10):
        if value <= step * power:
            return step * power
    return 10 * power


def _ticks(top: float, count: int = 4) -> list[float]:
    return [top * i / count for i in range(count + 1)]


def _format(value: float) -> str:
    return f"{value:g}" if value != int(value) else f"{int(value)}"


def _mark_hidden(chart: Chart, figure: Figure) -> None:
    """Note in the legend why a hatched marker hides a value."""
    if figure.suppressed:
        chart.has_suppressed = True
    else:
        chart.has_protected = True


def _table(categories: Sequence[str], series: Sequence[tuple[str, Sequence[Figure]]], first: str) -> tuple:
    headers = [first, *(name for name, _ in series)]
    rows = [[category, *(str(values[i]) for _, values in series)] for i, category in enumerate(categories)]
    return headers, rows


def _description(title: str, categories: Sequence[str], series: Sequence[tuple[str, Sequence[Figure]]]) -> str:
    parts = []
    for name, values in series:
        shown = [f"{category} {value}" for category, value in zip(categories, values, strict=True)]
        parts.append(f"{name}: " + "; ".join(shown))
    return f"{title}. " + ". ".join(parts) + "."


def _axis(chart: Chart, categories: Sequence[str], axis_labels: Sequence[tuple[str, str]] | None,
          centre: Any, base: float) -> None:
    """Category labels under the plot; ``axis_labels`` gives short two-line labels (for example
    "Jan" over "2026") where the full names would overlap."""
    for i, category in enumerate(categories):
        first, second = axis_labels[i] if axis_labels else (category, "")
        chart.texts.append(Text(centre(i), base + 18, first))
        if second:
            chart.texts.append(Text(centre(i), base + 34, second))


def month_labels(months: Sequence[Any]) -> list[tuple[str, str]]:
    """Month abbreviations, with the year under the first month and under each January."""
    return [(f"{m:%b}", f"{m:%Y}" if i == 0 or m.month == 1 else "") for i, m in enumerate(months)]


def bar_chart(
    title: str,
    categories: Sequence[str],
    series: Sequence[tuple[str, Sequence[Figure]]],
    *,
    first_header: str = "",
    maximum: float | None = None,
    height: int = 240,
    axis_labels: Sequence[tuple[str, str]] | None = None,
) -> Chart:
    """Vertical bars, one group per category, one bar per series (for example starts and
    completions by month)."""
    headers, rows = _table(categories, series, first_header)
    chart = Chart(title, _description(title, categories, series), headers, rows,
                  [(i % SERIES_CLASSES, name) for i, (name, _) in enumerate(series)], height=height)
    numbers = [f.number for _, values in series for f in values if f.number is not None]
    top = maximum or _nice_max(max(numbers, default=0))
    plot_width = WIDTH - PLOT_LEFT - PLOT_RIGHT
    plot_height = height - PLOT_TOP - PLOT_BOTTOM
    base = PLOT_TOP + plot_height
    slot = plot_width / max(1, len(categories))
    bar = slot * 0.8 / max(1, len(series))
    for tick in _ticks(top):
        chart.gridlines.append(Text(PLOT_LEFT, base - plot_height * tick / top, _format(tick), "end"))
    for i, category in enumerate(categories):
        left = PLOT_LEFT + slot * i + slot * 0.1
        for s, (name, values) in enumerate(series):
            figure = values[i]
            x = left + bar * s
            if figure.hidden:
                _mark_hidden(chart, figure)
                chart.rects.append(Rect(x, base - 12, bar, 12, s % SERIES_CLASSES,
                                        f"{category}, {name}: {figure}", suppressed=True))
                continue
            value = figure.number or 0
            h = plot_height * min(value, top) / top
            chart.rects.append(Rect(x, base - h, bar, h, s % SERIES_CLASSES, f"{category}, {name}: {figure}"))
    _axis(chart, categories, axis_labels, lambda i: PLOT_LEFT + slot * i + slot / 2, base)
    return chart


def horizontal_bar_chart(
    title: str,
    items: Sequence[tuple[str, Figure]],
    *,
    measure: str,
    first_header: str = "",
    maximum: float | None = None,
) -> Chart:
    """One bar per item with its label above it (long organisation names stay readable)."""
    categories = [label for label, _ in items]
    values = [figure for _, figure in items]
    headers, rows = _table(categories, [(measure, values)], first_header)
    height = PLOT_TOP + ROW_HEIGHT * max(1, len(items)) + 8
    chart = Chart(title, _description(title, categories, [(measure, values)]), headers, rows, [(0, measure)],
                  height=height)
    numbers = [f.number for f in values if f.number is not None]
    top = maximum or _nice_max(max(numbers, default=0))
    plot_width = WIDTH - 8 - 90
    for i, (label, figure) in enumerate(items):
        y = PLOT_TOP + ROW_HEIGHT * i
        chart.texts.append(Text(8, y + 10, label, "start"))
        if figure.hidden:
            _mark_hidden(chart, figure)
            chart.rects.append(Rect(8, y + 16, 24, BAR_HEIGHT, 0, f"{label}: {figure}", suppressed=True))
            chart.texts.append(Text(40, y + 30, str(figure), "start"))
            continue
        value = figure.number or 0
        width = plot_width * min(value, top) / top
        chart.rects.append(Rect(8, y + 16, width, BAR_HEIGHT, 0, f"{label}: {figure}"))
        chart.texts.append(Text(8 + width + 6, y + 30, str(figure), "start"))
    return chart


def line_chart(
    title: str,
    categories: Sequence[str],
    series: Sequence[tuple[str, Sequence[Figure]]],
    *,
    first_header: str = "",
    minimum: float = 0,
    maximum: float | None = None,
    height: int = 240,
    axis_labels: Sequence[tuple[str, str]] | None = None,
) -> Chart:
    """One line per series; a suppressed or missing point breaks the line."""
    headers, rows = _table(categories, series, first_header)
    chart = Chart(title, _description(title, categories, series), headers, rows,
                  [(i % SERIES_CLASSES, name) for i, (name, _) in enumerate(series)], height=height)
    numbers = [f.number for _, values in series for f in values if f.number is not None]
    top = maximum or _nice_max(max(numbers, default=0))
    span = (top - minimum) or 1
    plot_width = WIDTH - PLOT_LEFT - PLOT_RIGHT
    plot_height = height - PLOT_TOP - PLOT_BOTTOM
    base = PLOT_TOP + plot_height
    step = plot_width / max(1, len(categories))
    for tick in _ticks(span):
        chart.gridlines.append(Text(PLOT_LEFT, base - plot_height * tick / span, _format(minimum + tick), "end"))
    _axis(chart, categories, axis_labels, lambda i: PLOT_LEFT + step * i + step / 2, base)
    for s, (name, values) in enumerate(series):
        run: list[str] = []
        for i, figure in enumerate(values):
            x = PLOT_LEFT + step * i + step / 2
            if figure.number is None:
                if figure.hidden:
                    _mark_hidden(chart, figure)
                    chart.points.append(Point(x, base - 6, s % SERIES_CLASSES,
                                              f"{categories[i]}, {name}: {figure}", suppressed=True))
                if len(run) > 1:
                    chart.lines.append(Line(" ".join(run), s % SERIES_CLASSES))
                run = []
                continue
            y = base - plot_height * (min(figure.number, top) - minimum) / span
            run.append(f"{x:.1f},{y:.1f}")
            chart.points.append(Point(x, y, s % SERIES_CLASSES, f"{categories[i]}, {name}: {figure}"))
        if len(run) > 1:
            chart.lines.append(Line(" ".join(run), s % SERIES_CLASSES))
    return chart
