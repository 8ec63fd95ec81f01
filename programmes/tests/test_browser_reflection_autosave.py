"""A reflection saves itself as a draft while it is written, in a real browser on the demo data:
the draft appears on the server once, later saves change it, and when the sign-in session expires
the page says so, keeps what was typed in the tab and, after signing in again, puts it back and
saves it."""

from __future__ import annotations

from typing import Any

import pytest
from django.contrib.sessions.models import Session
from django.db import OperationalError
from django.urls import reverse
from playwright.sync_api import expect

from preceptorship.tests.browser import check_both, forget_browser_errors, goto, sign_in, url
from programmes.models import Enrolment, Reflection

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True, serialized_rollback=True)]

PRECEPTEE = "preceptee_ot_mid"
STATUS = ".app-autosave-status"


def wait_for_status(page: Any, text: str) -> str:
    page.wait_for_function(
        "([selector, text]) => document.querySelector(selector)?.textContent.includes(text)",
        arg=[STATUS, text], timeout=10_000,
    )
    return page.locator(STATUS).inner_text()


def eventually(page: Any, read: Any, seconds: int = 10) -> Any:
    """What ``read`` returns once it is something, polling while the page's timers run. On SQLite the
    live server's save can hold the table for a moment while the test reads it ("database table is
    locked"): that read is simply tried again at the next poll."""
    for _ in range(seconds * 4):
        try:
            value = read()
        except OperationalError:
            value = None
        if value:
            return value
        page.wait_for_timeout(250)
    return read()


def test_a_reflection_is_saved_as_a_draft_while_written_and_survives_an_expired_session(
    page: Any, demo: Any, live_server: Any, settings: Any,
):
    settings.REFLECTION_AUTOSAVE_SECONDS = 1
    email = demo.email(PRECEPTEE)
    enrolment = Enrolment.objects.filter(preceptee__email=email).order_by("-start_date").first()
    before = set(Reflection.objects.filter(author__email=email).values_list("pk", flat=True))
    sign_in(page, live_server, email, demo.password)
    goto(page, url(live_server, reverse("programmes:reflection-create", args=[enrolment.pk]) + "?model=driscoll"))

    page.get_by_label("Title").fill("A discharge that nearly went wrong")
    page.locator("#id_answer_what").fill("The stairs at home had no rail.")
    assert wait_for_status(page, "Draft saved at").endswith("Only you can see it.")
    draft = Reflection.objects.filter(author__email=email).exclude(pk__in=before).get()
    assert draft.status == Reflection.Status.DRAFT and draft.answers["what"] == "The stairs at home had no rail."
    # The page now belongs to the draft: reloading it, or its buttons, change that draft.
    update = reverse("programmes:reflection-update", args=[draft.pk])
    assert page.url == url(live_server, update)
    check_both(page, "reflection-autosaved")

    page.locator("#id_answer_so_what").fill("Checking the home before discharge matters.")
    assert eventually(page, lambda: Reflection.objects.get(pk=draft.pk).answers["so_what"]) == (
        "Checking the home before discharge matters."
    )
    assert Reflection.objects.filter(author__email=email).exclude(pk__in=before).count() == 1

    # The sign-in session expires while writing: the page says so and the tab keeps the words.
    Session.objects.all().delete()
    page.locator("#id_answer_now_what").fill("Ask for a home visit before every discharge.")
    assert "You are signed out" in wait_for_status(page, "signed out")
    forget_browser_errors(page)  # the 401 the page expected
    draft.refresh_from_db()
    assert draft.answers["now_what"] == ""

    sign_in(page, live_server, email, demo.password)
    goto(page, url(live_server, update))
    assert page.locator("#id_answer_now_what").input_value() == "Ask for a home visit before every discharge."
    expect(page.locator(".nhsuk-inset-text")).to_contain_text("What you typed earlier has been put back.", use_inner_text=True)
    wait_for_status(page, "Draft saved at")
    draft.refresh_from_db()
    assert draft.answers["now_what"] == "Ask for a home visit before every discharge."
    check_both(page, "reflection-restored-after-sign-in")

    page.get_by_role("button", name="Save and finish").click()
    page.wait_for_load_state()
    expect(page.locator(".nhsuk-notification-banner")).to_contain_text("Your reflection is saved.", use_inner_text=True)
    assert Reflection.objects.filter(author__email=email).exclude(pk__in=before).get().status == "finished"


def test_leaving_the_page_saves_the_draft_and_coming_back_finishes_that_same_draft(
    page: Any, demo: Any, live_server: Any, settings: Any,
):
    settings.REFLECTION_AUTOSAVE_SECONDS = 600  # only leaving the page saves here
    email = demo.email(PRECEPTEE)
    enrolment = Enrolment.objects.filter(preceptee__email=email).order_by("-start_date").first()
    before = set(Reflection.objects.filter(author__email=email).values_list("pk", flat=True))
    mine = Reflection.objects.filter(author__email=email).exclude(pk__in=before)
    sign_in(page, live_server, email, demo.password)
    create = url(live_server, reverse("programmes:reflection-create", args=[enrolment.pk]) + "?model=free")
    goto(page, create)
    page.get_by_label("Title").fill("Supervision notes")
    page.locator("textarea").first.fill("What I took from supervision today.")
    goto(page, url(live_server, "/"))
    assert eventually(page, lambda: mine.filter(title="Supervision notes").exists())

    goto(page, create)  # the same tab: the words come back, and the page knows its draft
    assert page.locator("textarea").first.input_value() == "What I took from supervision today."
    page.get_by_role("button", name="Save and finish").click()
    page.wait_for_load_state()
    expect(page.locator(".nhsuk-notification-banner")).to_contain_text("Your reflection is saved.", use_inner_text=True)
    assert [(r.title, r.status) for r in mine] == [("Supervision notes", Reflection.Status.FINISHED)]
