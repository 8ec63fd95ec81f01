"""The ICS lead's and the programme lead's dashboards at 1280 pixels: each of their tables fits its
column without scrolling sideways, text columns read from the left and numbers from the right; axe
at desktop and 320 px."""

from __future__ import annotations

from typing import Any

import pytest
from playwright.sync_api import expect

from preceptorship.tests.browser import check_both, goto, sign_in, url

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True, serialized_rollback=True)]


def _assert_tables_fit(page: Any) -> None:
    """Every table the page shows is no wider than the box around it: nothing scrolls sideways."""
    widths = page.evaluate("""() => Array.from(document.querySelectorAll('main table')).map(table => ({
        caption: table.caption ? table.caption.textContent.trim() : '',
        scroll: table.parentElement.scrollWidth, client: table.parentElement.clientWidth,
        visible: table.offsetParent !== null}))""")
    shown = [found for found in widths if found["visible"]]
    assert shown
    too_wide = [found for found in shown if found["scroll"] > found["client"]]
    assert not too_wide, too_wide


def test_the_ics_dashboards_tables_fit_a_1280_pixel_screen(page: Any, demo: Any, live_server: Any):
    page.set_viewport_size({"width": 1280, "height": 900})
    sign_in(page, live_server, demo.email("ics_lead"), demo.password)
    goto(page, url(live_server, "/programmes/reports/ics/"))
    expect(page.get_by_text("Figures as of")).to_be_visible()
    _assert_tables_fit(page)
    side_by_side = page.get_by_role("table", name="Organisations side by side")
    # The organisation's name reads from the left, each figure from the right.
    assert "nhsuk-table__header--numeric" not in side_by_side.locator("thead th").first.get_attribute("class")
    assert "nhsuk-table__header--numeric" in side_by_side.locator("thead th").nth(1).get_attribute("class")
    offer = page.get_by_role("table", name="Preceptorship offered to newly registered AHPs, by organisation and "
                                           "profession")
    assert "numeric" not in offer.locator("thead th").nth(1).get_attribute("class")  # the profession
    check_both(page, "ics-dashboard-tables")


def test_the_leads_dashboard_tables_fit_a_1280_pixel_screen(page: Any, demo: Any, live_server: Any):
    page.set_viewport_size({"width": 1280, "height": 900})
    sign_in(page, live_server, demo.email("council_lead"), demo.password)
    goto(page, url(live_server, "/programmes/reports/dashboard/"))
    expect(page.get_by_text("Figures as of")).to_be_visible()
    _assert_tables_fit(page)
    mentors = page.get_by_role("table", name="Mentors: active preceptees against capacity")
    assert "numeric" not in mentors.locator("thead th").nth(1).get_attribute("class")  # the organisation
    assert "numeric" in mentors.locator("thead th").nth(4).get_attribute("class")  # active preceptees
    check_both(page, "lead-dashboard-tables")
