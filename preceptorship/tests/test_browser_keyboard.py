"""Journey 1 with the keyboard alone: a mentor finds an overdue review on their caseload and records
the meeting; the preceptee signs in, reads the record and acknowledges it.

Nothing is clicked or filled: Tab and Shift+Tab move, Enter and Space activate, the arrow keys
choose a radio button or an option, and text is typed into the field that has focus. At each
stop the focused element must show the NHS.UK focus style; the skip link must take focus to the
main content; after a validation error focus must land on the error summary, whose links move
focus to the field in error.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

import pytest
from playwright.sync_api import expect

from preceptorship.tests.browser import PlaywrightTimeout, check_page, focused, goto, screenshot, url
from programmes.models import ReviewMeeting

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True, serialized_rollback=True)]

PRECEPTEE = "preceptee_ot_mid"  # month 8, review 2 overdue (as in the mouse journey)
PRECEPTEE_NAME = "Jordan Hayes"
DISCUSSED = "Caseload, a complex discharge and the OT forum."
GOAL_PROGRESS = "Two assessments done on my own."
ACTION = "Book a day with the hospital discharge team"
COMMENT = "Thank you. I would like the discharge day before March."
TAB_LIMIT = 80

# The NHS.UK focus style: a yellow (#ffeb3b) outline, shadow or background on the focused element;
# for a radio button or checkbox (the input itself is invisible) a yellow ring on its label's ::before.
FOCUS_YELLOW = "rgb(255, 235, 59)"
FOCUS_STYLE = """yellow => { const e = document.activeElement, s = getComputedStyle(e);
  const styles = {outline: s.outlineStyle !== 'none' && parseFloat(s.outlineWidth) > 0 ? s.outlineColor : '',
                  shadow: s.boxShadow, background: s.backgroundColor};
  if (e.matches('input[type=radio], input[type=checkbox]') && e.labels.length)
    styles.label = getComputedStyle(e.labels[0], '::before').boxShadow;
  return {styles, yellow: Object.values(styles).some(value => value.includes(yellow))}; }"""


def describe(stop: dict[str, str]) -> str:
    return f"<{stop['tag']} name={stop['name']!r} id={stop['id']!r}> {stop['text'][:40]!r}"


def assert_focus_visible(page: Any) -> None:
    stop = focused(page)
    assert stop["tag"] != "body", f"{page.url}: nothing has focus"
    style = page.evaluate(FOCUS_STYLE, FOCUS_YELLOW)
    assert style["yellow"], f"{page.url}: no NHS.UK focus style on {describe(stop)}: {style['styles']}"


def tab_until(page: Any, wanted: Callable[[dict[str, str]], bool], what: str, *, back: bool = False) -> None:
    """Press Tab (Shift+Tab when ``back``) until the focused element is ``wanted``, checking at
    every stop on the way that focus is visible (no stop may be invisible to a keyboard user)."""
    key = "Shift+Tab" if back else "Tab"
    seen = []
    for _ in range(TAB_LIMIT):
        page.keyboard.press(key)
        stop = focused(page)
        if stop["tag"] != "body":
            assert_focus_visible(page)
        if wanted(stop):
            return
        seen.append(describe(stop))
    raise AssertionError(f"{page.url}: {TAB_LIMIT} presses of {key} never reached {what}; stops:\n  " + "\n  ".join(seen))


def named(name: str) -> Callable[[dict[str, str]], bool]:
    return lambda stop: stop["name"] == name


def text(words: str) -> Callable[[dict[str, str]], bool]:
    return lambda stop: stop["text"] == words


def activate(page: Any, key: str = "Enter") -> None:
    """Press Enter (or Space) on the focused link or button and wait for the next page."""
    with page.expect_navigation():
        page.keyboard.press(key)
    page.wait_for_load_state()


def sign_in_by_keyboard(page: Any, live_server: Any, email: str, password: str) -> None:
    goto(page, url(live_server, "/sign-in/"))
    tab_until(page, named("username"), "the e-mail address")
    page.keyboard.type(email)
    page.keyboard.press("Tab")
    assert focused(page)["name"] == "password"
    page.keyboard.type(password)
    activate(page)
    assert page.url == url(live_server, "/"), f"signing in as {email} by keyboard ended at {page.url}"


def sign_out_by_keyboard(page: Any) -> None:
    """From wherever focus is in the main content, Shift+Tab back up to the header's Sign out button."""
    tab_until(page, text("Sign out"), "the Sign out button", back=True)
    activate(page, " ")


def _wait_for_focus_on(page: Any, label: str) -> None:
    """The header rebuilds its menu in the frames after a resize; give it a second to settle."""
    try:
        page.wait_for_function("label => (document.activeElement.textContent || '').trim() === label",
                               arg=label, timeout=1000)
    except PlaywrightTimeout:
        pass  # the assertion that follows says where focus went


