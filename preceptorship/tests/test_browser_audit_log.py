"""The audit log in a real browser: a programme lead reads and filters their organisation's log, a
wrong date is explained beside its field, and an administrator reads everyone's. Every page is
checked (styled, no browser errors, axe-clean) at desktop width and at 320px."""

from __future__ import annotations

from typing import Any

import pytest
from playwright.sync_api import expect

from preceptorship.tests.browser import DESKTOP, NARROW, Demo, check_page, click_nav, goto, screenshot, sign_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True, serialized_rollback=True)]


def _check_both_widths(page: Any, name: str) -> None:
    check_page(page)
    screenshot(page, name)
    page.set_viewport_size(NARROW)
    # The NHS.UK header folds its links into "More" on the next animation frame after a resize.
    page.evaluate("() => new Promise(resolve => requestAnimationFrame(() => requestAnimationFrame(resolve)))")
    check_page(page)
    screenshot(page, f"{name}-320px")
    page.set_viewport_size(DESKTOP)


def _open_filters(page: Any) -> None:
    summary = page.locator("summary", has_text="Filter")
    if page.locator("details.nhsuk-details[open]").count() == 0:
        summary.click()


def test_a_lead_reads_and_filters_their_audit_log(page: Any, demo: Demo, live_server: Any) -> None:
    sign_in(page, live_server, demo.email("trust_lead"), demo.password)
    click_nav(page, "Audit log")
    expect(page.get_by_role("heading", level=1, name="Audit log")).to_be_visible()
    assert page.locator("main table tbody tr").count() > 0
    _check_both_widths(page, "audit-log-lead")

    _open_filters(page)
    page.get_by_label("Action").fill("enrolment")
    page.get_by_role("button", name="Apply").click()
    page.wait_for_load_state()
    actions = page.locator("main table tbody tr code").all_inner_texts()
    assert actions and all(action.startswith("enrolment") for action in actions)
    expect(page.get_by_role("link", name="Clear the filters")).to_be_visible()
    _check_both_widths(page, "audit-log-filtered")

    _open_filters(page)
    page.locator("#id_date_from_0").fill("31")
    page.locator("#id_date_from_1").fill("2")
    page.locator("#id_date_from_2").fill("2026")
    page.get_by_role("button", name="Apply").click()
    page.wait_for_load_state()
    expect(page.locator(".nhsuk-error-summary")).to_contain_text("Enter a real date")
    expect(page.get_by_label("Action")).to_have_value("enrolment")  # nothing typed is lost
    _check_both_widths(page, "audit-log-bad-date")


def test_an_administrator_reads_everyones_audit_log(page: Any, demo: Demo, live_server: Any) -> None:
    sign_in(page, live_server, demo.email("admin"), demo.password)
    goto(page, live_server.url + "/audit/")
    expect(page.get_by_role("heading", level=1, name="Audit log")).to_be_visible()
    expect(page.get_by_text("Every change made in the service")).to_be_visible()
    _check_both_widths(page, "audit-log-administrator")
