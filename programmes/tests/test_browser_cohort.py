"""The programme lead enrols a cohort in a real browser, a mentor and a line manager for each
person: ticks people on the enrol page, goes on to choose per person, fills the cohort from a
spreadsheet instead, forgets the start date (told beside it, the choices kept), then enrols
everyone. Each page is checked (styled, no browser errors, axe-clean) at desktop width and 320px."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from preceptorship.models import Organisation, Profession, User
from preceptorship.tests.browser import Demo, goto, sign_in
from programmes.models import Enrolment, Transition
from programmes.tests.factories import ProgrammeFactory
from programmes.tests.test_browser_lead import _check_both_widths, _fill_date

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True, serialized_rollback=True)]


def test_lead_enrols_a_cohort_with_a_mentor_for_each_person(
    page: Any, demo: Demo, live_server: Any, tmp_path: Path
) -> None:
    council = Organisation.objects.get(memberships__user__email=demo.email("council_lead"))
    programme = ProgrammeFactory(organisation=council, name="Social work cohort 2026", mentor_capacity=6,
                                 transitions=[Transition.NEWLY_REGISTERED.value],
                                 professions=[Profession.objects.get(slug="social-work")])
    rosa = User.objects.get(email=demo.email("practitioner_sw"))
    tariq = User.objects.get(first_name="Tariq", last_name="Bell")
    mentor = User.objects.get(email=demo.email("mentor_sw"))
    manager = User.objects.get(email=demo.email("manager_sw"))
    sign_in(page, live_server, demo.email("council_lead"), demo.password)
    goto(page, live_server.url + programme.get_absolute_url())
    page.get_by_role("link", name="Enrol people").click()
    page.wait_for_load_state()
    page.get_by_label(re.compile(r"^Rosa Delgado")).check()
    page.get_by_role("button", name="Choose a mentor for each person").click()
    page.wait_for_load_state()
    expect(page.get_by_role("heading", name="Enrol a cohort", level=1)).to_be_visible()
    assert page.get_by_label("Mentor for Rosa Delgado").input_value() == str(mentor.pk)  # proposed
    _check_both_widths(page, "cohort-form")

    sheet = tmp_path / "cohort.csv"
    sheet.write_text(f"Employee number or e-mail,Mentor,Line manager\n{rosa.email},,{manager.email}\n"
                     f"{tariq.email},{mentor.email},\nnobody@example.org,,\n")
    page.get_by_text("Fill the cohort from a spreadsheet").click()
    page.get_by_label("Upload a spreadsheet").set_input_files(str(sheet))
    page.get_by_role("button", name="Upload and check").click()
    page.wait_for_load_state()
    expect(page.locator(".nhsuk-error-summary")).to_contain_text("Row 4: nobody who can join this programme",
                                                                 use_inner_text=True)
    assert page.get_by_label("Line manager for Rosa Delgado (optional)").input_value() == str(manager.pk)
    assert page.get_by_label("Mentor for Tariq Bell").input_value() == str(mentor.pk)
    _check_both_widths(page, "cohort-uploaded")

    page.get_by_label("Newly registered").check()
    page.get_by_role("button", name="Enrol the cohort").click()
    page.wait_for_load_state()
    expect(page.locator(".nhsuk-error-summary")).to_contain_text("Enter", use_inner_text=True)
    assert page.get_by_label("Mentor for Tariq Bell").input_value() == str(mentor.pk)  # nothing lost
    assert not Enrolment.objects.filter(programme=programme).exists()
    _check_both_widths(page, "cohort-errors")

    _fill_date(page, "start_date", timezone.localdate())
    page.get_by_role("button", name="Enrol the cohort").click()
    page.wait_for_load_state()
    expect(page.locator("main")).to_contain_text("Enrolled a cohort of 2", use_inner_text=True)
    assert set(Enrolment.objects.filter(programme=programme).values_list("preceptee", "mentor", "line_manager")) == {
        (rosa.pk, mentor.pk, manager.pk), (tariq.pk, mentor.pk, None)}
