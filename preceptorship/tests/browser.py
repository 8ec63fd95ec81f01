"""Browser-test harness: Debian's Chromium driven by Playwright against pytest-django's live server.

A journey is an ordinary test function marked ``@pytest.mark.browser`` and
``@pytest.mark.django_db(transaction=True, serialized_rollback=True)`` that asks for the ``page``
and ``demo`` fixtures::

    @pytest.mark.browser
    @pytest.mark.django_db(transaction=True, serialized_rollback=True)
    def test_mentor_records_a_review(page, demo, live_server):
        sign_in(page, live_server, demo.email("mentor_ot"), demo.password)
        screenshot(page, "home")
        check_page(page)   # styled, no console or CSP errors, zero axe violations

``serialized_rollback`` matters: a transactional test empties every table afterwards, including
the professions the migrations load, and the seed needs them.

Fixtures live here so other apps can use them: their ``tests/conftest.py`` imports them
(``from preceptorship.tests.browser import browser, demo, page  # noqa: F401``), as this app's
conftest does.
"""

from __future__ import annotations

import os
import re
import shutil
from collections.abc import Callable, Iterator
from contextlib import AbstractContextManager, contextmanager, suppress
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

import pytest
from django.conf import settings
from django.core import mail
from django.core.management import call_command
from playwright.sync_api import TimeoutError as PlaywrightTimeout

CHROMIUM = Path("/usr/bin/chromium")
MISSING_CHROMIUM = (
    f"Chromium not found at {CHROMIUM}: install it with apt-get install chromium to run browser tests"
)
DEMO_PASSWORD = "browser-tests-demo-password"
ARTEFACTS = Path(settings.BASE_DIR) / "test-artefacts" / "screenshots"
DESKTOP = {"width": 1280, "height": 900}
NARROW = {"width": 320, "height": 720}
# WCAG 2.0, 2.1 and 2.2, levels A and AA (axe has no wcag22a tag: the 2.2 A rules are in wcag2a/wcag21a).
AXE_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa"]
NHS_BLUE = "rgb(0, 94, 184)"
# Subpixel rounding can add a pixel or two without any visible horizontal scroll.
SCROLL_TOLERANCE = 2
ASYNC_UNSAFE = "DJANGO_ALLOW_ASYNC_UNSAFE"
RESIZE_SETTLE_MS = 2_000


@dataclass
class PageState:
    """What the harness tracks for one page: where its screenshots go and what went wrong."""

    directory: Path
    shots: int = 0
    problems: list[str] | None = None


_states: dict[int, PageState] = {}


def _state(page: Any) -> PageState:
    try:
        return _states[id(page)]
    except KeyError:
        raise LookupError("This page was not made by the `page` fixture of preceptorship.tests.browser.") from None


# Fixtures.


# One live server and one Chromium for the whole run. Modules and conftests import these fixtures,
# and each import is a separate session fixture to pytest: the first to start owns the server or
# browser and stops it at the end; the others use the same one.
_shared: dict[str, Any] = {}


@contextmanager
def _once_per_run(key: str, start: Callable[[], AbstractContextManager[Any]]) -> Iterator[Any]:
    if key in _shared:
        yield _shared[key]
        return
    with start() as thing:
        _shared[key] = thing
        try:
            yield thing
        finally:
            _shared.pop(key, None)


@pytest.fixture(scope="session")
def live_server(request: pytest.FixtureRequest) -> Iterator[Any]:
    """pytest-django's live server, started with a string MEDIA_URL.

    The settings leave MEDIA_URL as None (uploads are never served publicly), and Django's live
    server thread then fails every request comparing paths with ``urlparse(None)`` (bytes). The
    test thread builds its media handler once, at start, so the override is needed only then.
    """
    address = request.config.getvalue("liveserver") or os.getenv("DJANGO_LIVE_TEST_SERVER_ADDRESS") or "localhost"
    with _once_per_run("live_server", lambda: _started_live_server(address)) as server:
        yield server


@contextmanager
def _started_live_server(address: str) -> Iterator[Any]:
    from django.test import override_settings
    from pytest_django.live_server_helper import LiveServer

    with override_settings(MEDIA_URL=settings.MEDIA_URL or "/media-is-never-served/"):
        server = LiveServer(address)
    try:
        yield server
    finally:
        server.stop()


