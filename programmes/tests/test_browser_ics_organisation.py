"""The ICS lead opens one organisation's detail from the ICS dashboard, at desktop width and at
320 px; both pages pass check_page (axe)."""

from __future__ import annotations

from typing import Any

import pytest
from playwright.sync_api import expect

from preceptorship.tests.browser import check_page, goto, sign_in, url

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True, serialized_rollback=True)]


def test_an_ics_lead_opens_one_organisations_detail(page: Any, demo: Any, live_server: Any):
    sign_in(page, live_server, demo.email("ics_lead"), demo.password)
    goto(page, url(live_server, "/programmes/reports/ics/"))
    expect(page.get_by_text("Figures as of")).to_be_visible()
    check_page(page)
    page.get_by_role("link", name="Riverbend Care Partnership").first.click()
    page.wait_for_load_state()
    expect(page.get_by_role("heading", name="Riverbend Care Partnership", level=1)).to_be_visible()
    expect(page.get_by_role("table", name="Progression cases by stage and time in stage")).to_have_count(1)
    check_page(page)
    page.set_viewport_size({"width": 320, "height": 720})
    check_page(page)
