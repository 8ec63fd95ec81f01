"""The programme lead changes a preceptee's mentor and line manager in a real browser, finding each
by name: Enter in a search box runs that search, the people chosen stay chosen, and Save keeps the
new people. The page is checked (styled, no browser errors, axe-clean) at desktop width and 320px."""

from __future__ import annotations

from typing import Any

import pytest
from playwright.sync_api import expect

from preceptorship.models import User
from preceptorship.tests.browser import Demo, goto, sign_in
from programmes.models import Enrolment
from programmes.tests.test_browser_lead import _check_both_widths

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True, serialized_rollback=True)]


def _options(page: Any, name: str) -> list[str]:
    return page.locator(f"#id_{name}").locator("option").all_inner_texts()


def test_lead_finds_a_new_mentor_and_line_manager_by_name(page: Any, demo: Demo, live_server: Any) -> None:
    enrolment = Enrolment.objects.get(preceptee__email=demo.email("preceptee_ot_mid"))
    mentor = User.objects.get(email=demo.email("manager_ot"))  # Laura Bennett mentors too
    manager = User.objects.get(email=demo.email("manager_sw"))
    sign_in(page, live_server, demo.email("council_lead"), demo.password)
    goto(page, live_server.url + enrolment.get_absolute_url())
    page.get_by_role("link", name="Change mentor or line manager").click()
    page.wait_for_load_state()
    _check_both_widths(page, "people-form")

    page.get_by_label("Find a mentor by name").fill("bennett")
    page.get_by_label("Find a mentor by name").press("Enter")
    page.wait_for_load_state()
    offered = _options(page, "mentor")
    assert offered[1].startswith("Maya Okafor") and offered[2].startswith("Laura Bennett")  # chosen, then found
    assert len(offered) == 3
    page.get_by_label("Mentor", exact=True).select_option(str(mentor.pk))

    page.get_by_label("Find a line manager by name").fill("frost")
    page.get_by_label("Find a line manager by name").press("Enter")
    page.wait_for_load_state()
    assert page.get_by_label("Mentor", exact=True).input_value() == str(mentor.pk)  # kept across searches
    assert any(option.startswith("Daniel Frost") for option in _options(page, "line_manager"))
    page.get_by_label("Line manager (optional)", exact=True).select_option(str(manager.pk))
    _check_both_widths(page, "people-searched")

    page.get_by_role("button", name="Save").click()
    page.wait_for_load_state()
    expect(page.locator("main")).to_contain_text("The mentor and line manager have been saved.", use_inner_text=True)
    enrolment.refresh_from_db()
    assert (enrolment.mentor, enrolment.line_manager) == (mentor, manager)
