"""In a real browser: the practitioner adds evidence linked to a reflection they shared with their
line manager, opens it, and deletes a second example added by mistake; the Head of Service reads
the case and sees that a reflection is linked, never its title. Every new or changed page is
checked (axe, styles, console) at desktop width and at 320 px.
"""

from __future__ import annotations

import datetime
from collections.abc import Iterator
from typing import Any

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from preceptorship.tests.browser import DEMO_PASSWORD, check_both, goto, sign_in, sign_out, url
from programmes.tests.factories import EnrolmentFactory, ProgrammeFactory
from programmes.tests.factories_practice import ReflectionFactory, ReviewFactory
from progression.models import ProgressionCase

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True, serialized_rollback=True)]

SHARED = "Reflecting on a safeguarding home visit"


@pytest.fixture
def people(transactional_db: Any, django_db_serialized_rollback: Any) -> Iterator[dict[str, Any]]:
    """The directory and the progression demo, and a preceptorship record for the case's practitioner."""
    from bench.demo import directory as directory_demo
    from bench.demo import progression as demo

    today = timezone.localdate()
    directory = directory_demo.build(password=DEMO_PASSWORD, today=today)
    demo.build(directory=directory, today=today)
    practitioner = directory.users["practitioner_sw"]
    case = ProgressionCase.objects.get(practitioner=practitioner)
    enrolment = EnrolmentFactory(programme=ProgrammeFactory(organisation=case.organisation,
                                                            name="Social work preceptorship"),
                                 preceptee=practitioner, line_manager=case.line_manager, team=case.team)
    ReflectionFactory(enrolment=enrolment, title=SHARED, shared_with_line_manager=True)
    ReflectionFactory(enrolment=enrolment, title="Private thoughts on my first month")
    ReviewFactory(enrolment=enrolment, number=1, held_on=today - datetime.timedelta(days=30))
    yield directory.users


def _fill_evidence(page: Any, title: str) -> None:
    page.get_by_label("Title").fill(title)
    page.get_by_label("Day", exact=True).fill("3")
    page.get_by_label("Month", exact=True).fill("2")
    page.get_by_label("Year", exact=True).fill("2025")
    page.get_by_label("What happened and what it shows").fill("Assessed risk with the family and the GP.")
    page.locator("input[name=competencies]").first.check()


def test_evidence_linked_to_a_reflection_and_deleted_when_added_by_mistake(
    page: Any, live_server: Any, people: dict[str, Any]
) -> None:
    practitioner = people["practitioner_sw"]
    case = ProgressionCase.objects.get(practitioner=practitioner)

    sign_in(page, live_server, practitioner.email, DEMO_PASSWORD)
    goto(page, url(live_server, case.get_absolute_url()))
    page.get_by_role("link", name="Add evidence").click()
    check_both(page, "evidence-form-with-links")
    link = page.get_by_label("Link to a reflection or review meeting")
    options = link.locator("option").all_inner_texts()
    assert any(SHARED in option for option in options)
    assert not any("Private thoughts" in option for option in options)
    assert any(option.startswith("Review meeting 1, held") for option in options)

    # A made-up value is refused beside the field, and what was typed stays.
    _fill_evidence(page, "Safeguarding home visit")
    page.evaluate("document.querySelector('select[name=link]').add(new Option('Forged', 'reflection:999999'))")
    link.select_option("reflection:999999")
    page.get_by_role("button", name="Add the evidence").click()
    expect(page.locator(".nhsuk-error-summary").get_by_text("Choose a reflection or review meeting")).to_be_visible()
    assert page.get_by_label("Title").input_value() == "Safeguarding home visit"
    check_both(page, "evidence-form-link-refused")

    link.select_option(label=next(option for option in options if SHARED in option))
    page.locator("input[name=competencies]").first.check()
    page.get_by_role("button", name="Add the evidence").click()
    expect(page.get_by_text("The evidence is added.")).to_be_visible()
    expect(page.get_by_role("link", name=SHARED)).to_be_visible()
    check_both(page, "case-with-linked-reflection")

    # A second example, added by mistake, is deleted after a warning.
    page.get_by_role("link", name="Add evidence").click()
    _fill_evidence(page, "Added to the wrong case")
    page.get_by_role("button", name="Add the evidence").click()
    page.get_by_role("link", name="Added to the wrong case").click()
    check_both(page, "evidence-detail")
    page.get_by_role("link", name="Delete this evidence").click()
    expect(page.locator(".nhsuk-warning-callout").get_by_text("This cannot be undone")).to_be_visible()
    check_both(page, "evidence-delete")
    page.get_by_role("button", name="Delete the evidence").click()
    expect(page.get_by_text("“Added to the wrong case” is deleted.")).to_be_visible()
    expect(page.get_by_role("link", name="Added to the wrong case")).to_have_count(0)

    # The linked evidence's own page names the reflection and links to it.
    page.get_by_role("link", name="Safeguarding home visit", exact=True).click()
    page.wait_for_url("**/evidence/*/")
    expect(page.get_by_role("link", name=SHARED)).to_be_visible()
    check_both(page, "evidence-detail-linked")

    # The Head of Service sees that a reflection is linked, and when, but not its title.
    sign_out(page)
    sign_in(page, live_server, people["head_of_service"].email, DEMO_PASSWORD)
    goto(page, url(live_server, case.get_absolute_url()))
    expect(page.get_by_text("Linked reflection").first).to_be_visible()
    expect(page.get_by_text(SHARED)).to_have_count(0)
    page.get_by_role("link", name="Safeguarding home visit", exact=True).click()
    page.wait_for_url("**/evidence/*/")
    expect(page.get_by_text(SHARED)).to_have_count(0)
    expect(page.get_by_role("link", name="Delete this evidence")).to_have_count(0)
    check_both(page, "evidence-detail-for-head-of-service")
