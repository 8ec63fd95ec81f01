"""The programme lead in a real browser: sets up a programme (after a mistake), enrols a cohort of
two, reads the enrolment list and a timeline, and checks the mentors' capacity. Every page is
checked (styled, no browser errors, axe-clean) at desktop width and again at 320px."""

from __future__ import annotations

import datetime
import re
from typing import Any

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from preceptorship.models import User
from preceptorship.tests.browser import DESKTOP, NARROW, Demo, check_page, goto, screenshot, sign_in
from programmes.models import Enrolment, Programme

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


def _fill_date(page: Any, field: str, day: datetime.date) -> None:
    for box, value in enumerate((day.day, day.month, day.year)):
        page.locator(f"#id_{field}_{box}").fill(str(value))


def test_lead_sets_up_a_programme_and_enrols_a_cohort(page: Any, demo: Demo, live_server: Any) -> None:
    sign_in(page, live_server, demo.email("council_lead"), demo.password)
    page.get_by_role("link", name="Programmes", exact=True).click()
    page.wait_for_load_state()
    expect(page.get_by_role("heading", name="Programmes", level=1)).to_be_visible()
    expect(page.get_by_role("link", name="Occupational Therapy preceptorship")).to_be_visible()
    _check_both_widths(page, "programmes")

    page.get_by_role("link", name="Set up a programme").click()
    page.wait_for_load_state()
    _check_both_widths(page, "set-up-form")
    page.get_by_label("Social work").check()
    page.get_by_label("Review meetings every (months)").fill("24")
    page.get_by_role("button", name="Set up the programme").click()
    page.wait_for_load_state()
    summary = page.locator(".nhsuk-error-summary")
    expect(summary).to_contain_text("Enter the programme name", use_inner_text=True)
    assert page.get_by_label("Social work").is_checked()  # nothing typed is lost
    _check_both_widths(page, "set-up-errors")

    page.get_by_label("Programme name").fill("Social work preceptorship (ASYE)")
    page.get_by_label("Review meetings every (months)").fill("3")
    page.get_by_label("Return to practice").check()
    page.get_by_label("Protected time (hours per month)").fill("7.5")
    page.get_by_role("button", name="Set up the programme").click()
    page.wait_for_load_state()
    expect(page.get_by_role("heading", name="Social work preceptorship (ASYE)", level=1)).to_be_visible()
    expect(page.locator("main")).not_to_contain_text("multi-professional", use_inner_text=True)
    _check_both_widths(page, "programme")

    page.get_by_role("link", name="Enrol people").click()
    page.wait_for_load_state()
    _check_both_widths(page, "enrol-form")
    page.get_by_label(re.compile(r"^Rosa Delgado")).check()
    page.get_by_label(re.compile(r"^Tariq Bell")).check()
    _fill_date(page, "start_date", timezone.localdate())
    page.get_by_label("Newly registered").check()
    mentor = User.objects.get(email=demo.email("mentor_sw"))
    page.get_by_label("Mentor", exact=True).select_option(str(mentor.pk))
    manager = User.objects.get(email=demo.email("manager_sw"))
    page.get_by_label("Line manager (optional)", exact=True).select_option(str(manager.pk))
    page.get_by_role("button", name="Enrol").click()
    page.wait_for_load_state()

    expect(page.locator("main")).to_contain_text("Enrolled 2 people: Tariq Bell, Rosa Delgado", use_inner_text=True)
    programme = Programme.objects.get(name="Social work preceptorship (ASYE)")
    assert Enrolment.objects.filter(programme=programme, mentor=mentor).count() == 2
    _check_both_widths(page, "enrolments")

    page.get_by_role("link", name="Rosa Delgado").click()
    page.wait_for_load_state()
    expect(page.locator(".app-timeline")).to_contain_text("Review 1 due", use_inner_text=True)
    _check_both_widths(page, "timeline")

    goto(page, live_server.url + "/programmes/mentors/")
    expect(page.get_by_role("cell", name=re.compile("Sam Whitfield"))).to_be_visible()
    _check_both_widths(page, "mentors")


