"""In a real browser: the Head of Service records a redeployment from the case page, checked first;
HR opens the letter's check page, reads the letter there (signed by the Operational Director, with
the pay range) and opens its PDF preview before producing it. Every page is checked (axe, styles,
console) at desktop width and at 320 px."""

from __future__ import annotations

import datetime
import re
from collections.abc import Iterator
from typing import Any

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from preceptorship.models import Membership
from preceptorship.tests.browser import DEMO_PASSWORD, check_both, goto, sign_in, sign_out, url
from preceptorship.tests.factories import TeamFactory, person
from progression import services
from progression.models import ProgressionCase

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True, serialized_rollback=True)]
Role = Membership.Role


@pytest.fixture
def people(transactional_db: Any, django_db_serialized_rollback: Any) -> Iterator[dict[str, Any]]:
    from bench.demo import directory as directory_demo
    from bench.demo import progression as demo

    today = timezone.localdate()
    directory = directory_demo.build(password=DEMO_PASSWORD, today=today)
    demo.build(directory=directory, today=today)
    yield directory.users


def test_redeployment_and_the_letter_preview(page: Any, live_server: Any, people: dict[str, Any]) -> None:
    practitioner, director, hos, hr = (people[key] for key in ("practitioner_ot", "director", "head_of_service",
                                                               "hr"))
    case = ProgressionCase.objects.get(practitioner=practitioner)
    case = services.progression_case_od_decide(actor=director, case=case, decision="sign_off")
    reablement = TeamFactory(organisation=case.organisation, name="Reablement Team")
    person(case.organisation, Role.PRACTITIONER, team=reablement, profession=practitioner.profession)

    sign_in(page, live_server, hos.email, DEMO_PASSWORD)
    goto(page, url(live_server, case.get_absolute_url()))
    page.get_by_role("link", name="Record a redeployment").click()
    check_both(page, "redeploy-form")
    page.get_by_role("button", name="Continue").click()
    expect(page.locator(".nhsuk-error-summary")).to_contain_text("Enter the business need for the move.")
    page.get_by_label("Team they move to").select_option(label="Reablement Team")
    page.get_by_label("Business need for the move").fill("The reablement service needs an advanced practitioner.")
    page.get_by_role("button", name="Continue").click()
    check_both(page, "check-redeploy")
    page.get_by_role("button", name="Record the redeployment").click()
    expect(page.get_by_text("The redeployment is recorded")).to_be_visible()
    sign_out(page)

    case = services.progression_case_hr_record(actor=hr, case=ProgressionCase.objects.get(pk=case.pk),
                                               hr_reference="PAY-2231", effective_date=timezone.localdate(),
                                               redeployed_to=reablement)
    services.progression_case_record_told(actor=case.line_manager, case=case,
                                          told_on=timezone.localdate() - datetime.timedelta(days=1),
                                          told_by=case.line_manager)

    sign_in(page, live_server, hr.email, DEMO_PASSWORD)
    goto(page, url(live_server, case.get_absolute_url()))
    page.get_by_role("button", name="Produce the confirmation letter").click()
    check_both(page, "check-letter")
    letter = page.locator("[data-preview]")
    expect(letter).to_contain_text(director.get_full_name())
    expect(letter).to_contain_text("Reablement Team")
    preview = page.get_by_role("link", name=re.compile("Open the letter as it will be sent"))
    response = page.request.get(url(live_server, preview.get_attribute("href")))
    assert response.status == 200 and response.headers["content-type"] == "application/pdf"
    assert ProgressionCase.objects.get(pk=case.pk).stage == ProgressionCase.Stage.WORKER_TOLD
    page.get_by_role("button", name="Produce the letter").click()
    expect(page.get_by_text("The confirmation letter is ready to download")).to_be_visible()
