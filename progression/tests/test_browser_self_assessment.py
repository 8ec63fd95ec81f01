"""In a real browser: the programme lead opens a framework's self-assessment setting; the demo's
practitioner on a self-assessed framework changes a rating on their self-assessment page; their line
manager reads the disagreements side by side, is refused a settlement without a reason, then settles
one. Every page is checked (axe, styles, console) at desktop width and at 320 px."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from preceptorship.tests.browser import DEMO_PASSWORD, check_both, goto, sign_in, sign_out, url
from progression.models import CompetencyAssessment, ProgressionCase

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True, serialized_rollback=True)]


@pytest.fixture
def people(transactional_db: Any, django_db_serialized_rollback: Any) -> Iterator[dict[str, Any]]:
    from bench.demo import directory as directory_demo
    from bench.demo import progression as progression_demo
    from bench.demo import self_assessment as demo

    today = timezone.localdate()
    directory = directory_demo.build(password=DEMO_PASSWORD, today=today)
    progression_demo.build(directory=directory, today=today)
    case = demo.build(directory=directory, today=today)
    yield {**directory.users, "case": case}


def test_the_worker_rates_themselves_and_the_manager_settles_a_disagreement(page: Any, live_server: Any,
                                                                            people: dict[str, Any]) -> None:
    case: ProgressionCase = people["case"]
    sign_in(page, live_server, people["council_lead"].email, DEMO_PASSWORD)
    goto(page, url(live_server, case.framework.get_absolute_url()))
    page.get_by_role("link", name="Change self-assessment").click()
    check_both(page, "framework-self-assessment")
    sign_out(page)

    sign_in(page, live_server, case.practitioner.email, DEMO_PASSWORD)
    goto(page, url(live_server, case.get_absolute_url()))
    page.get_by_role("link", name="Rate each competency yourself").click()
    check_both(page, "self-assessment")
    first = CompetencyAssessment.objects.filter(case=case).order_by("competency__section__order",
                                                                    "competency__order").first()
    page.locator(f"input[name='rating_{first.competency_id}'][value='developing']").check()
    page.get_by_role("button", name="Save my ratings").click()
    expect(page.get_by_text("Your ratings are saved.")).to_be_visible()
    sign_out(page)

    sign_in(page, live_server, people["manager_sw"].email, DEMO_PASSWORD)
    goto(page, url(live_server, case.get_absolute_url()))
    expect(page.get_by_text("the disagreement is not settled").first).to_be_visible()
    page.get_by_role("link", name="Settle the disagreements").click()
    check_both(page, "disagreements")
    page.get_by_role("link", name=f"Settle {first.competency.code}", exact=True).click()
    check_both(page, "settle-disagreement")
    page.get_by_role("button", name="Settle the disagreement").click()
    expect(page.locator(".nhsuk-error-summary")).to_contain_text("Choose which rating stands, or a new one.")
    check_both(page, "settle-disagreement-errors")
    page.get_by_label("The practitioner's rating: developing").check()
    page.get_by_label("Reason").fill("Agreed in supervision: developing, with a plan for the next three months.")
    page.get_by_role("button", name="Settle the disagreement").click()
    expect(page.get_by_text(f"The disagreement on {first.competency.code} is settled.")).to_be_visible()
    assert CompetencyAssessment.objects.get(pk=first.pk).is_settled
