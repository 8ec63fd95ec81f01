"""The foundation in a real browser: sign-in errors, sign-in by keyboard alone, password reset,
profile and notifications; every page axe-clean (each role's navigation is walked in
test_browser_navigation.py).
"""

from __future__ import annotations

import re
from typing import Any

import pytest
from django.core import mail
from django.db import DatabaseError
from playwright.sync_api import expect

from preceptorship.models import User
from preceptorship.notifications import notify
from preceptorship.tests.browser import (
    DESKTOP,
    NARROW,
    Demo,
    check_page,
    focused,
    goto,
    screenshot,
    sign_in,
    tab_to,
    url,
)

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True, serialized_rollback=True)]

def test_wrong_details_show_the_error_summary_and_field_errors(page: Any, demo: Demo, live_server: Any) -> None:
    goto(page, url(live_server, "/sign-in/"))
    check_page(page)
    page.get_by_label("E-mail address").fill("not-an-email-address")
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_load_state()
    summary = page.locator(".nhsuk-error-summary")
    expect(summary).to_be_visible()
    expect(summary.get_by_role("link", name=re.compile("valid email", re.I))).to_have_count(1)
    expect(page.locator(".nhsuk-form-group--error .nhsuk-error-message")).to_have_count(2)  # e-mail and password
    assert page.get_by_label("E-mail address").input_value() == "not-an-email-address"
    screenshot(page, "field-errors")
    check_page(page)

    page.get_by_label("E-mail address").fill(demo.email("mentor_ot"))
    page.get_by_label("Password", exact=True).fill("not the password")
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_load_state()
    assert page.url.endswith("/sign-in/")
    expect(page.locator(".nhsuk-error-summary")).to_contain_text("Enter a correct e-mail address and password", use_inner_text=True)
    assert page.get_by_label("E-mail address").input_value() == demo.email("mentor_ot")
    assert page.get_by_label("Password", exact=True).input_value() == ""
    screenshot(page, "wrong-password")
    check_page(page)


def test_sign_in_with_the_keyboard_only(page: Any, demo: Demo, live_server: Any) -> None:
    goto(page, url(live_server, "/sign-in/"))
    # Nothing has focus on arrival (no autofocus), so the skip link is the first Tab stop.
    assert focused(page)["tag"] == "body", f"{focused(page)} has focus on arrival"
    page.keyboard.press("Tab")
    assert "nhsuk-skip-link" in focused(page)["cls"], f"first Tab stop is {focused(page)}, not the skip link"
    tab_to(page, name="username")
    page.keyboard.type(demo.email("mentor_ot"))
    page.keyboard.press("Tab")
    assert focused(page)["name"] == "password"
    page.keyboard.type(demo.password)
    screenshot(page, "typed")
    page.keyboard.press("Enter")
    page.wait_for_url(url(live_server, "/"))
    screenshot(page, "home")

    page.keyboard.press("Tab")
    assert "nhsuk-skip-link" in focused(page)["cls"], f"first Tab stop on home is {focused(page)}"
    page.keyboard.press("Enter")
    assert page.url.endswith("#maincontent")
    assert focused(page)["id"] == "maincontent", f"the skip link left focus on {focused(page)}"
    # The next Tab stop is after the start of the main content: the header is skipped.
    page.keyboard.press("Tab")
    in_header = page.evaluate("document.querySelector('header').contains(document.activeElement)")
    assert not in_header, f"after skipping, Tab went back into the header: {focused(page)}"


def test_password_reset_from_request_to_signing_in_with_the_new_password(
    page: Any, demo: Demo, live_server: Any
) -> None:
    email = demo.email("preceptee_ot_new")
    goto(page, url(live_server, "/sign-in/"))
    page.get_by_role("link", name="I have forgotten my password").click()
    page.wait_for_load_state()
    screenshot(page, "request")
    check_page(page)
    page.get_by_role("button", name="Send the link").click()
    page.wait_for_load_state()
    expect(page.locator(".nhsuk-error-summary"), "an empty e-mail address must be refused").to_be_visible()
    screenshot(page, "empty")
    check_page(page)

    page.locator("input[name=email]").fill(email)
    page.get_by_role("button", name="Send the link").click()
    page.wait_for_url("**/password-reset/sent/")
    screenshot(page, "sent")
    check_page(page)
    assert len(mail.outbox) == 1 and mail.outbox[0].to == [email]
    link = re.search(r"https?://\S+/password-reset/\S+/\S+/", mail.outbox[0].body)
    assert link, mail.outbox[0].body
    path = "/" + link.group(0).split("/", 3)[3]

    goto(page, url(live_server, path))
    screenshot(page, "choose")
    check_page(page)
    new_password = "a-brand-new-password-for-ellie"
    page.locator("input[name=new_password1]").fill(new_password)
    page.locator("input[name=new_password2]").fill("something else entirely")
    page.get_by_role("button", name="Save the new password").click()
    page.wait_for_load_state()
    expect(page.locator(".nhsuk-error-summary"), "mismatched passwords must be refused").to_be_visible()
    screenshot(page, "mismatch")
    check_page(page)
    page.locator("input[name=new_password1]").fill(new_password)
    page.locator("input[name=new_password2]").fill(new_password)
    page.get_by_role("button", name="Save the new password").click()
    page.wait_for_url("**/password-reset/complete/")
    screenshot(page, "complete")
    check_page(page)

    sign_in(page, live_server, email, new_password)