@pytest.fixture(scope="session")
def browser() -> Iterator[Any]:
    """One headless Chromium for the whole run (contexts and pages are per test).

    Playwright's sync API marks an event loop as running in this thread between its calls, and
    Django refuses ORM calls from such a thread unless DJANGO_ALLOW_ASYNC_UNSAFE is set. It is set
    only while the browser is open and put back afterwards; ``order_browser_tests_last`` (called
    from the core's conftest) runs the browser tests after every other test, so the rest of the
    suite, and the subprocesses it starts, never see it.
    """
    if not CHROMIUM.exists():
        pytest.skip(MISSING_CHROMIUM)
    with _once_per_run("browser", _started_browser) as chromium:
        yield chromium


@contextmanager
def _started_browser() -> Iterator[Any]:
    from django.db import connections
    from playwright.sync_api import sync_playwright

    previous = os.environ.get(ASYNC_UNSAFE)
    os.environ[ASYNC_UNSAFE] = "true"
    # Django keeps its connections per execution context, and starting Playwright's sync API
    # switches to a new one, so the code that follows gets new connection objects. Those must still
    # carry the data the migrations loaded (professions, shipped frameworks), serialized when the
    # test database was created, or serialized rollback cannot restore it after a flush.
    serialized = {
        alias: connections[alias]._test_serialized_contents
        for alias in connections
        if hasattr(connections[alias], "_test_serialized_contents")
    }
    try:
        with sync_playwright() as playwright:
            for alias, contents in serialized.items():
                connections[alias]._test_serialized_contents = contents
            chromium = playwright.chromium.launch(
                executable_path=str(CHROMIUM), headless=True, args=["--no-sandbox"]
            )
            try:
                yield chromium
            finally:
                chromium.close()
    finally:
        if previous is None:
            os.environ.pop(ASYNC_UNSAFE, None)
        else:
            os.environ[ASYNC_UNSAFE] = previous


def order_browser_tests_last(items: list[pytest.Item]) -> None:
    """Reorder collected tests in place: every ``browser`` test after all the others."""
    items.sort(key=lambda item: item.get_closest_marker("browser") is not None)


@pytest.fixture
def page(browser: Any, frontend_built: None, request: pytest.FixtureRequest) -> Iterator[Any]:
    """A fresh context (no cookies) and page at desktop size; console errors and CSP refusals recorded."""
    context = browser.new_context(viewport=DESKTOP, locale="en-GB")
    context.set_default_timeout(15_000)
    new_page = context.new_page()
    directory = ARTEFACTS / _safe(request.node.name)
    shutil.rmtree(directory, ignore_errors=True)
    state = PageState(directory=directory, problems=[])
    _states[id(new_page)] = state
    new_page.on("console", lambda message: _console(state, message))
    new_page.on("response", lambda response: _response(state, response))
    new_page.on("requestfailed", lambda request: _request_failed(state, request))
    new_page.on("pageerror", lambda error: state.problems.append(f"JavaScript error: {error}"))
    try:
        yield new_page
    finally:
        _states.pop(id(new_page), None)
        context.close()


def _console(state: PageState, message: Any) -> None:
    # Chromium's "Failed to load resource" names no URL: _response records those with theirs.
    if message.type == "error" and not message.text.startswith("Failed to load resource"):
        state.problems.append(f"console error: {message.text}")


def _request_failed(state: PageState, request: Any) -> None:
    # ERR_ABORTED: the page navigated away before a request finished (an icon, usually); not a fault.
    if "ERR_ABORTED" not in (request.failure or ""):
        state.problems.append(f"request failed: {request.url} ({request.failure})")


def _response(state: PageState, response: Any) -> None:
    """A stylesheet, script, image or fetch that failed; the page itself is checked by ``goto``."""
    request = response.request
    if response.status >= 400 and not (request.is_navigation_request() and request.frame.parent_frame is None):
        state.problems.append(f"{request.resource_type} {response.url} answered {response.status}")


@dataclass(frozen=True)
class Demo:
    """The seeded demo: ``email(key)`` for the keys of bench.demo.directory.PEOPLE."""

    password: str
    emails: dict[str, str]

    def email(self, key: str) -> str:
        return self.emails[key]


