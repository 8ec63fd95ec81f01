"""Fixtures of the production stage: the servers .ci/production started, and a browser page for them.

These tests never touch a test database: everything they see goes through the servers (or through
``manage.py`` run with the production environment), as a person or an operator would.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from playwright.sync_api import expect

from preceptorship.tests.production.stage import BASE_URL, Stage

# Pages on a busy machine with DEBUG off: generous, since expect() returns as soon as it holds.
PAGE_TIMEOUT_MS = 30_000


@pytest.fixture(scope="session")
def stage() -> Stage:
    if not BASE_URL:
        pytest.skip("runs in the production stage only")
    return Stage.from_environment()


@pytest.fixture
def prod_page(page: Any) -> Iterator[Any]:
    """The browser harness's page (console, CSP and axe checks), with room for a loaded machine."""
    expect.set_options(timeout=PAGE_TIMEOUT_MS)
    page.context.set_default_timeout(PAGE_TIMEOUT_MS)
    page.set_default_navigation_timeout(PAGE_TIMEOUT_MS)
    yield page
