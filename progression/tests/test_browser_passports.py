"""In a real browser: the demo's support worker follows their home page to their skills passport and
records a skill (refused first without a date); their line manager sees the team's passports with
what waits, and verifies a skill (refused first: "not yet" needs a reason). The programme lead's
import page offers the template. Every page is checked (axe, styles, console) at desktop width and
at 320 px."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from preceptorship.tests.browser import DEMO_PASSWORD, check_both, goto, sign_in, sign_out, url
from progression.models import PassportSkill, SkillsPassport

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True, serialized_rollback=True)]
Verification = PassportSkill.Verification


@pytest.fixture
def people(transactional_db: Any, django_db_serialized_rollback: Any) -> Iterator[dict[str, Any]]:
    from bench.demo import directory as directory_demo
    from bench.demo import passports as demo

    today = timezone.localdate()
    directory = directory_demo.build(password=DEMO_PASSWORD, today=today)
    passport = demo.build(directory=directory, today=today)
    yield {**directory.users, "passport": passport}


def test_the_worker_records_a_skill_and_the_manager_verifies_it(page: Any, live_server: Any,
                                                               people: dict[str, Any]) -> None:
    passport: SkillsPassport = people["passport"]
    unrecorded = passport.skills.filter(verification=Verification.NOT_RECORDED).select_related("competency")[0]
    sign_in(page, live_server, passport.worker.email, DEMO_PASSWORD)
    goto(page, url(live_server, "/"))
    page.get_by_role("link", name=passport.framework.name).click()
    check_both(page, "passport")
    page.get_by_role("link", name=f"Record {unrecorded.competency.code}", exact=True).click()
    check_both(page, "passport-skill")
    page.get_by_role("button", name="Save").click()
    expect(page.locator(".nhsuk-error-summary")).to_contain_text("Enter the date you achieved the skill")
    check_both(page, "passport-skill-errors")
    day = timezone.localdate()
    page.get_by_label("Day", exact=True).fill(str(day.day))
    page.get_by_label("Month", exact=True).fill(str(day.month))
    page.get_by_label("Year", exact=True).fill(str(day.year))
    page.get_by_label("Evidence note (optional)").fill("Ran the session with the physiotherapist watching.")
    page.get_by_role("button", name="Save").click()
    expect(page.get_by_text("waits for your manager to verify it")).to_be_visible()
    goto(page, url(live_server, "/progression/passports/"))
    check_both(page, "passport-list-worker")
    sign_out(page)

    sign_in(page, live_server, people["manager_trust"].email, DEMO_PASSWORD)
    goto(page, url(live_server, "/"))
    page.get_by_role("link", name="Your team's skills passports").click()
    check_both(page, "passport-list-manager")
    expect(page.get_by_text("2 to verify")).to_be_visible()
    page.get_by_role("link", name=passport.framework.name).click()
    page.get_by_role("link", name=f"Verify {unrecorded.competency.code}", exact=True).click()
    check_both(page, "passport-verify")
    page.get_by_label("Not yet").check()
    page.get_by_role("button", name="Save").click()
    expect(page.locator(".nhsuk-error-summary")).to_contain_text("Say why the skill is not yet verified")
    page.get_by_label("Yes, verified").check()
    page.get_by_role("button", name="Save").click()
    expect(page.get_by_text(f"{unrecorded.competency.code} is saved.")).to_be_visible()
    assert PassportSkill.objects.get(pk=unrecorded.pk).verification == Verification.VERIFIED
    sign_out(page)

    sign_in(page, live_server, people["trust_lead"].email, DEMO_PASSWORD)
    goto(page, url(live_server, "/progression/frameworks/import/"))
    expect(page.get_by_role("link", name="Download the skills passport template (CSV)")).to_be_visible()