def test_profile_keeps_what_was_typed_on_error_and_saves(page: Any, demo: Demo, live_server: Any) -> None:
    sign_in(page, live_server, demo.email("practitioner_ot"), demo.password)
    page.get_by_role("link", name="Isaac Newman").click()
    page.wait_for_load_state()
    check_page(page)
    page.get_by_label("First name").fill("")
    page.get_by_label("Job title").fill("Senior <b>Occupational</b> Therapist")
    page.get_by_role("button", name="Save").click()
    page.wait_for_load_state()
    summary = page.locator(".nhsuk-error-summary")
    expect(summary).to_be_visible()
    expect(summary.get_by_role("link", name="Enter your first name")).to_have_count(1)
    assert page.get_by_label("Job title").input_value() == "Senior <b>Occupational</b> Therapist"
    screenshot(page, "error")
    check_page(page)
    page.set_viewport_size(NARROW)
    screenshot(page, "error-320px")
    check_page(page)
    page.set_viewport_size(DESKTOP)

    page.get_by_label("First name").fill("Isaac")
    page.get_by_role("button", name="Save").click()
    page.wait_for_load_state()
    expect(page.locator("main")).to_contain_text("Your profile has been saved", use_inner_text=True)
    screenshot(page, "saved")
    check_page(page)
    assert User.objects.get(email=demo.email("practitioner_ot")).job_title == "Senior <b>Occupational</b> Therapist"


def test_notifications_list_and_open(page: Any, demo: Demo, live_server: Any) -> None:
    recipient = User.objects.get(email=demo.email("mentor_ot"))
    for number in range(3):
        notify(recipient=recipient, kind="browser_test", about=f"browser-test-{number}", subject=f"Review {number} is due",
               body="Line one.\nLine two <script>alert(1)</script>", url="/profile/", due_on=None)
    sign_in(page, live_server, recipient.email, demo.password)
    page.locator(".nhsuk-header__account-link", has_text="Notifications").click()
    page.wait_for_load_state()
    expect(page.locator("main strong", has_text="Review 2 is due")).to_be_visible()
    expect(page.locator("main"), "the body must be shown as text").to_contain_text("<script>alert(1)</script>", use_inner_text=True)
    screenshot(page, "list")
    check_page(page)
    page.set_viewport_size(NARROW)
    screenshot(page, "list-320px")
    check_page(page)
    page.set_viewport_size(DESKTOP)

    page.get_by_role("button", name=re.compile("Review 1 is due")).click()
    page.wait_for_url(url(live_server, "/profile/"))
    assert recipient.notifications.get(subject="Review 1 is due").read_at is not None
    page.go_back()
    page.reload()
    page.get_by_role("button", name="Mark all as read").click()
    page.wait_for_load_state()
    expect(page.locator("main")).to_contain_text("marked as read", use_inner_text=True)
    screenshot(page, "all-read")
    check_page(page)


def test_a_refused_write_shows_the_problem_page(page: Any, demo: Demo, live_server: Any, monkeypatch: Any) -> None:
    email = demo.email("practitioner_ot")
    sign_in(page, live_server, email, demo.password)
    goto(page, url(live_server, "/profile/"))

    def refuse(*args: Any, **kwargs: Any) -> None:
        raise DatabaseError("could not write: disk full")

    monkeypatch.setattr(User, "save", refuse)
    page.get_by_label("Job title").fill("Advanced Practitioner")
    page.get_by_role("button", name="Save").click()
    page.wait_for_load_state()
    monkeypatch.undo()
    expect(page.get_by_role("heading", name="Sorry, there is a problem with the service")).to_be_visible()
    expect(page.locator("main")).to_contain_text("Your changes have not been saved", use_inner_text=True)
    screenshot(page, "problem-page")
    check_page(page)
    assert User.objects.get(email=email).job_title != "Advanced Practitioner"