def test_preceptee_home_is_their_timeline_and_the_certificate_downloads(
    page: Any, demo: Demo, live_server: Any
) -> None:
    sign_in(page, live_server, demo.email("preceptee_ot_done"), demo.password)
    expect(page.get_by_role("heading", name="Your preceptorship")).to_be_visible()
    _check_both_widths(page, "home")
    page.get_by_role("link", name="Occupational Therapy preceptorship").first.click()
    page.wait_for_load_state()
    expect(page.locator("main")).to_contain_text("Progressed to Level 2", use_inner_text=True)
    _check_both_widths(page, "completed-timeline")
    with page.expect_download() as download:
        page.get_by_role("link", name="Download the certificate (PDF)").click()
    assert download.value.suggested_filename.endswith(".pdf")


def _sign_in_as(page: Any, live_server: Any, demo: Demo, key: str) -> None:
    page.context.clear_cookies()
    sign_in(page, live_server, demo.email(key), demo.password)


def test_completion_is_confirmed_recorded_and_evaluated(page: Any, demo: Demo, live_server: Any) -> None:
    enrolment = Enrolment.objects.get(preceptee__email=demo.email("preceptee_ot_late"))
    timeline = live_server.url + enrolment.get_absolute_url()

    # The line manager finds it on their home page, first says "not yet" without a reason.
    _sign_in_as(page, live_server, demo, "manager_ot")
    expect(page.get_by_role("heading", name="Completions to confirm")).to_be_visible()
    panel = page.get_by_role("region", name="Completions to confirm")
    panel.get_by_role("link", name=re.compile("Chloe Adams")).click()
    page.wait_for_load_state()
    _check_both_widths(page, "confirm-form")
    page.get_by_label("Not yet", exact=True).check()
    page.get_by_role("button", name="Continue").click()
    page.wait_for_load_state()
    expect(page.locator(".nhsuk-error-summary")).to_contain_text("Say why the preceptee has not completed yet", use_inner_text=True)
    _check_both_widths(page, "confirm-errors")
    # Completion is four weeks away, so confirming now needs a reason; the check page lists what is outstanding.
    page.get_by_label("Yes, I confirm they have completed it").check()
    page.get_by_label(re.compile("^Why do you confirm completion now")).fill("Every standard is met; the last review is booked.")
    page.get_by_role("button", name="Continue").click()
    page.wait_for_load_state()
    expect(page.get_by_role("heading", name="Check before you confirm completion")).to_be_visible()
    expect(page.locator("[data-check-warning]")).to_contain_text("The completion date is", use_inner_text=True)
    _check_both_widths(page, "confirm-check")
    page.get_by_role("button", name="Confirm completion", exact=True).click()
    page.wait_for_load_state()
    expect(page.locator("main")).to_contain_text("Your answer has been recorded", use_inner_text=True)

    _sign_in_as(page, live_server, demo, "mentor_ot")
    goto(page, timeline)
    page.get_by_role("link", name="Confirm completion, or say why not yet").click()
    page.wait_for_load_state()
    page.get_by_label("Yes, I confirm they have completed it").check()
    page.get_by_label(re.compile("^Why do you confirm completion now")).fill("Agreed with the line manager.")
    page.get_by_role("button", name="Continue").click()
    page.wait_for_load_state()
    expect(page.locator("[data-told]")).to_contain_text("Programme lead", use_inner_text=True)
    page.get_by_role("button", name="Confirm completion", exact=True).click()
    page.wait_for_load_state()

    _sign_in_as(page, live_server, demo, "council_lead")
    goto(page, timeline)
    _check_both_widths(page, "lead-timeline")
    page.get_by_role("link", name="Record the outcome").click()
    page.wait_for_load_state()
    _check_both_widths(page, "outcome-form")
    assert page.get_by_label("Outcome").input_value() == ""
    page.get_by_label("Outcome").fill("Progressed to Level 2")
    _fill_date(page, "pay_step_on", timezone.localdate())
    page.get_by_role("button", name="Continue").click()
    page.wait_for_load_state()
    expect(page.get_by_role("heading", name="Check before you record the outcome")).to_be_visible()
    _check_both_widths(page, "outcome-check")
    page.get_by_role("button", name="Record the outcome and complete").click()
    page.wait_for_load_state()
    expect(page.locator("main")).to_contain_text("The preceptorship is complete", use_inner_text=True)
    enrolment.refresh_from_db()
    assert enrolment.status == Enrolment.Status.COMPLETED

    # The preceptee downloads the certificate and evaluates the programme.
    _sign_in_as(page, live_server, demo, "preceptee_ot_late")
    goto(page, timeline)
    with page.expect_download() as download:
        page.get_by_role("link", name="Download the certificate (PDF)").click()
    assert download.value.suggested_filename.endswith(".pdf")
    page.get_by_role("link", name="Tell us about your preceptorship").click()
    page.wait_for_load_state()
    _check_both_widths(page, "evaluation-form")
    page.get_by_role("button", name="Send my answers").click()
    page.wait_for_load_state()
    expect(page.locator(".nhsuk-error-summary")).to_contain_text("Choose a score from 1 to 5", use_inner_text=True)
    _check_both_widths(page, "evaluation-errors")
    for legend, answer in (("How well supported did you feel?", "4"),
                           ("How confident do you feel in your role now?", "5"),
                           ("Did you get the protected time you needed?", "3"),
                           ("Would you recommend the programme to a colleague?", "Yes")):
        page.get_by_role("group", name=legend).get_by_label(answer, exact=True).check()
    page.get_by_role("button", name="Send my answers").click()
    page.wait_for_load_state()
    expect(page.locator("main")).to_contain_text("Thank you", use_inner_text=True)


