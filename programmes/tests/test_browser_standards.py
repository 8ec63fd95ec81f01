"""The standards scorecard in a real browser: a programme lead reads the scorecard of the demo's
programmes, opens the list of enrolments that fall short, copies a national set and changes a
criterion (a wrong number is said beside the field); an ICS lead reaches the system's scorecard and
its national comparators from the ICS dashboard. Every page passes check_page (axe), at desktop
width and at 320 px."""

from __future__ import annotations

from typing import Any

import pytest
from playwright.sync_api import expect

from preceptorship.tests.browser import check_page, goto, sign_in, url

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True, serialized_rollback=True)]


def test_a_programme_lead_reads_the_scorecard_and_changes_a_copy(page: Any, demo: Any, live_server: Any):
    sign_in(page, live_server, demo.email("council_lead"), demo.password)
    goto(page, url(live_server, "/programmes/reports/dashboard/"))
    page.get_by_role("link", name="See how your programmes meet the national preceptorship standards").click()
    page.wait_for_load_state()
    expect(page.get_by_role("heading", name="Standards scorecard", level=1)).to_be_visible()
    check_page(page)
    page.get_by_label("Standard set").select_option(label="Nursing preceptorship core standards (national)")
    page.get_by_role("button", name="Show the scorecard").click()
    page.wait_for_load_state()
    expect(page.get_by_role("heading", name="Nursing preceptorship core standards (national)")).to_be_visible()
    check_page(page)
    short = page.locator("details").filter(has_text="falling short").first
    if short.count():
        short.locator("summary").click()
        check_page(page)

    # The demo council already has its own copy of the AHP set (bench/demo/standards.py): copy another.
    page.get_by_role("button", name="Copy Nursing preceptorship core standards (national)").click()
    page.wait_for_load_state()
    expect(page.get_by_text("Your organisation's copy of the standard set is ready to change.")).to_be_visible()
    check_page(page)
    page.locator("a", has_text="Preceptorship lasts at least 12 months").click()
    page.wait_for_load_state()
    check_page(page)
    page.get_by_label("Number of months").fill("twelve")
    page.get_by_role("button", name="Save the criterion").click()
    page.wait_for_load_state()
    expect(page.get_by_role("alert")).to_contain_text("Enter a whole number")
    check_page(page)
    page.get_by_label("Number of months").fill("6")
    page.get_by_role("button", name="Save the criterion").click()
    page.wait_for_load_state()
    expect(page.get_by_role("cell", name="Programme length at least 6 months").first).to_be_visible()
    # The preceptor time criterion ships off with no number: the lead sets the hours and switches it on.
    page.locator("a", has_text="The preceptor has time to support each preceptee every year").click()
    page.wait_for_load_state()
    page.get_by_label("Number of hours a year").fill("12")
    page.get_by_label("Judge this criterion on the scorecard").check()
    page.get_by_role("button", name="Save the criterion").click()
    page.wait_for_load_state()
    expect(page.get_by_role("cell", name="Preceptor time given at least 12 hours a year to each preceptee").first
           ).to_be_visible()
    check_page(page)
    excepted = page.locator("details").filter(has_text="met through an exception agreed on the preceptor register")
    if excepted.count():
        excepted.first.locator("summary").click()
        check_page(page)

    page.set_viewport_size({"width": 320, "height": 900})
    page.reload()
    check_page(page)


def test_an_ics_lead_reaches_the_scorecard_and_comparators(page: Any, demo: Any, live_server: Any):
    sign_in(page, live_server, demo.email("ics_lead"), demo.password)
    goto(page, url(live_server, "/programmes/reports/ics/"))
    page.get_by_role("link", name="See how the organisations meet the national preceptorship standards").click()
    page.wait_for_load_state()
    expect(page.get_by_role("heading", name="Standards scorecard for the ICS", level=1)).to_be_visible()
    expect(page.get_by_role("heading", name="National comparators")).to_be_visible()
    check_page(page)
    page.set_viewport_size({"width": 320, "height": 900})
    page.reload()
    check_page(page)
