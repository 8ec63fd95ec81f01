"""The weekly journey in a real browser, on the demo data: a mentor finds an overdue review on
their caseload and records the meeting; the preceptee reads and acknowledges it. A preceptee
writes a Gibbs reflection and shares it; the mentor leaves feedback; the preceptee sets a goal and
records progress. Every page passes check_page (axe) at desktop width and at 320px."""

from __future__ import annotations

import re
from typing import Any

import pytest
from django.urls import reverse
from django.utils import timezone
from playwright.sync_api import expect

from preceptorship.tests.browser import check_both, goto, sign_in, sign_out, url
from programmes.models import Enrolment, Goal, Reflection, ReviewMeeting

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True, serialized_rollback=True)]

PRECEPTEE = "preceptee_ot_mid"  # month 8, review 2 overdue
PRECEPTEE_NAME = "Jordan Hayes"


def click(page: Any, role: str, name: str) -> None:
    page.get_by_role(role, name=name, exact=True).first.click()
    page.wait_for_load_state()


def test_mentor_records_an_overdue_review_and_the_preceptee_acknowledges_it(page: Any, demo: Any, live_server: Any):
    sign_in(page, live_server, demo.email("mentor_ot"), demo.password)
    expect(page.locator(".nhsuk-card", has_text="Your caseload")).to_contain_text("review", use_inner_text=True)
    check_both(page, "mentor-home")

    click(page, "link", "Caseload")
    row = page.locator("tr", has_text=PRECEPTEE_NAME)
    expect(row).to_contain_text("Overdue", use_inner_text=True)
    # Overdue first: the first row of the caseload is an overdue review.
    expect(page.locator("tbody tr").first).to_contain_text("Overdue", use_inner_text=True)
    check_both(page, "caseload")

    row.get_by_role("link", name=PRECEPTEE_NAME).click()
    page.wait_for_load_state()
    expect(page.locator(".nhsuk-summary-list")).to_contain_text("Overdue", use_inner_text=True)
    check_both(page, "review-list")

    click(page, "link", "Record a review meeting")
    expect(page.locator("h1")).to_have_text(re.compile(r"Record review meeting 2\s*$"), use_inner_text=True)
    # The next meeting is planned from today; nobody is ticked as present until the mentor says so.
    assert page.locator("#id_next_meeting_on_2").input_value()
    expect(page.locator("input[name=attended]:checked")).to_have_count(0)
    check_both(page, "record-form")
    page.get_by_label("Preceptee", exact=True).check()
    page.get_by_label("Mentor", exact=True).check()

    # First without scores: the error summary, and what was typed is kept.
    page.get_by_label("What was discussed").fill("Caseload, a complex discharge and the OT forum.")
    click(page, "button", "Save the record")
    summary = page.locator(".nhsuk-error-summary")
    expect(summary).to_contain_text("Choose a wellbeing score from 1 to 5", use_inner_text=True)
    assert page.get_by_label("What was discussed").input_value() == "Caseload, a complex discharge and the OT forum."
    check_both(page, "record-form-errors")

    page.check("#id_wellbeing_3")  # 4
    page.check("#id_confidence_2")  # 3
    page.check("#id_protected_time_received_1")  # partly
    page.locator("textarea[name^=goal_]").first.fill("Two assessments done on my own.")
    page.fill("#id_action_1", "Book a day with the hospital discharge team")
    page.get_by_label("Who will do action 1").select_option("preceptee")
    click(page, "button", "Save the record")
    expect(page.locator(".nhsuk-notification-banner")).to_contain_text("The review meeting is recorded", use_inner_text=True)
    assert "Book a day with the hospital discharge team" in page.content()
    check_both(page, "review-recorded")
    sign_out(page)

    sign_in(page, live_server, demo.email(PRECEPTEE), demo.password)
    panel = page.locator(".nhsuk-card", has_text="Review records to acknowledge")
    panel.get_by_role("link", name="Review meeting 2").click()
    page.wait_for_load_state()
    assert "Please read and acknowledge this record" in page.content()
    check_both(page, "preceptee-reads-review")
    page.get_by_label("Your comment").fill("Thank you. I would like the discharge day before March.")
    click(page, "button", "Acknowledge the record")
    expect(page.locator(".nhsuk-notification-banner")).to_contain_text("You have acknowledged the record", use_inner_text=True)
    check_both(page, "review-acknowledged")

    review = ReviewMeeting.objects.get(enrolment__preceptee__email=demo.email(PRECEPTEE), number=2)
    assert (review.wellbeing, review.confidence, review.protected_time_received) == (4, 3, "partly")
    assert review.acknowledged_at is not None
    assert review.preceptee_comment == "Thank you. I would like the discharge day before March."


