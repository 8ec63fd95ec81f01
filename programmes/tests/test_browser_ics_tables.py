"""The ICS lead's dashboard at 1280 pixels: each of its tables fits its column without scrolling
sideways, text columns read from the left and numbers from the right; axe at desktop and 320 px."""

from __future__ import annotations

from typing import Any

import pytest
from playwright.sync_api import expect

from preceptorship.tests.browser import check_both, goto, sign_in, url

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True, serialized_rollback=True)]


def test_the_ics_dashboards_tables_fit_a_1280_pixel_screen(page: Any, demo: Any, live_server: Any):
    page.set_viewport_size({"width": 1280, "height": 900})
    sign_in(page, live_server, demo.email("ics_lead"), demo.password)
    goto(page, url(live_server, "/programmes/reports/ics/"))
    expect(page.get_by_text("Figures as of")).to_be_visible()
    widths = page.evaluate("""() => Array.from(document.querySelectorAll('main table')).map(table => ({
        caption: table.caption ? table.caption.textContent.trim() : '',
        scroll: table.parentElement.scrollWidth, client: table.parentElement.clientWidth,
        visible: table.offsetParent !== null}))""")
    shown = [found for found in widths if found["visible"]]
    assert shown
    too_wide = [found for found in shown if found["scroll"] > found["client"]]
    assert not too_wide, too_wide
    side_by_side = page.get_by_role("table", name="Organisations side by side")
    # The organisation's name reads from the left, each figure from the right.
    assert "nhsuk-table__header--numeric" not in side_by_side.locator("thead th").first.get_attribute("class")
    assert "nhsuk-table__header--numeric" in side_by_side.locator("thead th").nth(1).get_attribute("class")
    offer = page.get_by_role("table", name="Preceptorship offered to newly registered AHPs, by organisation and "
                                           "profession")
    assert "numeric" not in offer.locator("thead th").nth(1).get_attribute("class")  # the profession
    check_both(page, "ics-dashboard-tables")