def test_journey_one_with_the_keyboard_only(page: Any, demo: Any, live_server: Any) -> None:
    sign_in_by_keyboard(page, live_server, demo.email("mentor_ot"), demo.password)
    screenshot(page, "mentor-home")

    # The skip link is the first stop and takes focus past the header to the main content.
    page.keyboard.press("Tab")
    assert "nhsuk-skip-link" in focused(page)["cls"], f"first Tab stop is {describe(focused(page))}"
    assert_focus_visible(page)
    page.keyboard.press("Enter")
    assert focused(page)["id"] == "maincontent", f"the skip link left focus on {describe(focused(page))}"
    # Back into the header's navigation with Shift+Tab, to the caseload.
    tab_until(page, text("Caseload"), "the Caseload link", back=True)
    # A full-page screenshot resizes the window, as zooming does, and the header's menu script then
    # rebuilds the navigation: focus must stay on the link.
    screenshot(page, "caseload-link-focused")
    _wait_for_focus_on(page, "Caseload")
    assert focused(page)["text"] == "Caseload", f"a resize took focus to {describe(focused(page))}"
    assert_focus_visible(page)
    activate(page)
    check_page(page)

    tab_until(page, text(PRECEPTEE_NAME), f"the link to {PRECEPTEE_NAME}")
    row = page.evaluate("document.activeElement.closest('tr').innerText")
    assert "Overdue" in row, f"{PRECEPTEE_NAME}'s row does not say the review is overdue: {row!r}"
    screenshot(page, "caseload")
    activate(page)

    tab_until(page, text("Record a review meeting"), "the Record a review meeting link")
    screenshot(page, "review-list")
    activate(page)
    expect(page.locator("h1")).to_have_text(re.compile(r"Record review meeting 2\s*$"), use_inner_text=True)

    # Who attended: nobody is ticked until the mentor says so; Space ticks each checkbox.
    tab_until(page, named("attended"), "who attended")
    page.keyboard.press("Space")
    page.keyboard.press("Tab")
    page.keyboard.press("Space")
    expect(page.locator("input[name=attended]:checked")).to_have_count(2)

    # First without scores: the error summary takes focus, and what was typed is kept.
    tab_until(page, named("discussion"), "What was discussed")
    page.keyboard.type(DISCUSSED)
    tab_until(page, text("Save the record"), "the Save the record button")
    screenshot(page, "record-form")
    activate(page)
    assert "nhsuk-error-summary" in focused(page)["cls"], (
        f"after the validation error focus is on {describe(focused(page))}, not the error summary"
    )
    assert_focus_visible(page)
    screenshot(page, "record-form-errors")
    assert page.locator("textarea[name=discussion]").input_value() == DISCUSSED

    # The summary's first link moves focus to the first radio button of the wellbeing score.
    tab_until(page, lambda stop: "wellbeing score" in stop["text"], "the wellbeing score error link")
    page.keyboard.press("Enter")
    assert focused(page)["name"] == "wellbeing", f"the error link moved focus to {describe(focused(page))}"
    assert_focus_visible(page)
    choose_radio(page, "wellbeing", 3)  # 4 out of 5
    tab_until(page, named("confidence"), "the confidence score")
    choose_radio(page, "confidence", 2)  # 3 out of 5
    tab_until(page, named("protected_time_received"), "protected time received")
    choose_radio(page, "protected_time_received", 1)  # partly
    tab_until(page, lambda stop: stop["name"].startswith("goal_"), "the first goal's progress")
    page.keyboard.type(GOAL_PROGRESS)
    tab_until(page, named("action_1"), "action 1")
    page.keyboard.type(ACTION)
    tab_until(page, lambda stop: stop["tag"] == "select", "who will do action 1")
    choose_option(page, "preceptee")
    screenshot(page, "record-form-filled")
    tab_until(page, text("Save the record"), "the Save the record button")
    activate(page, " ")
    expect(page.locator(".nhsuk-notification-banner")).to_contain_text("The review meeting is recorded", use_inner_text=True)
    screenshot(page, "review-recorded")
    check_page(page)
    sign_out_by_keyboard(page)

    sign_in_by_keyboard(page, live_server, demo.email(PRECEPTEE), demo.password)
    tab_until(page, lambda stop: stop["text"].startswith("Review meeting 2,"), "the review record to acknowledge")
    screenshot(page, "preceptee-home")
    activate(page)
    assert "Please read and acknowledge this record" in page.content()
    tab_until(page, named("comment"), "Your comment")
    page.keyboard.type(COMMENT)
    tab_until(page, text("Acknowledge the record"), "the Acknowledge the record button")
    screenshot(page, "preceptee-reads-review")
    activate(page)
    expect(page.locator(".nhsuk-notification-banner")).to_contain_text("You have acknowledged the record", use_inner_text=True)
    screenshot(page, "review-acknowledged")
    check_page(page)

    review = ReviewMeeting.objects.get(enrolment__preceptee__email=demo.email(PRECEPTEE), number=2)
    assert (review.wellbeing, review.confidence, review.protected_time_received) == (4, 3, "partly")
    assert review.discussion == DISCUSSED
    assert review.acknowledged_at is not None
    assert review.preceptee_comment == COMMENT


def choose_radio(page: Any, name: str, index: int) -> None:
    """With focus on a radio group that has nothing chosen, choose its ``index``-th option by arrow keys."""
    assert focused(page)["name"] == name
    expect(page.locator(f"input[name={name}]:checked"), f"{name} already has a choice").to_have_count(0)
    page.keyboard.press("Space")  # the first option
    for _ in range(index):
        page.keyboard.press("ArrowDown")
    chosen = page.evaluate("document.activeElement.id")
    assert chosen == f"id_{name}_{index}", f"the arrow keys chose {chosen}, not option {index} of {name}"
    assert page.locator(f"#id_{name}_{index}").is_checked()
    assert_focus_visible(page)


def choose_option(page: Any, value: str) -> None:
    """Choose the focused select's option with this value by pressing the arrow keys."""
    values = page.evaluate("[...document.activeElement.options].map(o => o.value)")
    assert value in values, f"{value!r} is not one of {values}"
    for _ in range(len(values)):
        if page.evaluate("document.activeElement.value") == value:
            break
        page.keyboard.press("ArrowDown")
    assert page.evaluate("document.activeElement.value") == value
