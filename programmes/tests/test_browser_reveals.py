"""In a real browser, on the demo data: questions that depend on an answer show only under it (NHS.UK
conditional reveals) on the completion form and the review form, everything shows without
JavaScript, a missing one is named in the error summary; and a review record saved to finish later
is continued from the caseload, where a caseload above the programme's protection is tagged. Every page passes axe at desktop width and at 320px."""

from __future__ import annotations

import re
from typing import Any

import pytest
from django.urls import reverse
from playwright.sync_api import expect

from preceptorship.tests.browser import check_both, goto, sign_in, url
from programmes.models import Enrolment, ReviewDraft

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True, serialized_rollback=True)]


def click(page: Any, role: str, name: str) -> None:
    page.get_by_role(role, name=name, exact=True).first.click()
    page.wait_for_load_state()


def test_completion_asks_why_not_yet_or_why_now_under_the_answer_chosen(page: Any, demo: Any, live_server: Any):
    enrolment = Enrolment.objects.get(preceptee__email=demo.email("preceptee_ot_late"))
    sign_in(page, live_server, demo.email("manager_ot"), demo.password)
    goto(page, url(live_server, reverse("programmes:completion-confirm", args=[enrolment.pk])))
    why_not = page.get_by_label("Why has the preceptee not completed yet?")
    why_now = page.get_by_label(re.compile("^Why do you confirm completion now"))
    expect(why_not).to_be_hidden()
    expect(why_now).to_be_hidden()
    check_both(page, "reveal-completion")

    page.get_by_label("Not yet", exact=True).check()
    expect(why_not).to_be_visible()
    expect(why_now).to_be_hidden()
    expect(page.get_by_label("Not yet", exact=True)).to_have_attribute("aria-controls", "conditional-id_confirmed_1")
    check_both(page, "reveal-completion-not-yet")

    page.get_by_role("button", name="Continue").click()
    page.wait_for_load_state()
    summary = page.locator(".nhsuk-error-summary")
    expect(summary).to_contain_text("Say why the preceptee has not completed yet", use_inner_text=True)
    expect(why_not).to_be_visible()  # the answer stays chosen and its question open
    check_both(page, "reveal-completion-errors")

    page.get_by_label("Yes, I confirm they have completed it").check()
    expect(why_now).to_be_visible()
    expect(why_not).to_be_hidden()
    page.get_by_role("button", name="Continue").click()
    page.wait_for_load_state()
    expect(summary).to_contain_text("Say why you confirm completion before the work listed is done",
                                    use_inner_text=True)
    expect(summary).not_to_contain_text("not completed yet", use_inner_text=True)


def test_without_javascript_every_question_shows(browser: Any, demo: Any, live_server: Any):
    context = browser.new_context(java_script_enabled=False)
    try:
        page = context.new_page()
        enrolment = Enrolment.objects.get(preceptee__email=demo.email("preceptee_ot_late"))
        sign_in(page, live_server, demo.email("manager_ot"), demo.password)
        goto(page, url(live_server, reverse("programmes:completion-confirm", args=[enrolment.pk])))
        expect(page.get_by_label("Why has the preceptee not completed yet?")).to_be_visible()
        expect(page.get_by_label(re.compile("^Why do you confirm completion now"))).to_be_visible()
    finally:
        context.close()


def test_the_mentor_saves_a_review_to_finish_later_and_continues_it(page: Any, demo: Any, live_server: Any):
    sign_in(page, live_server, demo.email("mentor_ot"), demo.password)
    enrolment = Enrolment.objects.get(preceptee__email=demo.email("preceptee_ot_mid"))
    goto(page, url(live_server, reverse("programmes:review-record", args=[enrolment.pk])))
    others = page.get_by_label("Who else attended?")
    expect(others).to_be_hidden()
    page.get_by_label("Preceptee", exact=True).check()
    page.get_by_label("Someone else", exact=True).check()
    expect(others).to_be_visible()
    check_both(page, "review-form-someone-else")
    page.get_by_label("What was discussed").fill("Half way through: caseload and the OT forum.")
    page.fill("#id_action_1", "Book a day with the hospital discharge team")

    # The record's rules: "Someone else" ticked needs their names.
    click(page, "button", "Save the record")
    expect(page.locator(".nhsuk-error-summary")).to_contain_text("Enter who else attended the meeting",
                                                                 use_inner_text=True)
    expect(others).to_be_visible()

    others.fill("A practice educator")
    click(page, "button", "Save and finish later")
    expect(page.locator(".nhsuk-notification-banner")).to_contain_text("Your draft review record is saved",
                                                                       use_inner_text=True)
    assert ReviewDraft.objects.filter(enrolment=enrolment).exists()
    # Review 1 recorded a caseload above the programme's protection: said on the enrolment page.
    expect(page.locator(".nhsuk-warning-callout", has_text="Caseload above protection")).to_be_visible()
    check_both(page, "enrolment-with-draft")

    click(page, "link", "Caseload")
    row = page.locator("tr", has_text="Jordan Hayes")
    expect(row).to_contain_text("Caseload above protection", use_inner_text=True)
    check_both(page, "caseload-with-draft")
    page.locator("tr", has_text="Jordan Hayes").get_by_role("link", name=re.compile("Review record in progress")).click()
    page.wait_for_load_state()
    assert page.get_by_label("What was discussed").input_value() == "Half way through: caseload and the OT forum."
    assert page.locator("#id_action_1").input_value() == "Book a day with the hospital discharge team"
    expect(others).to_have_value("A practice educator")
    expect(page.get_by_label("Someone else", exact=True)).to_be_checked()
    check_both(page, "review-form-continued")

    click(page, "button", "Discard the draft")
    expect(page.locator(".nhsuk-notification-banner")).to_contain_text("The draft review record is discarded",
                                                                       use_inner_text=True)
    assert not ReviewDraft.objects.filter(enrolment=enrolment).exists()
