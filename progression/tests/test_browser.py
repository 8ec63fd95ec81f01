"""Journey 3 in a real browser: a line manager evidences and submits a progression case; the Head of
Service returns it once and then recommends it; the Operational Director signs it off; HR records
the outcome; the manager records that the worker was told and the letter downloads as a PDF with
the practitioner's name. Each step is taken from its check page, which names who will be told.
Every page is checked (axe, styles, console) at desktop width and at 320 px.
"""

from __future__ import annotations

import re
import zlib
from collections.abc import Iterator
from typing import Any

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from preceptorship.tests.browser import DEMO_PASSWORD, check_both, goto, sign_in, sign_out, url
from progression.models import ProgressionCase

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True, serialized_rollback=True)]

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


@pytest.fixture
def people(transactional_db: Any, django_db_serialized_rollback: Any) -> Iterator[dict[str, Any]]:
    """The directory and the progression demo, every demo login with the harness's password."""
    from bench.demo import directory as directory_demo
    from bench.demo import progression as demo

    today = timezone.localdate()
    directory = directory_demo.build(password=DEMO_PASSWORD, today=today)
    demo.build(directory=directory, today=today)
    yield directory.users


def _pdf_text(data: bytes) -> bytes:
    """The PDF's objects, with compressed streams opened (the document title lives in one)."""
    parts = [data]
    for match in re.finditer(rb"stream\r?\n(.*?)\r?\nendstream", data, re.S):
        try:
            parts.append(zlib.decompress(match.group(1)))
        except zlib.error:
            continue
    return b"\n".join(parts)


def _as(page: Any, live_server: Any, user: Any) -> None:
    if page.get_by_role("button", name="Sign out").count():
        sign_out(page)
    sign_in(page, live_server, user.email, DEMO_PASSWORD)


