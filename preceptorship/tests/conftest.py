"""Fixtures for the core's tests: the browser harness (defined in browser.py so other apps can import it)."""

import pytest

from preceptorship.tests.browser import order_browser_tests_last


def pytest_collection_modifyitems(items):
    """Browser tests run after all the others (see ``browser`` in browser.py). Tests that start a
    Celery worker on the shared Redis broker run one after another on the same process when the
    suite runs in parallel (``-n``, ``--dist loadgroup``), so no worker takes another's tasks."""
    order_browser_tests_last(items)
    for item in items:
        if item.get_closest_marker("redis"):
            item.add_marker(pytest.mark.xdist_group("redis-broker"))
