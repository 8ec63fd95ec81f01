"""Two-step sign-in in a real browser: set-up (QR code, typed key, a wrong then a right code), the
recovery codes, and the code asked at the next sign-in; every page axe-clean, on a phone too."""

from __future__ import annotations

import base64
import time
from typing import Any

import pytest
from django_otp.oath import TOTP
from playwright.sync_api import expect

from preceptorship.models import Membership
from preceptorship.tests.browser import check_both, check_page, goto, sign_out, url
from preceptorship.tests.factories import person

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True, serialized_rollback=True)]

PASSWORD = "correct-horse-battery"


def code_from_key(key: str, *, steps_ahead: int = 0) -> str:
    """What an authenticator app given the typed key shows now."""
    totp = TOTP(base64.b32decode(key.replace(" ", "")))
    totp.time = time.time() + 30 * steps_ahead
    return f"{totp.token():06d}"


def password_step(page: Any, live_server: Any, email: str) -> None:
    goto(page, url(live_server, "/sign-in/"))
    page.get_by_label("E-mail address").fill(email)
    page.get_by_label("Password", exact=True).fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_load_state()


def test_a_lead_sets_up_two_step_sign_in_and_is_asked_for_a_code_next_time(
    page: Any, live_server: Any, organisation: Any, settings: Any
) -> None:
    settings.TWO_STEP_REQUIRED = True
    lead = person(organisation, Membership.Role.PROGRAMME_LEAD, email="two.step.lead@example.org")

    password_step(page, live_server, lead.email)
    expect(page.get_by_role("heading", name="Set up two-step sign-in", level=1)).to_be_visible()
    expect(page.get_by_role("img", name="QR code of your two-step sign-in key")).to_be_visible()
    check_both(page, "set-up")
    page.get_by_text("I cannot scan the QR code").click()
    key = page.locator("[data-two-step-key]").inner_text()

    right = code_from_key(key)
    wrong = next(code for code in ("000000", "111111", "222222") if code != right)
    page.get_by_label("Code from your authenticator app").fill(wrong)
    page.get_by_role("button", name="Confirm the code").click()
    expect(page.locator(".nhsuk-error-summary")).to_contain_text("The code is not right")
    expect(page.locator(".nhsuk-form-group--error .nhsuk-error-message")).to_contain_text("The code is not right")
    assert page.get_by_label("Code from your authenticator app").input_value() == wrong
    check_page(page)

    page.wait_for_timeout(1_100)  # the wait after a wrong code
    page.get_by_label("Code from your authenticator app").fill(code_from_key(key))
    page.get_by_role("button", name="Confirm the code").click()
    expect(page.get_by_role("heading", name="Your recovery codes", level=1)).to_be_visible()
    expect(page.locator(".app-recovery-codes li")).to_have_count(10)
    expect(page.get_by_role("button", name="Print the codes")).to_be_visible()
    check_both(page, "recovery-codes")
    with page.expect_download() as download:
        page.get_by_role("link", name="Download the codes (text file)").click()
    assert download.value.suggested_filename == "preceptorship-recovery-codes.txt"
    page.get_by_role("button", name="I have kept my codes, continue").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Hello")

    sign_out(page)
    password_step(page, live_server, lead.email)
    expect(page.get_by_role("heading", name="Enter the code from your authenticator app", level=1)).to_be_visible()
    check_both(page, "code")
    page.get_by_label("Code", exact=True).fill(code_from_key(key, steps_ahead=1))
    page.get_by_role("button", name="Continue").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Hello")
    assert page.url == url(live_server, "/")

    goto(page, url(live_server, "/profile/two-step/"))
    expect(page.get_by_role("heading", name="Two-step sign-in", level=1)).to_be_visible()
    check_page(page)
