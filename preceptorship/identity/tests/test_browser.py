"""Single sign-on in a real browser (Chromium) against the test provider: the NHS.UK pages it adds
are styled and free of axe-core violations, at desktop width and on a phone."""

from __future__ import annotations

from typing import Any

import pytest

from preceptorship.identity.tests.conftest import DOMAIN
from preceptorship.models import Membership
from preceptorship.tests.browser import check_both, check_page, forget_browser_errors, goto, url
from preceptorship.tests.factories import person

Role = Membership.Role
pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True, serialized_rollback=True)]


def continue_to_provider(page: Any, email: str) -> None:
    page.get_by_label("Your work e-mail").fill(email)
    page.get_by_role("button", name="Continue to your organisation").click()
    page.wait_for_load_state()


def sign_in_at_provider(page: Any, account: str) -> None:
    forget_browser_errors(page)  # the test provider's own page is not ours to check
    page.get_by_label("Account").fill(account)
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_load_state()


def test_a_person_signs_in_with_their_organisations_account(
    page: Any, live_server: Any, provider_row: Any, organisation: Any
) -> None:
    person(organisation, Role.PRACTITIONER, email=f"morwenna.tregear@{DOMAIN}")
    goto(page, url(live_server, "/sign-in/"))
    check_both(page, "sign-in")

    continue_to_provider(page, "not an address")
    assert page.locator(".nhsuk-error-summary").is_visible()
    assert page.get_by_label("Your work e-mail").input_value() == "not an address"
    check_both(page, "organisation-sign-in-error")

    continue_to_provider(page, f"morwenna.tregear@{DOMAIN}")
    assert page.url.startswith(provider_row.issuer), page.url
    sign_in_at_provider(page, "sub-morwenna")

    assert page.url == url(live_server, "/")
    check_page(page, axe=False)

    page.get_by_role("button", name="Sign out").click()
    page.wait_for_url(f"{provider_row.issuer}/**")  # moved on from our page to the provider's
    forget_browser_errors(page)
    page.get_by_role("button", name="Yes, sign me out").click()
    page.wait_for_url(url(live_server, "/sign-in/"))
    check_page(page)


def test_a_person_without_an_account_is_told_why(
    page: Any, live_server: Any, provider_row: Any, organisation: Any
) -> None:
    goto(page, url(live_server, "/sign-in/organisation/"))
    check_page(page)
    continue_to_provider(page, f"ottoline.vance@{DOMAIN}")
    sign_in_at_provider(page, "sub-stranger")

    assert page.get_by_role("heading", name="You could not be signed in").is_visible()
    check_both(page, "refused")