def test_journey_3_progression_case_to_the_letter(page: Any, live_server: Any, people: dict[str, Any],
                                                  tmp_path: Any) -> None:
    manager, practitioner = people["manager_sw"], people["practitioner_sw"]
    case = ProgressionCase.objects.get(practitioner=practitioner)
    name = practitioner.get_full_name()

    # The line manager finds the case on the home page and marks the last competencies reached.
    sign_in(page, live_server, manager.email, DEMO_PASSWORD)
    check_both(page, "manager-home")
    page.get_by_role("link", name=re.compile(f"^{name}")).first.click()
    check_both(page, "case-being-evidenced")
    expect(page.get_by_text("The case cannot be submitted yet. Still missing:")).to_be_visible()
    page.get_by_role("link", name="Add evidence").click()
    check_both(page, "evidence-form")
    page.get_by_label("Title").fill("Leading the hospital discharge review")
    page.get_by_label("Day", exact=True).fill("3")
    page.get_by_label("Month", exact=True).fill("2")
    page.get_by_label("Year", exact=True).fill("2025")
    page.get_by_label("What happened and what it shows").fill("Led the review with health partners.")
    missing = list(case.assessments.exclude(status__in=["reached", "exceeded"]).select_related("competency"))
    assert len(missing) == 2
    for assessment in missing:
        page.get_by_label(re.compile(f"^{re.escape(assessment.competency.code)}:")).check()
    upload = tmp_path / "discharge-review.pdf"
    upload.write_bytes(PDF)
    page.get_by_label("File (optional)").set_input_files(str(upload))
    page.get_by_role("button", name="Add the evidence").click()
    expect(page.get_by_text("The evidence is added.")).to_be_visible()
    for n, assessment in enumerate(missing):
        page.get_by_role("link", name=assessment.competency.code, exact=True).click()
        if n == 0:
            check_both(page, "mark-competency")
        page.get_by_label("Reached", exact=True).check()
        page.get_by_label("Manager's comment").fill("Shown in the discharge review evidence.")
        page.get_by_role("button", name="Save the mark").click()
        expect(page.get_by_text(f"{assessment.competency.code} is marked.")).to_be_visible()
    # Only the practitioner's statement is missing now: no "Submit" until they have read the table.
    expect(page.get_by_text("The practitioner's statement: they have not yet read the table")).to_be_visible()
    expect(page.get_by_role("button", name="Submit the case")).to_have_count(0)

    # The practitioner reads the table and agrees.
    _as(page, live_server, practitioner)
    goto(page, url(live_server, case.get_absolute_url()))
    page.get_by_role("link", name="Read the table and give your statement").click()
    check_both(page, "practitioner-statement")
    page.get_by_role("button", name="Save my statement").click()
    expect(page.locator(".nhsuk-error-summary")).to_contain_text("Say whether you agree with the table")
    check_both(page, "practitioner-statement-error")
    page.get_by_label("Yes, I agree with it").check()
    page.get_by_role("button", name="Save my statement").click()
    expect(page.get_by_text("Your statement is saved.")).to_be_visible()

    _as(page, live_server, manager)
    goto(page, url(live_server, case.get_absolute_url()))
    expect(page.locator(".nhsuk-inset-text")).to_contain_text("Agrees with the table")
    page.get_by_role("button", name="Submit the case").click()
    expect(page.get_by_role("heading", name="Check before you submit the case")).to_be_visible()
    expect(page.locator("[data-told]")).to_contain_text(
        f"{people['head_of_service'].get_full_name()}, Head of Service")
    check_both(page, "check-submit")
    page.get_by_role("button", name="Submit the case to the Head of Service").click()
    expect(page.get_by_text("The case is submitted to the Head of Service.")).to_be_visible()
    check_both(page, "case-submitted")

    # The Head of Service returns it with reasons.
    _as(page, live_server, people["head_of_service"])
    goto(page, url(live_server, "/progression/cases/waiting/"))
    check_both(page, "waiting-for-me")
    page.get_by_role("link", name=name).click()
    page.get_by_role("link", name="Recommend or return").click()
    check_both(page, "head-of-service-decides")
    page.get_by_label("Return to the line manager").check()
    page.get_by_role("button", name="Continue").click()
    expect(page.locator(".nhsuk-error-summary").get_by_text("Give the reasons to return the case")).to_be_visible()
    check_both(page, "return-without-reasons")
    page.get_by_label("Comment").fill("Please add the outcome of the audit.")
    pointed = missing[0].competency.code
    page.get_by_label(re.compile(f"^{re.escape(pointed)}:")).check()
    page.get_by_role("button", name="Continue").click()
    expect(page.get_by_role("heading", name="Check before you return the case")).to_be_visible()
    expect(page.locator(".nhsuk-summary-list")).to_contain_text(pointed)
    # "Change" goes back to the form with what was typed.
    page.get_by_role("button", name="Change comment").click()
    expect(page.get_by_label("Comment")).to_have_value("Please add the outcome of the audit.")
    expect(page.get_by_label("Return to the line manager")).to_be_checked()
    page.get_by_role("button", name="Continue").click()
    expect(page.locator("[data-told]")).to_contain_text(f"{manager.get_full_name()}, Line manager")
    page.get_by_role("button", name="Return the case").click()
    expect(page.get_by_text("The case is returned to the line manager.")).to_be_visible()

    # The manager sees the reasons and the competency concerned at the top of the case; the practitioner
    # is away, so the manager records why they cannot give their statement again, and submits it.
    _as(page, live_server, manager)
    goto(page, url(live_server, case.get_absolute_url()))
    expect(page.locator(".nhsuk-warning-callout").get_by_text("Please add the outcome of the audit.")).to_be_visible()
    expect(page.locator(".nhsuk-warning-callout").get_by_role("link", name=pointed)).to_be_visible()
    expect(page.get_by_text("Pointed at in the return")).to_have_count(1)
    check_both(page, "case-returned")
    page.get_by_role("link", name="Record why the practitioner cannot give their statement").click()
    check_both(page, "statement-unable")
    page.get_by_label("Why the practitioner could not").fill("On annual leave until after the panel.")
    page.get_by_role("button", name="Record why").click()
    page.get_by_role("button", name="Submit the case").click()
    page.get_by_role("button", name="Submit the case to the Head of Service").click()
    expect(page.get_by_text("The case is submitted to the Head of Service.")).to_be_visible()

    # The Head of Service recommends it; the Operational Director signs it off.
    _as(page, live_server, people["head_of_service"])
    goto(page, url(live_server, case.get_absolute_url()))
    page.get_by_role("link", name="Recommend or return").click()
    page.get_by_label("Recommend to the Operational Director").check()
    page.get_by_role("button", name="Continue").click()
    page.get_by_role("button", name="Recommend the case").click()
    expect(page.get_by_text("The case is recommended to the Operational Director.")).to_be_visible()
    _as(page, live_server, people["director"])
    goto(page, url(live_server, case.get_absolute_url()))
    page.get_by_role("link", name="Sign off, return or decline").click()
    expect(page.locator(".app-recommendation")).to_contain_text("The Head of Service's recommendation")
    expect(page.get_by_text("On annual leave until after the panel.")).to_be_visible()
    check_both(page, "director-decides")
    page.get_by_label("Sign off the progression").check()
    page.get_by_role("button", name="Continue").click()
    expect(page.get_by_role("heading", name="Check before you sign off the progression")).to_be_visible()
    expect(page.locator("[data-told]")).to_contain_text(f"{name}, Practitioner")
    check_both(page, "check-sign-off")
    page.get_by_role("button", name="Sign off the progression").click()
    expect(page.get_by_text("The progression is signed off")).to_be_visible()

    # HR records the HR/payroll step.
    _as(page, live_server, people["hr"])
    goto(page, url(live_server, case.get_absolute_url()))
    page.get_by_role("link", name="Record the HR process").click()
    check_both(page, "hr-records")
    page.get_by_label("HR/payroll reference").fill("ASC-PAY-30001")
    page.get_by_label("Day", exact=True).fill("1")
    page.get_by_label("Month", exact=True).fill("4")
    page.get_by_label("Year", exact=True).fill("2025")
    page.get_by_role("button", name="Continue").click()
    page.get_by_role("button", name="Record the HR process").click()
    expect(page.get_by_text("The HR process is recorded")).to_be_visible()

    # The manager records that the worker was told, produces the letter and downloads it.
    _as(page, live_server, manager)
    goto(page, url(live_server, case.get_absolute_url()))
    page.get_by_role("link", name="Record that the worker was told").click()
    check_both(page, "worker-told")
    today = timezone.localdate()
    page.get_by_label("Day", exact=True).fill(str(today.day))
    page.get_by_label("Month", exact=True).fill(str(today.month))
    page.get_by_label("Year", exact=True).fill(str(today.year))
    page.get_by_role("button", name="Continue").click()
    page.get_by_role("button", name="Record that the worker was told").click()
    page.get_by_role("button", name="Produce the confirmation letter").click()
    expect(page.get_by_role("heading", name="Check before you produce the confirmation letter")).to_be_visible()
    check_both(page, "check-letter")
    page.get_by_role("button", name="Produce the letter").click()
    expect(page.get_by_text("The confirmation letter is ready to download")).to_be_visible()
    check_both(page, "case-confirmed")
    with page.expect_download() as download_info:
        page.get_by_role("link", name="Download the confirmation letter (PDF)").click()
    data = open(download_info.value.path(), "rb").read()  # noqa: PTH123, SIM115
    assert data.startswith(b"%PDF")
    assert name.encode() in _pdf_text(data)
    case.refresh_from_db()
    assert case.stage == ProgressionCase.Stage.CONFIRMED
    assert list(case.decisions.values_list("decision", flat=True))[-10:] == [
        "statement", "submitted", "returned", "statement", "submitted", "recommended", "signed_off", "hr_recorded",
        "worker_told", "confirmed",
    ]


