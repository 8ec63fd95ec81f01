"""In a real browser: a programme lead edits a draft framework item by item (adds a section and a
competency, is told beside the field what is wrong, moves the section up, removes a competency) and
publishes it. Every new or changed page is checked (axe, styles, console) at desktop width and 320 px.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from preceptorship.tests.browser import DEMO_PASSWORD, check_both, goto, sign_in, url
from progression.models import Competency, Framework, Section
from progression.tests.factories import small_framework

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True, serialized_rollback=True)]


@pytest.fixture
def lead_and_draft(transactional_db: Any, django_db_serialized_rollback: Any) -> Iterator[tuple[Any, Framework]]:
    from bench.demo import directory as directory_demo

    directory = directory_demo.build(password=DEMO_PASSWORD, today=timezone.localdate())
    draft = small_framework(owner=directory.organisations["council"], status=Framework.Status.DRAFT)
    draft.name = "Support worker skills passport"
    draft.save(update_fields=["name"])
    yield directory.users["council_lead"], draft


def test_lead_edits_a_draft_framework_item_by_item(page: Any, live_server: Any,
                                                    lead_and_draft: tuple[Any, Framework]) -> None:
    lead, draft = lead_and_draft
    sign_in(page, live_server, lead.email, DEMO_PASSWORD)
    goto(page, url(live_server, draft.get_absolute_url()))
    check_both(page, "draft-framework")

    page.get_by_role("link", name="Add a section").click()
    page.get_by_role("button", name="Save the section").click()
    expect(page.locator(".nhsuk-error-summary")).to_be_visible()
    check_both(page, "section-form-error")
    page.get_by_label("Section title").fill("Band 3 skills")
    page.get_by_label("Required for sign-off").check()
    page.get_by_role("button", name="Save the section").click()
    expect(page.get_by_text("The draft is saved.")).to_be_visible()
    section = Section.objects.get(framework=draft, title="Band 3 skills")
    assert section.required_for_sign_off

    page.get_by_role("link", name="Add a competency to Band 3 skills").click()
    check_both(page, "competency-form")
    page.get_by_label("Code").fill("K1")
    page.get_by_label("Statement").fill("Supports people to take their medicines safely.")
    page.get_by_role("button", name="Save the competency").click()
    expect(page.locator(".nhsuk-error-message").get_by_text("already used in this framework")).to_be_visible()
    assert page.get_by_label("Statement").input_value() == "Supports people to take their medicines safely."
    page.get_by_label("Code").fill("B3-1")
    page.get_by_role("button", name="Save the competency").click()
    assert Competency.objects.filter(section=section, code="B3-1").exists()

    page.get_by_role("button", name="Move up Band 3 skills").click()
    titles = list(Section.objects.filter(framework=draft).order_by("order").values_list("title", flat=True))
    assert titles == ["Entry", "Band 3 skills", "Key"]
    check_both(page, "draft-framework-edited")

    page.get_by_role("link", name="Remove E2").click()
    expect(page.locator(".nhsuk-warning-callout").get_by_text("This cannot be undone")).to_be_visible()
    check_both(page, "remove-competency")
    page.get_by_role("button", name="Remove the competency").click()
    expect(page.get_by_text("The competency E2 is removed.")).to_be_visible()

    page.get_by_role("button", name="Publish").click()
    expect(page.get_by_role("heading", name="Check before you publish the framework")).to_be_visible()
    check_both(page, "check-publish")
    page.get_by_role("button", name=f"Publish version {draft.version}").click()
    expect(page.get_by_text("The framework is published.")).to_be_visible()
    expect(page.get_by_role("link", name="Add a section")).to_have_count(0)
    expect(page.get_by_role("button", name="Move up Band 3 skills")).to_have_count(0)