def test_lead_changes_a_running_enrolment(page: Any, demo: Demo, live_server: Any) -> None:
    enrolment = Enrolment.objects.get(preceptee__email=demo.email("preceptee_ot_mid"))
    _sign_in_as(page, live_server, demo, "council_lead")
    goto(page, live_server.url + enrolment.get_absolute_url())
    page.get_by_role("link", name="Record a pause (leave or sickness)").click()
    page.wait_for_load_state()
    _check_both_widths(page, "pause-form")
    page.get_by_label("Carer's leave").check()
    _fill_date(page, "start_date", timezone.localdate())
    _fill_date(page, "end_date", timezone.localdate() - datetime.timedelta(days=3))
    page.get_by_role("button", name="Pause the preceptorship").click()
    page.wait_for_load_state()
    expect(page.locator("main")).to_contain_text("The last day must be the same as or after the first day", use_inner_text=True)
    _check_both_widths(page, "pause-errors")
    _fill_date(page, "end_date", timezone.localdate() + datetime.timedelta(days=60))
    page.get_by_role("button", name="Pause the preceptorship").click()
    page.wait_for_load_state()
    expect(page.get_by_role("link", name="Record the return from the pause")).to_be_visible()
    _check_both_widths(page, "paused")
    for link, name in (("Extend", "extend-form"), ("Record a withdrawal", "withdraw-form"),
                       ("Change mentor or line manager", "people-form")):
        page.get_by_role("link", name=link, exact=True).click()
        page.wait_for_load_state()
        _check_both_widths(page, name)
        page.go_back()
    page.get_by_role("link", name="Record the return from the pause").click()
    page.wait_for_load_state()
    page.get_by_role("button", name="Record the return").click()  # today, the pause's first day
    page.wait_for_load_state()
    enrolment.refresh_from_db()
    assert enrolment.status == Enrolment.Status.ACTIVE
