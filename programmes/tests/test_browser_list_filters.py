"""The enrolment lists' filters and the enrol page's name search in a real browser: the mentor's
caseload and the line manager's team filtered (the team by mentor's name), the programme lead's
list narrowed by a mentor's name, and a cohort built up search by search on the enrol page. Every
page is checked (styled, no browser errors, axe-clean) at desktop width and again at 320px."""

from __future__ import annotations

import datetime
from typing import Any

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from preceptorship.models import User
from preceptorship.tests.browser import Demo, goto, sign_in
from programmes.forms.lead import _candidate_people, _not_enrolled
from programmes.models import Enrolment, Programme
from programmes.tests.test_browser_lead import _check_both_widths
from programmes.views.common import PAGE_SIZE

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True, serialized_rollback=True)]


def _apply(page: Any, button: str) -> None:
    page.get_by_role("button", name=button).click()
    page.wait_for_load_state()


def _rows(page: Any) -> int:
    return page.locator("main table tbody tr").count()


def test_caseload_and_team_filter_by_the_new_filters(page: Any, demo: Demo, live_server: Any) -> None:
    mentor = User.objects.get(email=demo.email("mentor_ot"))
    sign_in(page, live_server, demo.email("mentor_ot"), demo.password)
    goto(page, live_server.url + "/programmes/caseload/")
    everyone = _rows(page)
    assert everyone
    expect(page.get_by_label("Transition reason")).to_be_visible()
    expect(page.get_by_label("Mentor's name")).to_have_count(0)  # every row is theirs
    page.get_by_label("Status").select_option("paused")
    _apply(page, "Apply filters")
    assert _rows(page) < everyone
    expect(page.get_by_role("link", name="Clear the filters")).to_be_visible()
    _check_both_widths(page, "caseload-filtered")

    page.context.clear_cookies()
    sign_in(page, live_server, demo.email("manager_ot"), demo.password)
    goto(page, live_server.url + "/programmes/team/")
    page.get_by_label("Mentor's name").fill(mentor.last_name.lower())
    _apply(page, "Apply filters")
    matching = Enrolment.objects.filter(line_manager__email=demo.email("manager_ot"), mentor=mentor).count()
    assert matching
    assert _rows(page) == min(matching, PAGE_SIZE)  # the first page of them (the demo's past preceptees count too)
    page.get_by_label("Mentor's name").fill("nobody-is-called-this")
    _apply(page, "Apply filters")
    expect(page.locator("main")).to_contain_text("No preceptee matches these filters", use_inner_text=True)
    _check_both_widths(page, "team-by-mentor-name")


def test_lead_filters_by_mentor_name_and_builds_a_cohort_by_searching(page: Any, demo: Demo, live_server: Any) -> None:
    mentor = User.objects.get(email=demo.email("mentor_ot"))
    sign_in(page, live_server, demo.email("council_lead"), demo.password)
    goto(page, live_server.url + "/programmes/enrolments/")
    page.get_by_text("Filter and sort").click()
    page.get_by_label("Mentor's name").fill(mentor.first_name)
    _apply(page, "Apply")
    mentors = set(page.locator("main table tbody tr td:nth-child(3)").all_inner_texts())
    assert mentors and all(mentor.first_name in name for name in mentors)
    _check_both_widths(page, "enrolments-by-mentor-name")

    programme = Programme.objects.get(name="Occupational Therapy preceptorship")
    first, second = list(_not_enrolled(programme, _candidate_people(programme))[:2])
    goto(page, live_server.url + f"/programmes/{programme.pk}/enrol/")
    page.get_by_label("Find people by name").fill(first.last_name)
    _apply(page, "Search people")
    page.get_by_label(str(first), exact=False).check()
    page.get_by_label("Find people by name").fill(second.last_name)
    page.get_by_label("Find people by name").press("Enter")  # Enter in a search box runs that search
    page.wait_for_load_state()
    assert page.get_by_label(str(first), exact=False).is_checked()  # kept across searches
    page.get_by_label(str(second), exact=False).check()
    _check_both_widths(page, "enrol-search")
    page.get_by_label("Newly registered").check()
    page.get_by_label("Mentor", exact=True).select_option(str(mentor.pk))
    start = timezone.localdate() + datetime.timedelta(days=7)
    for box, value in enumerate((start.day, start.month, start.year)):
        page.locator(f"#id_start_date_{box}").fill(str(value))
    page.locator("#id_start_date_2").press("Enter")  # Enter in any other field presses Enrol, not a search
    page.wait_for_load_state()
    if page.get_by_label("Go ahead anyway: I have agreed this with the mentor").count():
        page.get_by_label("Go ahead anyway: I have agreed this with the mentor").check()
        _apply(page, "Enrol")
    expect(page.locator("main")).to_contain_text("Enrolled 2 people", use_inner_text=True)
    assert Enrolment.objects.filter(programme=programme, preceptee__in=[first, second],
                                    status=Enrolment.Status.ACTIVE).count() == 2
