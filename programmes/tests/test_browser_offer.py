"""Offering preceptorship to all in a real browser: the council's programme lead follows the
dashboard's count to the list, sees why the newly registered occupational therapist is on it and
enrols her in one step; the trust's programme lead records that the physiotherapist recruited from
abroad declined (after a mistake), sees it on the person's record and undoes it. Every page is
checked (styled, no browser errors, axe-clean) at desktop width and again at 320px."""

from __future__ import annotations

from typing import Any

import pytest
from django.urls import reverse
from playwright.sync_api import expect

from preceptorship.models import User
from preceptorship.tests.browser import Demo, goto, sign_in
from programmes.models import Enrolment, OfferDecline
from programmes.tests.test_browser_lead import _check_both_widths

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True, serialized_rollback=True)]


def _table(page: Any) -> Any:
    return page.locator("main table")


def test_lead_enrols_from_the_list_in_one_step(page: Any, demo: Demo, live_server: Any) -> None:
    sign_in(page, live_server, demo.email("council_lead"), demo.password)
    goto(page, live_server.url + reverse("programmes:dashboard"))
    waiting = page.locator("[data-offer-waiting] a")
    expect(waiting).to_contain_text("waiting to be offered preceptorship")
    waiting.click()
    page.wait_for_load_state()
    expect(page.get_by_role("heading", name="Offer preceptorship", level=1)).to_be_visible()
    row = _table(page).locator("tr", has_text="Nia Pemberton")
    expect(row).to_contain_text("Newly registered")
    expect(row).to_contain_text("Staff record: first registered")
    _check_both_widths(page, "offer-list")

    row.get_by_role("link", name="Enrol").click()
    page.wait_for_load_state()
    expect(page.get_by_role("heading", name="Enrol Nia Pemberton", level=1)).to_be_visible()
    expect(page.get_by_label("Newly registered")).to_be_checked()
    manager = User.objects.get(email=demo.email("manager_ot"))
    expect(page.get_by_label("Line manager (optional)", exact=True)).to_have_value(str(manager.pk))
    _check_both_widths(page, "offer-enrol")
    page.get_by_role("button", name="Enrol Nia Pemberton").click()  # no mentor chosen yet
    page.wait_for_load_state()
    expect(page.locator(".nhsuk-error-summary")).to_contain_text("Choose a mentor")
    _check_both_widths(page, "offer-enrol-error")
    page.get_by_label("Mentor", exact=True).select_option(index=1)
    page.get_by_role("button", name="Enrol Nia Pemberton").click()
    page.wait_for_load_state()
    if page.get_by_label("Go ahead anyway", exact=False).count():
        page.get_by_label("Go ahead anyway", exact=False).check()
        page.get_by_role("button", name="Enrol Nia Pemberton").click()
        page.wait_for_load_state()
    expect(page.locator("main")).to_contain_text("Enrolled Nia Pemberton")
    assert Enrolment.objects.filter(preceptee__email=demo.email("offer_ot_newly")).exists()
    goto(page, live_server.url + reverse("programmes:offer-list"))
    expect(page.locator("main")).not_to_contain_text("Nia Pemberton")


def test_lead_records_a_decline_and_undoes_it(page: Any, demo: Demo, live_server: Any) -> None:
    sign_in(page, live_server, demo.email("trust_lead"), demo.password)
    goto(page, live_server.url + reverse("programmes:offer-list"))
    row = _table(page).locator("tr", has_text="Tomasz Quillfeather")
    expect(row).to_contain_text("Internationally recruited")
    expect(row).to_contain_text("Marked by Tom Hargreaves")
    row.get_by_role("link", name="Declined").click()
    page.wait_for_load_state()
    page.get_by_role("button", name="Record the decline").click()  # no reason yet
    page.wait_for_load_state()
    expect(page.locator(".nhsuk-error-summary")).to_contain_text("Say why they declined")
    _check_both_widths(page, "offer-decline-error")
    page.get_by_label("Why did they decline?").fill("Already has a preceptorship agreed with their previous employer")
    page.get_by_role("button", name="Record the decline").click()
    page.wait_for_load_state()
    expect(page.locator("main")).to_contain_text("Already has a preceptorship agreed")
    _check_both_widths(page, "offer-person-declined")
    assert OfferDecline.objects.filter(person__email=demo.email("offer_physio_international"),
                                       undone_at__isnull=True).exists()
    page.get_by_role("button", name="Undo the decline").click()
    page.wait_for_load_state()
    expect(page.locator("main")).to_contain_text("is listed again")
    goto(page, live_server.url + reverse("programmes:offer-list"))
    expect(_table(page)).to_contain_text("Tomasz Quillfeather")