def test_a_gibbs_reflection_is_shared_and_answered_and_a_goal_progresses(page: Any, demo: Any, live_server: Any):
    sign_in(page, live_server, demo.email(PRECEPTEE), demo.password)
    click(page, "link", "My preceptorship")
    check_both(page, "my-preceptorship")

    click(page, "link", "Reflections")
    check_both(page, "reflections")
    click(page, "link", "Write a reflection")
    page.get_by_label("Gibbs' reflective cycle").check()
    check_both(page, "choose-model")
    click(page, "button", "Continue")
    page.get_by_label("Title").fill("Telling a family the equipment would take six weeks")
    page.get_by_role("textbox", name="Description").fill("I phoned a family to say the hoist would be late.")
    # Leaving the page (or a sign-in session that expires) loses nothing typed.
    form_url = page.url
    page.goto(live_server.url + "/")
    page.goto(form_url)
    assert page.get_by_role("textbox", name="Description").input_value() == (
        "I phoned a family to say the hoist would be late."
    )
    expect(page.locator("[role=status]")).to_contain_text("What you typed earlier has been put back.", use_inner_text=True)
    page.get_by_role("textbox", name="Feelings").fill("Worried they would be angry.")
    page.get_by_role("textbox", name="Evaluation").fill("They were upset but the call was honest and clear.")
    page.get_by_role("textbox", name="Analysis").fill("Giving a date and an interim plan helped.")
    page.get_by_role("textbox", name="Conclusion").fill("I could have offered a visit sooner.")
    page.get_by_role("textbox", name="Action plan").fill("Offer an interim visit whenever equipment is delayed.")
    check_both(page, "gibbs-form")
    click(page, "button", "Save and finish")
    expect(page.locator(".nhsuk-notification-banner")).to_contain_text("Your reflection is saved.", use_inner_text=True)
    page.get_by_label("Share with my mentor").check()
    click(page, "button", "Save who can read it")
    expect(page.locator(".nhsuk-notification-banner")).to_contain_text("Your reflection is shared.", use_inner_text=True)
    check_both(page, "reflection-shared")
    sign_out(page)

    sign_in(page, live_server, demo.email("mentor_ot"), demo.password)
    panel = page.locator(".nhsuk-card", has_text="Shared reflections awaiting your feedback")
    panel.get_by_role("link", name="Telling a family the equipment would take six weeks").click()
    page.wait_for_load_state()
    check_both(page, "mentor-reads-reflection")
    page.get_by_label("Your feedback").fill("Honest and kind. Let's look at interim plans in supervision.")
    click(page, "button", "Send feedback")
    expect(page.locator(".nhsuk-notification-banner")).to_contain_text("Your feedback is sent", use_inner_text=True)
    check_both(page, "feedback-sent")
    sign_out(page)

    sign_in(page, live_server, demo.email(PRECEPTEE), demo.password)
    click(page, "link", "My preceptorship")
    click(page, "link", "Reflections")
    click(page, "link", "Telling a family the equipment would take six weeks")
    assert "Let's look at interim plans in supervision." in page.content()

    click(page, "link", "My preceptorship")
    click(page, "link", "Goals")
    check_both(page, "goals")
    click(page, "link", "Set a goal")
    target = timezone.localdate() + timezone.timedelta(days=90)
    page.get_by_label("Specific: what do you want to achieve?").fill("Offer interim visits when equipment is late")
    page.get_by_label("Measurable: how will you know you have achieved it?").fill("Three families offered a visit")
    page.get_by_label("Achievable: what will help you achieve it?").fill("A template agreed with my mentor")
    page.get_by_label("Relevant: why does it matter to your practice?").fill("Delays are common in winter")
    page.fill("#id_target_date_0", str(target.day))
    page.fill("#id_target_date_1", str(target.month))
    page.fill("#id_target_date_2", str(target.year))
    check_both(page, "goal-form")
    click(page, "button", "Save the goal")
    expect(page.locator(".nhsuk-notification-banner")).to_contain_text("The goal is set.", use_inner_text=True)
    page.get_by_label("Progress", exact=True).fill("First family offered a visit; they accepted.")
    click(page, "button", "Add progress")
    expect(page.locator(".nhsuk-notification-banner")).to_contain_text("Your progress is recorded.", use_inner_text=True)
    check_both(page, "goal-progress")

    reflection = Reflection.objects.get(title="Telling a family the equipment would take six weeks")
    assert reflection.shared_with_mentor and reflection.feedback.count() == 1
    goal = Goal.objects.get(what="Offer interim visits when equipment is late")
    assert goal.status == Goal.Status.IN_PROGRESS and goal.updates.count() == 1


