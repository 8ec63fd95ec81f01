"""A data protection officer answers a subject access request in a real browser: finds the person,
asks for the export, sees it ready, and sees why erasure is refused while a case is open. Each page
is styled, free of browser errors and axe-clean, at desktop width and on a 320px screen."""

from __future__ import annotations

from typing import Any

import pytest
from playwright.sync_api import expect

from preceptorship.models import Membership, Organisation, User
from preceptorship.tests.browser import Demo, check_both, goto, sign_in
from programmes.privacy.models import SubjectAccessExport

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True, serialized_rollback=True)]


def test_a_dpo_asks_for_a_subject_access_export(page: Any, demo: Demo, live_server: Any) -> None:
    officer = User.objects.get(email=demo.email("hr"))
    council = Organisation.objects.get(name__startswith="Dalesford County Council")
    Membership.objects.create(user=officer, organisation=council, role=Membership.Role.DATA_PROTECTION)
    rosa = User.objects.get(email=demo.email("practitioner_sw"))

    sign_in(page, live_server, officer.email, demo.password)
    page.get_by_role("link", name="Data protection").first.click()
    page.wait_for_load_state()
    expect(page.get_by_role("heading", level=1)).to_have_text("Data protection requests")
    check_both(page, "privacy-index")

    page.get_by_label("Name or e-mail address").fill("delgado")
    page.get_by_label("Name or e-mail address").press("Enter")
    page.wait_for_load_state()
    check_both(page, "privacy-search")
    page.get_by_role("link", name="Rosa Delgado").click()
    page.wait_for_load_state()
    check_both(page, "privacy-person")

    page.get_by_role("button", name="Prepare a subject access export").click()
    page.wait_for_load_state()
    expect(page.get_by_role("heading", name="Ready to download")).to_be_visible()
    check_both(page, "privacy-export")
    export = SubjectAccessExport.objects.get(person=rosa)
    assert export.status == SubjectAccessExport.Status.READY and export.requested_by_id == officer.pk

    waiting = SubjectAccessExport.objects.create(person=rosa, organisation=council, requested_by=officer)
    goto(page, live_server.url + waiting.get_absolute_url())
    expect(page.get_by_label("Progress: Waiting to start")).to_be_visible()
    check_both(page, "privacy-export-waiting")

    goto(page, live_server.url + f"/privacy/people/{rosa.pk}/erase/")
    expect(page.get_by_text("Their data cannot be erased yet")).to_be_visible()
    check_both(page, "privacy-erase-refused")