@pytest.fixture
def demo(transactional_db: Any, django_db_serialized_rollback: Any) -> Demo:
    """The full demo data (every app's part) in the test database, every login with DEMO_PASSWORD.

    Asks for a transactional database (the live server's thread must see the rows) with serialized
    rollback (so the migrations' professions come back for the tests that follow)."""
    from bench.demo.directory import PEOPLE

    call_command("seed_demo", password=DEMO_PASSWORD, stdout=open(os.devnull, "w"))  # noqa: SIM115
    mail.outbox.clear()  # the demo's own e-mails (reminders it triggers) are not the test's
    return Demo(password=DEMO_PASSWORD, emails={row[0]: row[3] for row in PEOPLE})


@pytest.fixture(scope="session")
def frontend_built() -> None:
    """The NHS.UK files `make test` builds; built here when a bare pytest run finds them missing."""
    if not (Path(settings.BASE_DIR) / "static" / "vendor" / "nhsuk" / "nhsuk-frontend.min.css").exists():
        call_command("build_frontend")


# Helpers for journeys.


def url(live_server: Any, path: str) -> str:
    return live_server.url + path


def goto(page: Any, address: str, *, expect: int = 200) -> Any:
    response = page.goto(address)
    assert response is not None, f"No response for {address}"
    assert response.status == expect, f"{address} answered {response.status}, expected {expect}"
    return response


def sign_in(page: Any, live_server: Any, email: str, password: str) -> None:
    """Sign in through the form, as a person would, and land on the home page."""
    goto(page, url(live_server, "/sign-in/"))
    page.get_by_label("E-mail address").fill(email)
    page.get_by_label("Password", exact=True).fill(password)
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_load_state()
    assert page.url == url(live_server, "/"), (
        f"Signing in as {email} ended at {page.url}: {_error_summary(page) or 'no error summary shown'}"
    )


def sign_out(page: Any) -> None:
    page.get_by_role("button", name="Sign out").click()
    page.wait_for_load_state()


def click_nav(page: Any, name: str) -> None:
    """Follow a link of the header's navigation, opening its "More" menu first when the NHS.UK header
    has folded the link into it (a role with many pages does not fit them all on one line)."""
    header = page.locator("header")
    link = header.get_by_role("link", name=name, exact=True).first
    if not link.is_visible():
        header.get_by_role("button", name=re.compile("More")).click()
    link.click()
    page.wait_for_load_state()


def _error_summary(page: Any) -> str:
    summary = page.locator(".nhsuk-error-summary")
    return summary.inner_text() if summary.count() else ""


def screenshot(page: Any, name: str) -> Path:
    """Save test-artefacts/screenshots/<test name>/<n>-<name>.png (full page) and return its path."""
    state = _state(page)
    state.shots += 1
    state.directory.mkdir(parents=True, exist_ok=True)
    path = state.directory / f"{state.shots:02d}-{_safe(name)}.png"
    page.screenshot(path=str(path), full_page=True)
    return path


def _safe(name: str) -> str:
    return re.sub(r"[^A-Za-z0-9_.-]+", "-", name).strip("-")[:120]


def assert_styled(page: Any) -> None:
    """The NHS.UK stylesheet loaded: the header is NHS blue."""
    # A click that navigates returns before the next page has loaded: wait for it, and let the
    # locator wait for the header, rather than judge a page half-way through loading.
    page.wait_for_load_state()
    colour = page.locator(".nhsuk-header").evaluate("element => getComputedStyle(element).backgroundColor")
    assert colour == NHS_BLUE, f"{page.url}: the NHS.UK CSS did not load (header background {colour})"


def forget_browser_errors(page: Any) -> None:
    """Drop what went wrong so far (for third-party pages, such as Django's admin, that are not checked)."""
    _state(page).problems = []


def assert_no_browser_errors(page: Any) -> None:
    """No console errors (CSP refusals are console errors) or JavaScript exceptions since the last check."""
    state = _state(page)
    problems, state.problems = state.problems, []
    assert not problems, f"{page.url}:\n  " + "\n  ".join(problems)