def test_needs_assessment_protected_time_team_and_meetings_not_held(page: Any, demo: Any, live_server: Any):
    new = Enrolment.objects.get(preceptee__email=demo.email("preceptee_ot_new"))
    late = Enrolment.objects.get(preceptee__email=demo.email("preceptee_ot_late"))

    sign_in(page, live_server, demo.email("preceptee_ot_new"), demo.password)
    click(page, "link", "My preceptorship")
    click(page, "link", "Needs assessment")
    check_both(page, "needs-assessment-draft")
    click(page, "link", "Change your needs assessment")
    page.get_by_label("Your learning needs").fill("Writing concise reports; complex seating.")
    check_both(page, "needs-assessment-form")
    click(page, "button", "Save and share with my mentor and line manager")
    expect(page.locator(".nhsuk-notification-banner")).to_contain_text("shared with your mentor and line manager", use_inner_text=True)
    check_both(page, "needs-assessment-shared")

    click(page, "link", "My preceptorship")
    click(page, "link", "Protected time")
    check_both(page, "protected-time")
    click(page, "link", "Log protected time")
    page.get_by_label("Hours").fill("1.5")
    page.get_by_label("Study").check()
    page.get_by_label("What you did").fill("E-learning on moving and handling")
    check_both(page, "protected-time-form")
    click(page, "button", "Log the time")
    expect(page.locator(".nhsuk-card__heading")).to_contain_text("1.5 hours so far", use_inner_text=True)
    check_both(page, "protected-time-logged")
    # A slip is corrected, and an entry logged twice is deleted after an "are you sure".
    page.locator("tr", has_text="E-learning on moving and handling").get_by_role("link", name="Correct").click()
    page.wait_for_load_state()
    check_both(page, "protected-time-correct")
    page.get_by_label("Hours").fill("1:45")
    click(page, "button", "Save the correction")
    expect(page.locator(".nhsuk-card__heading")).to_contain_text("1.8 hours so far", use_inner_text=True)
    page.locator("tr", has_text="E-learning on moving and handling").get_by_role("link", name="Delete").click()
    page.wait_for_load_state()
    check_both(page, "protected-time-delete")
    click(page, "button", "Delete the entry")
    expect(page.locator(".nhsuk-notification-banner")).to_contain_text("The entry is deleted", use_inner_text=True)
    assert "E-learning on moving and handling" not in page.content()
    sign_out(page)

    sign_in(page, live_server, demo.email("manager_ot"), demo.password)
    click(page, "link", "Team")
    expect(page.locator("table")).to_contain_text("Ellie Turner", use_inner_text=True)
    check_both(page, "team")
    goto(page, url(live_server, reverse("programmes:needs-assessment", args=[new.pk])))
    assert "Writing concise reports; complex seating." in page.content()
    check_both(page, "manager-reads-needs-assessment")
    sign_out(page)

    sign_in(page, live_server, demo.email("mentor_ot"), demo.password)
    goto(page, url(live_server, reverse("programmes:review-list", args=[new.pk])))
    click(page, "link", "The meeting did not take place")
    check_both(page, "not-held-form")
    page.get_by_label("It was cancelled").check()
    page.get_by_label("Why did the meeting not take place?").fill("Ellie was on a course that day.")
    due = timezone.localdate() + timezone.timedelta(days=14)
    page.fill("#id_new_date_0", str(due.day))
    page.fill("#id_new_date_1", str(due.month))
    page.fill("#id_new_date_2", str(due.year))
    click(page, "button", "Save")
    expect(page.locator("table")).to_contain_text("Review 1 (cancelled)", use_inner_text=True)
    check_both(page, "not-held-saved")

    # A record older than seven days is locked: corrections are added as an addendum.
    goto(page, url(live_server, reverse("programmes:review-list", args=[late.pk])))
    click(page, "link", "Review 5")
    check_both(page, "locked-review")
    page.get_by_label("Addendum").fill("The case presentation is booked for the January forum.")
    click(page, "button", "Add the addendum")
    assert "The case presentation is booked for the January forum." in page.content()
    check_both(page, "addendum-added")
