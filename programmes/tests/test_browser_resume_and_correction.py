"""In a real browser, on the demo data: the programme lead records a paused preceptee's return on
the date they came back (a future date is refused beside the field); the mentor corrects a review
record's goal progress and actions. Each form passes check_page (axe) at desktop width and 320px."""

from __future__ import annotations

import datetime
from typing import Any

import pytest
from django.urls import reverse
from playwright.sync_api import expect

from preceptorship.tests.browser import check_both, goto, sign_in, url
from programmes import services
from programmes.models import Enrolment, GoalUpdate, ReviewMeeting
from programmes.services import ActionItem

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True, serialized_rollback=True)]


def fill_date(page: Any, name: str, day: datetime.date) -> None:
    for n, value in enumerate((day.day, day.month, day.year)):
        page.fill(f"#id_{name}_{n}", str(value))


def press(page: Any, name: str) -> None:
    page.get_by_role("button", name=name, exact=True).click()
    page.wait_for_load_state()


def test_the_lead_records_the_return_from_a_pause(page: Any, demo: Any, live_server: Any, today: datetime.date):
    enrolment = Enrolment.objects.get(preceptee__email=demo.email("preceptee_ot_paused"))
    sign_in(page, live_server, demo.email("council_lead"), demo.password)
    goto(page, url(live_server, enrolment.get_absolute_url()))
    page.get_by_role("link", name="Record the return from the pause").click()
    page.wait_for_load_state()
    assert page.locator("#id_on_0").input_value() == str(today.day)
    check_both(page, "resume-form")

    fill_date(page, "on", today + datetime.timedelta(days=2))
    press(page, "Record the return")
    expect(page.locator(".nhsuk-error-summary")).to_contain_text("cannot be in the future", use_inner_text=True)
    check_both(page, "resume-form-error")

    back = today - datetime.timedelta(days=3)
    fill_date(page, "on", back)
    press(page, "Record the return")
    expect(page.locator(".nhsuk-notification-banner")).to_contain_text("The preceptorship has resumed", use_inner_text=True)
    enrolment.refresh_from_db()
    assert enrolment.status == Enrolment.Status.ACTIVE
    assert enrolment.pauses.get().end_date == back - datetime.timedelta(days=1)


def test_the_mentor_corrects_goal_progress_and_actions(page: Any, demo: Any, live_server: Any, today: datetime.date):
    enrolment = Enrolment.objects.get(preceptee__email=demo.email("preceptee_ot_mid"))
    goal = enrolment.goals.exclude(status__in=["achieved", "dropped"]).first()
    assert goal is not None, "the demo's month-8 preceptee has an open goal"
    review = services.review_record(
        actor=enrolment.mentor, enrolment=enrolment, held_on=today - datetime.timedelta(days=1),
        discussion="Caseload and the OT forum.", wellbeing=4, confidence=3, goal_progress={goal.pk: "Two done."},
        actions=[ActionItem("Book a seating clinic", "preceptee")],
    )
    sign_in(page, live_server, demo.email("mentor_ot"), demo.password)
    goto(page, url(live_server, reverse("programmes:review-correct", args=[review.pk])))
    assert page.locator(f"#id_goal_{goal.pk}").input_value() == "Two done."
    assert page.locator("#id_action_1").input_value() == "Book a seating clinic"
    check_both(page, "review-correct-form")

    page.fill(f"#id_goal_{goal.pk}", "All three done.")
    page.fill("#id_action_2", "Shadow the hospital discharge team")
    press(page, "Save the correction")
    expect(page.locator(".nhsuk-error-summary")).to_contain_text("Choose who will do action 2", use_inner_text=True)
    assert page.locator(f"#id_goal_{goal.pk}").input_value() == "All three done."
    check_both(page, "review-correct-form-error")

    page.get_by_label("Who will do action 2").select_option("mentor")
    press(page, "Save the correction")
    expect(page.locator(".nhsuk-notification-banner")).to_contain_text("The record is corrected.", use_inner_text=True)
    assert "Shadow the hospital discharge team" in page.content() and "All three done." in page.content()
    assert GoalUpdate.objects.get(review=review).note == "All three done."
    assert ReviewMeeting.objects.get(pk=review.pk).actions.count() == 2