def test_a_line_manager_withdraws_a_case_opened_by_mistake(page: Any, live_server: Any,
                                                           people: dict[str, Any]) -> None:
    case = ProgressionCase.objects.get(practitioner__first_name="Hollie", practitioner__last_name="Quinn")
    sign_in(page, live_server, people["manager_sw"].email, DEMO_PASSWORD)
    goto(page, url(live_server, case.get_absolute_url()))
    page.get_by_role("link", name="Withdraw this case").click()
    check_both(page, "withdraw-case")
    page.get_by_role("button", name="Continue").click()
    expect(page.locator(".nhsuk-error-summary")).to_contain_text("Say why the case is withdrawn.")
    page.get_by_label("Why the case is withdrawn").fill("Opened before the team's restructure; to be reopened.")
    page.get_by_role("button", name="Continue").click()
    expect(page.get_by_role("heading", name="Check before you withdraw the case")).to_be_visible()
    check_both(page, "check-withdraw")
    page.get_by_role("button", name="Withdraw the case").click()
    expect(page.get_by_text("The case is withdrawn.")).to_be_visible()
    expect(page.locator(".nhsuk-warning-callout")).to_contain_text("Opened before the team's restructure")
    expect(page.get_by_role("link", name="Add evidence")).to_have_count(0)
    check_both(page, "case-withdrawn")
    case.refresh_from_db()
    assert case.stage == ProgressionCase.Stage.WITHDRAWN


