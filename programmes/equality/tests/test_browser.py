"""In a real browser: a practitioner answers equality monitoring from their profile, changes an answer
and removes them all; the council's programme lead reads the figures by group and downloads them; the
ICS lead reads one organisation's figures. Every page is checked
(axe, styles, console) at desktop width and at 320 px."""

from __future__ import annotations

import csv
from collections.abc import Iterator
from typing import Any

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from preceptorship.tests.browser import DEMO_PASSWORD, check_both, goto, sign_in, sign_out, url
from programmes.equality.models import EqualityAnswers

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True, serialized_rollback=True)]


@pytest.fixture
def people(transactional_db: Any, django_db_serialized_rollback: Any) -> Iterator[dict[str, Any]]:
    from bench.demo import directory as directory_demo
    from bench.demo import enrolments as enrolments_demo
    from bench.demo import equality as demo
    from bench.demo import progression as progression_demo

    today = timezone.localdate()
    directory = directory_demo.build(password=DEMO_PASSWORD, today=today)
    progression_demo.build(directory=directory, today=today)
    enrolments_demo.build(directory=directory, today=today)
    demo.build(directory=directory, today=today)
    yield directory.users


def test_a_person_answers_changes_and_removes_and_the_lead_reads_the_figures(page: Any, live_server: Any,
                                                                            people: dict[str, Any]) -> None:
    someone = people["preceptee_ot_withdrawn"]
    sign_in(page, live_server, someone.email, DEMO_PASSWORD)
    goto(page, url(live_server, "/profile/"))
    page.get_by_role("link", name="Equality monitoring").click()
    page.wait_for_load_state()
    expect(page.get_by_role("heading", level=1)).to_have_text("Equality monitoring")
    check_both(page, "equality-mine")
    page.get_by_label("White: Irish").check()
    page.locator("input[name=disability][value=prefer_not_to_say]").check()
    page.get_by_role("button", name="Save my answers").click()
    page.wait_for_load_state()
    expect(page.get_by_text("Your equality monitoring answers are saved.")).to_be_visible()
    check_both(page, "equality-mine-saved")
    saved = EqualityAnswers.objects.get(user=someone)
    assert (saved.ethnic_group, saved.disability, saved.sex) == ("white_irish", "prefer_not_to_say", "")
    page.locator("input[name=ethnic_group][value='']").check()
    page.get_by_role("button", name="Save my answers").click()
    page.wait_for_load_state()
    saved.refresh_from_db()
    assert saved.ethnic_group == "" and saved.disability == "prefer_not_to_say"
    page.get_by_role("button", name="Remove all my answers").click()
    page.wait_for_load_state()
    expect(page.get_by_text("Your equality monitoring answers are removed.")).to_be_visible()
    assert not EqualityAnswers.objects.filter(user=someone).exists()
    sign_out(page)

    sign_in(page, live_server, people["council_lead"].email, DEMO_PASSWORD)
    # The header lists the link (behind "More" on narrow headers).
    assert page.locator("header a[href='/equality/figures/']").count() >= 1
    goto(page, url(live_server, "/equality/figures/"))
    expect(page.get_by_role("heading", level=1)).to_have_text("Equality figures")
    check_both(page, "equality-figures")
    page.get_by_label("Group people by").select_option("disability")
    page.get_by_role("button", name="Show").click()
    page.wait_for_load_state()
    retention = page.get_by_role("table").first
    no = retention.locator("tbody tr").nth(1)  # Yes, No, Prefer not to say, Not answered, All people
    for text in ("No", "Completed 6", "Left or withdrawn 5", "Total 11"):
        expect(no).to_contain_text(text)
    expect(retention).to_contain_text("fewer than 5")
    check_both(page, "equality-figures-disability")
    with page.expect_download() as download:
        page.get_by_role("link", name="Download the equality figures as CSV").click()
    with open(download.value.path(), encoding="utf-8-sig") as file:
        rows = list(csv.DictReader(file))
    council = people["council_lead"].memberships.first().organisation.name
    assert {row["organisation"] for row in rows} == {council} and {row["question"] for row in rows} == {"disability"}
    no = next(row for row in rows if row["measure"] == "retention" and row["group"] == "No")
    assert (no["achieved"], no["not_achieved"], no["total"]) == ("6", "5", "11")
    sign_out(page)

    sign_in(page, live_server, people["ics_lead"].email, DEMO_PASSWORD)
    goto(page, url(live_server, "/equality/figures/"))
    page.get_by_label("Organisation").select_option(label=council)
    page.get_by_role("button", name="Show").click()
    page.wait_for_load_state()
    expect(page.get_by_text(f"Counted: {council}.")).to_be_visible()
    check_both(page, "equality-figures-organisation")
