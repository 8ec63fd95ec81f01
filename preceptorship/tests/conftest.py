"""Fixtures for the core's tests: the browser harness (defined in browser.py so other apps can import it)."""

from preceptorship.tests.browser import (  # noqa: F401
    browser,
    demo,
    frontend_built,
    live_server,
    order_browser_tests_last,
    page,
)


def pytest_collection_modifyitems(items):
    """Browser tests run after all the others (see ``browser`` in browser.py)."""
    order_browser_tests_last(items)