def test_frameworks_and_case_lists_in_the_browser(page: Any, live_server: Any, people: dict[str, Any],
                                                  tmp_path: Any) -> None:
    """The programme lead reads the shipped framework, previews an import with row errors, then imports
    a draft; the Head of Service filters all cases in scope."""
    sign_in(page, live_server, people["council_lead"].email, DEMO_PASSWORD)
    goto(page, url(live_server, "/progression/frameworks/"))
    check_both(page, "framework-list")
    page.get_by_role("link", name="Occupational Therapist career progression, Range 6 to Range 7").click()
    expect(page.get_by_role("heading", name="Range 7 key competencies")).to_be_visible()
    check_both(page, "framework-detail")
    goto(page, url(live_server, "/progression/frameworks/import/"))
    check_both(page, "framework-import")
    bad = tmp_path / "passport.csv"
    bad.write_text("section,code,statement,guidance\nCare,C1,Gives person-centred care.,\n,C2,No section.,\n")
    page.get_by_label("Framework file").set_input_files(str(bad))
    page.get_by_label("Framework name").fill("Band 3 Skills Passport")
    page.get_by_role("button", name="Check the file").click()
    expect(page.get_by_text("Row 3: the section is empty.")).to_be_visible()
    check_both(page, "framework-import-errors")
    bad.write_text("section,code,statement,guidance\nCare,C1,Gives person-centred care.,\nCare,C2,Keeps records.,\n")
    page.get_by_label("Framework file").set_input_files(str(bad))
    page.get_by_label("Framework name").fill("Band 3 Skills Passport")
    page.get_by_role("button", name="Check the file").click()
    check_both(page, "framework-import-preview")
    page.get_by_role("button", name="Import the framework").click()
    expect(page.get_by_role("heading", name="Band 3 Skills Passport")).to_be_visible()
    check_both(page, "framework-draft")

    _as(page, live_server, people["head_of_service"])
    goto(page, url(live_server, "/progression/cases/"))
    check_both(page, "case-list")
    page.get_by_text("Filter the cases").click()
    page.get_by_label("Stage (optional)", exact=True).select_option(label="With the Operational Director")
    page.get_by_role("button", name="Apply filters").click()
    expect(page.locator("tbody tr")).to_have_count(1)
    check_both(page, "case-list-filtered")
