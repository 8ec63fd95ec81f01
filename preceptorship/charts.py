"""Server-rendered SVG charts drawn from figures: the dashboards', and a preceptee's review scores.

A chart is plain data (positions, sizes, labels) that ``Chart.html`` writes out as SVG with
``role="img"``, a title and a description, followed by the same numbers as a table behind an NHS.UK
details toggle (screen readers and printing need the numbers). The markup is written here rather
than by a template: a dashboard draws a few hundred shapes, and a template tag per attribute of each
made the charts most of a dashboard's time. ``table_html`` writes the dashboards' tables the same way.
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

from django.utils.html import conditional_escape, escape
from django.utils.safestring import SafeString, mark_safe

from preceptorship.figures import Figure

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

    @property
    def html(self) -> SafeString:
        """The chart as a ``figure``: caption, legend, SVG, and its numbers behind a details toggle."""
        ident, title = self.ident, escape(self.title)
        out = [f'<figure class="app-chart">\n  <figcaption class="app-chart__caption">{title}</figcaption>\n']
        if len(self.legend) > 1 or self.has_suppressed or self.has_protected:
            out.append('  <ul class="app-chart__legend">\n')
            out += [f'    <li><span class="app-chart__key app-chart__series--{series}" aria-hidden="true"></span>'
                    f'{escape(name)}</li>\n' for series, name in self.legend]
            if self.has_suppressed:
                out.append(f"    <li>{HIDDEN_KEY}Fewer than 5 people: not shown</li>\n")
            if self.has_protected:
                out.append(f"    <li>{HIDDEN_KEY}Not shown, so that a small number cannot be worked out</li>\n")
            out.append("  </ul>\n")
        hatch = f' fill="url(#{ident}-hatch)"'
        out.append(
            f'  <svg class="app-chart__svg" viewBox="{self.view_box}" role="img" '
            f'aria-labelledby="{ident}-title {ident}-desc" focusable="false" xmlns="http://www.w3.org/2000/svg">\n'
            f'    <title id="{ident}-title">{title}</title>\n'
            f'    <desc id="{ident}-desc">{escape(self.description)}</desc>\n'
            f'    <defs>\n      <pattern id="{ident}-hatch" width="6" height="6" patternUnits="userSpaceOnUse" '
            f'patternTransform="rotate(45)">\n'
            f'        <rect class="app-chart__hatch-ground" width="6" height="6"></rect>\n'
            f'        <line class="app-chart__hatch-line" x1="0" y1="0" x2="0" y2="6"></line>\n'
            f"      </pattern>\n    </defs>\n"
        )
        for tick in self.gridlines:
            out.append(
                f'    <line class="app-chart__grid" x1="{tick.x:.1f}" x2="{self.width}" y1="{tick.y:.1f}" '
                f'y2="{tick.y:.1f}"></line>\n'
                f'    <text class="app-chart__tick" x="{tick.x}" dx="-4" y="{tick.y:.1f}" text-anchor="end" '
                f'dominant-baseline="middle">{escape(tick.text)}</text>\n'
            )
        for rect in self.rects:
            kind = "app-chart__suppressed" if rect.suppressed else f"app-chart__series--{rect.series}"
            out.append(
                f'    <rect class="{kind}" x="{rect.x:.1f}" y="{rect.y:.1f}" width="{rect.width:.1f}" '
                f'height="{rect.height:.1f}"{hatch if rect.suppressed else ""}><title>{escape(rect.title)}</title>'
                f"</rect>\n"
            )
        out += [f'    <polyline class="app-chart__line app-chart__stroke--{line.series}" points="{line.points}">'
                f"</polyline>\n" for line in self.lines]
        for point in self.points:
            kind = "app-chart__suppressed" if point.suppressed else f"app-chart__series--{point.series}"
            out.append(
                f'    <circle class="{kind}" cx="{point.x:.1f}" cy="{point.y:.1f}" r="{5 if point.suppressed else 4}"'
                f'{hatch if point.suppressed else ""}><title>{escape(point.title)}</title></circle>\n'
            )
        out += [f'    <text class="app-chart__label" x="{text.x:.1f}" y="{text.y:.1f}" text-anchor="{text.anchor}">'
                f"{escape(text.text)}</text>\n" for text in self.texts]
        out.append(
            "  </svg>\n"
            '  <details class="nhsuk-details app-chart__data">\n'
            '    <summary class="nhsuk-details__summary"><span class="nhsuk-details__summary-text">'
            f"Show the numbers for \u201c{title}\u201d</span></summary>\n"
            f'    <div class="nhsuk-details__text">\n{table_html(self.title, self.headers, self.rows)}    </div>\n'
            "  </details>\n</figure>\n"
        )
        return mark_safe("".join(out))  # noqa: S308  # nosec - every value above is escaped or a number


HIDDEN_KEY = '<span class="app-chart__key app-chart__key--suppressed" aria-hidden="true"></span>'


def table_html(caption: str, headers: Sequence[Any], rows: Sequence[Sequence[Any]],
               numeric: Sequence[bool] | None = None) -> SafeString:
    """A plain data table: caption, headers (the first column is the row header) and rows of text.
    ``numeric``: which columns hold numbers, right-aligned (by default every one but the first);
    text is left-aligned."""
    if numeric is None:
        numeric = [bool(i) for i in range(len(headers))]
    out = [
        '<div class="app-table-scroll">\n<table class="nhsuk-table app-report-table">\n'
        f'  <caption class="nhsuk-table__caption nhsuk-table__caption--s">{escape(caption)}</caption>\n'
        '  <thead class="nhsuk-table__head">\n    <tr class="nhsuk-table__row">\n      '
    ]
    for i, header in enumerate(headers):
        right = " nhsuk-table__header--numeric" if numeric[i] else ""
        out.append(f'<th scope="col" class="nhsuk-table__header{right}">{conditional_escape(header)}</th>')
    out.append('\n    </tr>\n  </thead>\n  <tbody class="nhsuk-table__body">\n')
    for row in rows:
        out.append('    <tr class="nhsuk-table__row">\n      ')
        for i, cell in enumerate(row):
            if i:
                right = " nhsuk-table__cell--numeric" if numeric[i] else ""
                out.append(f'<td class="nhsuk-table__cell{right}">{conditional_escape(cell)}</td>')
            else:
                out.append(f'<th scope="row" class="nhsuk-table__header">{conditional_escape(cell)}</th>')
        out.append("\n    </tr>\n")
    if not rows:
        out.append(f'    <tr class="nhsuk-table__row"><td class="nhsuk-table__cell" colspan="{len(headers)}">'
                   "Nothing to show for these filters.</td></tr>\n")
    out.append("  </tbody>\n</table>\n</div>\n")
    return mark_safe("".join(out))  # noqa: S308  # nosec - every cell above is escaped


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
