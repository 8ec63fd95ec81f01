"""SVG charts: accessible names, NHS.UK colour classes, suppressed values drawn as markers and
written in the table, and the numbers in a details toggle."""

from __future__ import annotations

import re

from django.template.loader import render_to_string

from preceptorship import charts
from programmes.reporting.measures import SUPPRESSED, Figure, count, percent


def _render(chart: charts.Chart) -> str:
    return render_to_string("programmes/reports/includes/chart.html", {"chart": chart})


def test_bar_chart_scales_bars_to_the_largest_value():
    chart = charts.bar_chart("Starts by month", ["Jan", "Feb"], [("Starts", [count(5), count(10)])])
    january, february = chart.rects
    assert february.height == 2 * january.height
    assert january.y > february.y  # taller bar starts higher
    assert [row for row in chart.rows] == [["Jan", "5"], ["Feb", "10"]]


def test_suppressed_values_draw_a_marker_not_a_bar_and_say_fewer_than_five():
    chart = charts.bar_chart("Starts", ["Jan", "Feb"], [("Starts", [count(3), count(8)])])
    assert chart.rects[0].suppressed and chart.has_suppressed
    assert chart.rows[0] == ["Jan", SUPPRESSED]
    html = _render(chart)
    assert f"Jan, Starts: {SUPPRESSED}" in html
    assert "Fewer than 5 people: not shown" in html
    assert SUPPRESSED in chart.description


def test_the_svg_has_an_accessible_name_and_the_table_is_behind_a_details_toggle():
    chart = charts.line_chart("Confidence by review", ["Review 1", "Review 2"],
                              [("Confidence", [Figure(2.5, 6), Figure(3.5, 6)])], maximum=5)
    html = _render(chart)
    svg = re.search(r"<svg[^>]*>", html).group(0)
    assert 'role="img"' in svg
    labelled = re.search(r'aria-labelledby="([^"]+)"', svg).group(1).split()
    for ident in labelled:
        assert f'id="{ident}"' in html
    assert "<title" in html and "Confidence by review" in html
    assert 'class="nhsuk-details app-chart__data"' in html
    assert '<th scope="row" class="nhsuk-table__header">Review 1</th>' in html
    assert "app-chart__stroke--0" in html  # NHS blue, from reports.css
    assert "style=" not in html  # the Content Security Policy forbids inline styles


def test_a_suppressed_point_breaks_the_line():
    chart = charts.line_chart("Active", ["A", "B", "C", "D", "E"],
                              [("Active", [count(6), count(7), count(2), count(8), count(9)])])
    assert len(chart.lines) == 2
    assert sum(point.suppressed for point in chart.points) == 1


def test_horizontal_bars_for_organisations_keep_long_names_and_percentages():
    chart = charts.horizontal_bar_chart(
        "Reviews on time", [("A very long organisation name NHS Foundation Trust", percent(9, 10)),
                            ("Small Council", percent(1, 2))], measure="Reviews on time (%)", maximum=100,
    )
    assert chart.texts[0].text == "A very long organisation name NHS Foundation Trust"
    assert chart.rects[0].width == (charts.WIDTH - 98) * 0.9
    assert chart.rects[1].suppressed
    assert chart.rows[0][1] == "90%"


def test_an_empty_chart_still_draws():
    chart = charts.bar_chart("Nothing yet", ["Jan"], [("Starts", [count(0)])])
    assert chart.rects[0].height == 0
    assert "Nothing yet" in _render(chart)


def test_month_axis_labels_are_short_with_the_year_under_january_and_the_first_month():
    import datetime

    months = [datetime.date(2025, 11, 1), datetime.date(2025, 12, 1), datetime.date(2026, 1, 1)]
    assert charts.month_labels(months) == [("Nov", "2025"), ("Dec", ""), ("Jan", "2026")]
    chart = charts.bar_chart("Starts", ["Nov 2025", "Dec 2025", "Jan 2026"],
                             [("Starts", [count(5), count(6), count(7)])], axis_labels=charts.month_labels(months))
    assert [t.text for t in chart.texts] == ["Nov", "2025", "Dec", "Jan", "2026"]
    assert chart.rows[0][0] == "Nov 2025"  # the table keeps the full month
