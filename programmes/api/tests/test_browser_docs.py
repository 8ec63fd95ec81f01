"""The API's documentation page in a real browser: every operation is shown, from our own static
files under the Content Security Policy (no refusal, no console error, nothing from elsewhere)."""

from __future__ import annotations

import os
from typing import Any

import pytest

from preceptorship.tests.browser import ASYNC_UNSAFE, assert_no_browser_errors, check_axe, goto, screenshot, url


@pytest.mark.browser
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_the_documentation_page_shows_every_operation_under_the_csp(page: Any, live_server: Any) -> None:
    os.environ.setdefault(ASYNC_UNSAFE, "true")
    requested: list[str] = []
    page.on("request", lambda request: requested.append(request.url))
    goto(page, url(live_server, "/api/docs/"))
    page.locator(".opblock").nth(3).wait_for()
    assert page.locator(".opblock").count() == 4
    assert "Preceptorship integration API" in page.locator(".title").first.inner_text()
    assert all(address.startswith(live_server.url) for address in requested), requested
    screenshot(page, "api-docs")
    assert_no_browser_errors(page)
    check_axe(page)
    # Opened, each operation shows its parameters, request body and answers: still axe-clean.
    for summary in page.locator(".opblock-summary-control").all():
        summary.click()
    page.locator(".opblock-body").nth(3).wait_for()
    page.locator(".opblock-summary-control").first.focus()
    page.keyboard.press("Enter")  # closed again with the keyboard
    page.locator(".opblock-body").nth(2).wait_for()
    assert page.locator(".opblock-body").count() == 3
    screenshot(page, "api-docs-open")
    assert_no_browser_errors(page)
    check_axe(page)