def assert_no_horizontal_scroll(page: Any) -> None:
    viewport = page.viewport_size["width"]
    # Just after a resize, the header's menu script may still be moving links into "More": wait
    # a moment for the layout to settle before judging it.
    with suppress(PlaywrightTimeout):
        page.wait_for_function(
            "limit => document.documentElement.scrollWidth <= limit", arg=viewport + SCROLL_TOLERANCE,
            timeout=RESIZE_SETTLE_MS,
        )
    width = page.evaluate("document.documentElement.scrollWidth")
    if width > viewport + SCROLL_TOLERANCE:
        culprits = page.evaluate(
            """viewport => Array.from(document.querySelectorAll('body *'))
                 .filter(e => e.getBoundingClientRect().right > viewport + 2)
                 .slice(0, 5)
                 .map(e => e.tagName.toLowerCase() + (e.className ? '.' + String(e.className).split(' ').join('.') : ''))""",
            viewport,
        )
        raise AssertionError(
            f"{page.url} scrolls sideways at {viewport}px (content is {width}px wide); widest elements: {culprits}"
        )


@cache
def _axe_source() -> str:
    return (Path(settings.BASE_DIR) / "node_modules" / "axe-core" / "axe.min.js").read_text(encoding="utf-8")


def check_axe(page: Any) -> None:
    """Zero axe-core violations of WCAG 2.0/2.1/2.2 A and AA on the current page.

    axe is injected with ``evaluate`` (a script tag would be refused by the Content Security Policy).
    """
    if not page.evaluate("typeof window.axe !== 'undefined'"):
        page.evaluate(_axe_source())
    results = page.evaluate(
        "tags => axe.run(document, {runOnly: {type: 'tag', values: tags}, resultTypes: ['violations']})",
        AXE_TAGS,
    )
    violations = results["violations"]
    if violations:
        raise AssertionError(f"axe found {len(violations)} violation(s) on {page.url}:\n" + format_violations(violations))


def format_violations(violations: list[dict[str, Any]]) -> str:
    lines = []
    for violation in violations:
        targets = [" ".join(map(str, node["target"])) for node in violation["nodes"][:3]]
        more = len(violation["nodes"]) - len(targets)
        lines.append(
            f"- {violation['id']} ({violation.get('impact')}): {violation['help']}\n"
            f"    {violation['helpUrl']}\n"
            f"    at {'; '.join(targets)}{f' and {more} more' if more > 0 else ''}\n"
            f"    first: {violation['nodes'][0].get('failureSummary', '').strip()[:300]}"
        )
    return "\n".join(lines)


def check_page(page: Any, *, axe: bool = True) -> None:
    """What every page a journey visits must pass: styled, no browser errors, no sideways scroll, axe-clean."""
    assert_styled(page)
    assert_no_browser_errors(page)
    if page.viewport_size["width"] <= NARROW["width"]:
        assert_no_horizontal_scroll(page)
    if axe:
        check_axe(page)


def check_both(page: Any, name: str) -> None:
    """check_page at desktop width and on a 320px phone screen, with a screenshot of each."""
    check_page(page)
    screenshot(page, name)
    page.set_viewport_size(NARROW)
    check_page(page)
    screenshot(page, f"{name}-320")
    page.set_viewport_size(DESKTOP)


def nav_links(page: Any) -> list[tuple[str, str]]:
    """(label, href) of the header's navigation and account links on the current page, in order."""
    links = page.eval_on_selector_all(
        ".nhsuk-header__navigation-link[href], .nhsuk-header__account-link[href]",
        "links => links.map(a => [a.textContent.trim().replace(/\\s+/g, ' '), a.getAttribute('href')])",
    )
    return [(label, href) for label, href in links]


def focused(page: Any) -> dict[str, str]:
    """The focused element's tag, class, name, id and text (for keyboard tests)."""
    return page.evaluate(
        """() => { const e = document.activeElement; return {tag: e.tagName.toLowerCase(),
             cls: String(e.className || ''), name: e.getAttribute('name') || '', id: e.id || '',
             text: (e.textContent || '').trim()}; }"""
    )


def tab_to(page: Any, *, name: str, limit: int = 30) -> int:
    """Press Tab until the field called ``name`` has focus; returns the number of presses."""
    for presses in range(1, limit + 1):
        page.keyboard.press("Tab")
        if focused(page)["name"] == name:
            return presses
    raise AssertionError(f"{page.url}: {limit} presses of Tab never reached the field {name!r}")
