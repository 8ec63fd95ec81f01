"""In a real browser on the demo data: the month-1 preceptee's enrolment page asks for the needs
assessment (on their home too), the mentor recording review 1 is pointed to it and confirming
a completion sees what the answer rests on, and the programme lead's timeline of the
month-17 preceptee names goals achieved without their words, and that preceptee's review meetings
page draws the wellbeing and confidence trend; each page passes check_page (axe) at desktop width
and 320px."""

from __future__ import annotations

from typing import Any

import pytest
from django.urls import reverse
from playwright.sync_api import expect

from preceptorship.tests.browser import check_both, goto, sign_in, sign_out, url
from programmes.models import Enrolment

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True, serialized_rollback=True)]


def _enrolment(demo: Any, key: str) -> Enrolment:
    return Enrolment.objects.get(preceptee__email=demo.email(key))


def test_needs_assessment_asked_for_and_goal_words_kept_from_the_lead(page: Any, demo: Any, live_server: Any):
    new = _enrolment(demo, "preceptee_ot_new")
    sign_in(page, live_server, demo.email("preceptee_ot_new"), demo.password)
    expect(page.locator("main")).to_contain_text("Fill in your needs assessment", use_inner_text=True)  # their home
    check_both(page, "home-needs-assessment")
    page.set_viewport_size({"width": 1280, "height": 900})
    goto(page, url(live_server, new.get_absolute_url()))
    expect(page.locator("main")).to_contain_text("Fill in your needs assessment", use_inner_text=True)
    check_both(page, "timeline-needs-assessment")
    sign_out(page)

    page.set_viewport_size({"width": 1280, "height": 900})
    sign_in(page, live_server, demo.email("mentor_ot"), demo.password)
    goto(page, url(live_server, reverse("programmes:review-record", args=[new.pk])))
    link = page.get_by_role("link", name="needs assessment", exact=False)
    expect(link).to_have_count(1)
    assert link.get_attribute("href") == reverse("programmes:needs-assessment", args=[new.pk])
    check_both(page, "review-1-needs-link")
    page.set_viewport_size({"width": 1280, "height": 900})
    goto(page, url(live_server, reverse("programmes:completion-confirm", args=[_enrolment(demo, "preceptee_ot_late").pk])))
    expect(page.locator("main")).to_contain_text("Reviews held", use_inner_text=True)  # what the answer rests on
    check_both(page, "completion-confirm-summary")
    sign_out(page)

    late = _enrolment(demo, "preceptee_ot_late")
    page.set_viewport_size({"width": 1280, "height": 900})
    sign_in(page, live_server, demo.email("council_lead"), demo.password)
    goto(page, url(live_server, late.get_absolute_url()))
    timeline = page.locator(".app-timeline").inner_text()
    assert "Goal achieved" in timeline and "moving and handling" not in timeline
    check_both(page, "lead-timeline")

    page.set_viewport_size({"width": 1280, "height": 900})
    goto(page, url(live_server, reverse("programmes:review-list", args=[late.pk])))
    expect(page.locator("figure.app-chart svg[role=img]")).to_have_count(1)  # five meetings: the scores' trend
    check_both(page, "review-trend")
