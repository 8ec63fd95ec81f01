"""In a real browser: the decision form reveals the competencies concerned only under "return"; a line
manager opens a case by choosing the practitioner first, then a framework that suits them; retiring a
framework names the open cases on it first. Every page is checked (axe, styles, console) at desktop
width and at 320 px.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from preceptorship.tests.browser import DEMO_PASSWORD, check_both, goto, sign_in, sign_out, url
from progression import services
from progression.models import Framework, ProgressionCase
from progression.tests.factories import small_framework

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True, serialized_rollback=True)]


@pytest.fixture
def people(transactional_db: Any, django_db_serialized_rollback: Any) -> Iterator[dict[str, Any]]:
    """The directory and the progression demo, every demo login with the harness's password."""
    from bench.demo import directory as directory_demo
    from bench.demo import progression as demo

    today = timezone.localdate()
    directory = directory_demo.build(password=DEMO_PASSWORD, today=today)
    demo.build(directory=directory, today=today)
    yield directory.users


def _as(page: Any, live_server: Any, user: Any) -> None:
    if page.get_by_role("button", name="Sign out").count():
        sign_out(page)
    sign_in(page, live_server, user.email, DEMO_PASSWORD)


def test_the_competencies_of_a_return_are_revealed_under_return(page: Any, live_server: Any,
                                                                 people: dict[str, Any]) -> None:
    for decider, stage in ((people["director"], ProgressionCase.Stage.RECOMMENDED),
                           (people["head_of_service"], ProgressionCase.Stage.SUBMITTED)):
        case = ProgressionCase.objects.filter(stage=stage).first()
        _as(page, live_server, decider)
        goto(page, url(live_server, f"/progression/cases/{case.pk}/decide/"))
        first_box = page.locator('input[name="competencies"]').first
        expect(first_box).to_be_hidden()
        check_both(page, f"decide-{stage}")
        page.get_by_label("Return to the line manager").check()
        expect(first_box).to_be_visible()
        check_both(page, f"decide-{stage}-return")
        other = page.get_by_role("radio").first
        other.check()
        expect(first_box).to_be_hidden()


def test_a_line_manager_chooses_the_practitioner_then_a_suitable_framework(page: Any, live_server: Any,
                                                                           people: dict[str, Any]) -> None:
    practitioner = people["practitioner_sw"]
    _as(page, live_server, people["manager_sw"])
    goto(page, url(live_server, "/progression/cases/new/"))
    expect(page.get_by_label("Framework")).to_have_count(0)
    check_both(page, "case-open-practitioner")
    page.get_by_label("Practitioner").select_option(label=practitioner.get_full_name())
    page.get_by_role("button", name="Continue").click()
    expect(page.get_by_text(practitioner.get_full_name()).first).to_be_visible()
    offered = page.get_by_label("Framework").locator("option").all_inner_texts()
    assert any("Social Worker" in text for text in offered)
    assert not any("Occupational Therapist" in text for text in offered)
    check_both(page, "case-open-framework")


def test_retiring_a_framework_names_its_open_cases_first(page: Any, live_server: Any,
                                                         people: dict[str, Any]) -> None:
    council = people["council_lead"].memberships.first().organisation
    framework = small_framework(owner=council)
    manager, practitioner = people["manager_sw"], people["practitioner_sw"]
    membership = practitioner.memberships.first()
    case = services.progression_case_open(
        actor=manager, practitioner=practitioner, framework=framework, target_role="Senior Social Worker",
        head_of_service=people["head_of_service"], organisation=membership.organisation, team=membership.team)
    _as(page, live_server, people["council_lead"])
    goto(page, url(live_server, framework.get_absolute_url()))
    page.get_by_role("button", name="Retire").click()
    expect(page.get_by_role("heading", name="Check before you retire the framework")).to_be_visible()
    expect(page.get_by_text(f"{practitioner.get_full_name()}: Draft")).to_be_visible()
    check_both(page, "framework-retire-check")
    page.get_by_role("button", name=f"Retire version {framework.version}").click()
    expect(page.get_by_text("The framework is retired")).to_be_visible()
    assert Framework.objects.get(pk=framework.pk).status == Framework.Status.RETIRED
    assert ProgressionCase.objects.get(pk=case.pk).framework_id == framework.pk
