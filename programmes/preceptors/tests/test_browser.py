"""The preceptor register in a real browser. The council's programme lead reads the register
(a trained mentor, one with an agreed exception, one flagged), records training for the flagged
mentor after a clear error, sets the allowance and reads the preceptors' aggregates. A mentor
reads their own record, logs time given, records their own wellbeing after a review meeting
from the review's page and answers the evaluation. Every page passes axe at desktop width and at
320 px (check_both)."""

from __future__ import annotations

from typing import Any

import pytest
from playwright.sync_api import expect

from preceptorship.tests.browser import check_both, goto, sign_in, sign_out, url
from programmes.models import ReviewMeeting

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True, serialized_rollback=True)]


def test_the_lead_keeps_the_register(page: Any, demo: Any, live_server: Any) -> None:
    sign_in(page, live_server, demo.email("council_lead"), demo.password)
    goto(page, url(live_server, "/programmes/preceptors/register/"))
    expect(page.get_by_role("heading", name="Preceptor register", level=1)).to_be_visible()
    laura = page.get_by_role("row").filter(has_text="Laura Bennett")
    expect(laura.get_by_text("Flagged")).to_be_visible()
    expect(page.get_by_role("row").filter(has_text="Sam Whitfield").get_by_text("Exception agreed").first).to_be_visible()
    expect(page.get_by_role("row").filter(has_text="Maya Okafor").get_by_text("Meets the standards")).to_be_visible()
    check_both(page, "preceptor-register")

    laura.get_by_role("link", name="Change the training of Laura Bennett").click()
    page.wait_for_load_state()
    page.get_by_label("Course name").fill("Preceptor preparation")
    page.get_by_role("button", name="Save training").click()
    page.wait_for_load_state()
    expect(page.locator(".nhsuk-error-summary")).to_contain_text("Enter the date the training was completed")
    expect(page.get_by_label("Course name")).to_have_value("Preceptor preparation")
    check_both(page, "preceptor-training-error")
    page.locator("#id_training_completed_on_0").fill("3")
    page.locator("#id_training_completed_on_1").fill("2")
    page.locator("#id_training_completed_on_2").fill("2025")
    page.get_by_role("button", name="Save training").click()
    page.wait_for_load_state()
    expect(page.get_by_role("row").filter(has_text="Laura Bennett").get_by_text("Meets the standards")).to_be_visible()

    page.get_by_role("row").filter(has_text="Laura Bennett").get_by_role("link").first.click()
    page.wait_for_load_state()
    check_both(page, "preceptor-entry")
    page.get_by_role("group", name="Is an exception to the 12 months' registration rule agreed?").get_by_label(
        "Yes").check()
    expect(page.get_by_label("Who agreed it")).to_be_visible()
    page.get_by_role("button", name="Save the entry").click()
    page.wait_for_load_state()
    expect(page.locator(".nhsuk-error-summary")).to_contain_text("Enter who agreed the exception")
    check_both(page, "preceptor-entry-error")

    goto(page, url(live_server, "/programmes/preceptors/register/"))
    page.get_by_role("link", name="Change the allowance").first.click()
    page.wait_for_load_state()
    check_both(page, "preceptor-allowance")
    goto(page, url(live_server, "/programmes/preceptors/feedback/"))
    expect(page.get_by_text("fewer than 5").first).to_be_visible()
    check_both(page, "preceptor-feedback")


def test_a_mentor_keeps_their_own_record(page: Any, demo: Any, live_server: Any) -> None:
    sign_in(page, live_server, demo.email("mentor_ot"), demo.password)
    goto(page, url(live_server, "/"))
    expect(page.get_by_text("Answer this year's preceptor evaluation")).to_be_visible()
    check_both(page, "preceptor-home-panel")
    page.get_by_role("link", name="Go to your preceptor record").click()
    page.wait_for_load_state()
    expect(page.get_by_role("heading", name="Your preceptor record", level=1)).to_be_visible()
    check_both(page, "preceptor-mine")

    page.get_by_role("link", name="Log time given to your preceptees").click()
    page.wait_for_load_state()
    check_both(page, "preceptor-time")
    page.get_by_role("radio").first.check()
    page.get_by_label("Hours").fill("lots")
    page.get_by_role("button", name="Log the time").click()
    page.wait_for_load_state()
    expect(page.locator(".nhsuk-error-summary")).to_contain_text("Enter the hours")
    check_both(page, "preceptor-time-error")

    review = ReviewMeeting.objects.filter(enrolment__mentor__email=demo.email("mentor_ot"),
                                          status=ReviewMeeting.Status.HELD).order_by("-held_on").first()
    goto(page, url(live_server, review.get_absolute_url()))
    page.get_by_role("link", name="Record how you are feeling yourself after this meeting").click()
    page.wait_for_load_state()
    check_both(page, "preceptor-wellbeing")
    page.get_by_label("4", exact=True).check()
    page.get_by_role("button", name="Save").click()
    page.wait_for_load_state()
    expect(page.get_by_text("Only you see this")).to_be_visible()

    goto(page, url(live_server, "/programmes/preceptors/mine/"))
    page.get_by_role("link", name="Answer the evaluation").first.click()
    page.wait_for_load_state()
    page.get_by_role("button", name="Send your answers").click()
    page.wait_for_load_state()
    expect(page.locator(".nhsuk-error-summary")).to_be_visible()
    check_both(page, "preceptor-evaluation-error")
    sign_out(page)
