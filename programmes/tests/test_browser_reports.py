"""The dashboards and the staff import in a real browser: a programme lead filters the dashboard,
reads a chart and its table and downloads the .xlsx; an ICS lead compares organisations and finds
a mentor; a staff file imports with a preview and row errors. Every page passes check_page (axe)."""

from __future__ import annotations

import io
import re
from pathlib import Path
from typing import Any

import pytest
from django.utils import timezone
from openpyxl import load_workbook
from playwright.sync_api import expect

from preceptorship.models import Membership, User
from preceptorship.tests.browser import check_page, click_nav, goto, screenshot, sign_in, url
from preceptorship.tests.factories import person, profession
from programmes import exports
from programmes.models import Enrolment, ExportJob, Programme
from programmes.tests.factories_reports import ReportEnrolmentFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True, serialized_rollback=True)]

Role = Membership.Role


def _six_new_starters(lead_email: str) -> Programme:
    """Six more preceptees starting this month on the council's OT programme, so a figure shows."""
    lead = User.objects.get(email=lead_email)
    programme = Programme.objects.get(organisation__memberships__user=lead, name__startswith="Occupational")
    mentor = User.objects.get(email="maya.okafor@council.dalesford.example")
    for n in range(6):
        ReportEnrolmentFactory(
            programme=programme, mentor=mentor, start_date=timezone.localdate().replace(day=1),
            preceptee=person(programme.organisation, Role.PRACTITIONER, email=f"starter{n}@council.example",
                             profession=profession("occupational-therapy")),
        )
    return programme


def test_a_programme_lead_filters_reads_a_chart_and_downloads_excel(page: Any, demo: Any, live_server: Any):
    lead_email = demo.email("council_lead")
    programme = _six_new_starters(lead_email)
    sign_in(page, live_server, lead_email, demo.password)
    expect(page.get_by_role("heading", name="Your dashboard")).to_be_visible()  # the home panel
    check_page(page)
    page.get_by_role("link", name="Dashboard", exact=True).first.click()
    page.wait_for_load_state()
    expect(page.get_by_role("heading", name="Dashboard", level=1)).to_be_visible()
    check_page(page)

    # Filter by programme.
    page.get_by_text("Change the period and filters").click()
    page.get_by_label("Programme (optional)").select_option(label=programme.name)
    page.get_by_role("button", name="Show figures").click()
    page.wait_for_load_state()
    assert f"programme={programme.pk}" in page.url
    screenshot(page, "dashboard-filtered")
    check_page(page)

    # The chart has an accessible name; its numbers are behind a details toggle.
    chart = page.get_by_role("img", name="Starts and completions by month")
    expect(chart).to_have_count(1)
    page.get_by_text("Show the numbers for “Starts and completions by month”").click()
    table = page.get_by_role("table", name="Starts and completions by month")
    this_month = timezone.localdate().strftime("%b %Y")
    row = table.get_by_role("row", name=this_month)
    starts = Enrolment.objects.filter(programme=programme, start_date__gte=timezone.localdate().replace(day=1)).count()
    assert starts >= 6
    assert row.get_by_role("cell").first.inner_text() == str(starts)
    check_page(page)

    # Download the table as Excel and read it back.
    with page.expect_download() as download:
        page.get_by_role("link", name=re.compile(r"^Download Excel \(\.xlsx\)\W+Starts, completions")).click()
    assert download.value.suggested_filename.startswith("monthly-") and download.value.suggested_filename.endswith(".xlsx")
    sheet = load_workbook(io.BytesIO(Path(download.value.path()).read_bytes())).active
    rows = list(sheet.values)
    assert rows[0][:4] == ("month", "starts", "completions", "active_enrolments")
    assert rows[0][4:] == ("starts_hidden", "completions_hidden", "active_enrolments_hidden")  # why a figure is hidden
    assert rows[-1][0] == timezone.localdate().strftime("%Y-%m") and rows[-1][1] == starts


def test_a_long_list_is_prepared_in_the_background_then_downloaded(
    page: Any, demo: Any, live_server: Any, monkeypatch: Any
):
    monkeypatch.setattr(exports, "BACKGROUND_ROWS", 2)  # the demo's handful of enrolments counts as long
    sign_in(page, live_server, demo.email("council_lead"), demo.password)
    goto(page, url(live_server, "/programmes/reports/dashboard/"))
    page.get_by_role("link", name="Download enrolments as Excel (.xlsx)").click()
    page.wait_for_load_state()
    expect(page.get_by_role("heading", name="Your download", level=1)).to_be_visible()
    expect(page.get_by_role("heading", name="Ready to download")).to_be_visible()
    check_page(page)
    with page.expect_download() as download:
        page.get_by_role("link", name="Download the file (Excel (.xlsx))").click()
    rows = list(load_workbook(io.BytesIO(Path(download.value.path()).read_bytes())).active.values)
    assert rows[0][:3] == ("enrolment_id", "preceptee", "email")
    assert len(rows) - 1 == ExportJob.objects.get().total_rows > 2


def test_an_ics_lead_compares_organisations_and_finds_a_mentor(page: Any, demo: Any, live_server: Any):
    sign_in(page, live_server, demo.email("ics_lead"), demo.password)
    check_page(page)
    page.get_by_role("link", name="ICS dashboard").first.click()
    page.wait_for_load_state()
    table = page.get_by_role("table", name="Organisations side by side")
    for name in ("Dalesford Community Health NHS Foundation Trust", "Dalesford County Council Adult Social Care",
                 "Riverbend Care Partnership"):
        expect(table.get_by_role("row", name=name)).to_have_count(1)
    expect(table).to_contain_text("fewer than 5", use_inner_text=True)
    expect(page.get_by_role("img", name="Completion rate, by organisation")).to_have_count(1)
    assert "ellie.turner" not in page.content()  # no personal record of a preceptee
    screenshot(page, "ics-dashboard")
    check_page(page)

    page.get_by_role("link", name="Mentor directory").first.click()
    page.wait_for_load_state()
    page.get_by_label("Profession (optional)").select_option(label="Podiatry (chiropody)")
    page.get_by_role("button", name="Show mentors").click()
    page.wait_for_load_state()
    directory = page.get_by_role("table")
    assert "Ravi Kapoor" in directory.inner_text() and "Riverbend Care Partnership" in directory.inner_text()
    expect(directory).not_to_contain_text("Maya Okafor", use_inner_text=True)
    check_page(page)


HEADER = "E-mail,First name,Last name,Organisation,Team,Profession,Job title,Band,Roles\n"


def _staff_file(rows: list[str]) -> dict[str, Any]:
    return {"name": "esr-export.csv", "mimeType": "text/csv", "buffer": (HEADER + "\n".join(rows) + "\n").encode()}


def test_a_staff_file_imports_with_a_preview_and_row_errors(page: Any, demo: Any, live_server: Any):
    sign_in(page, live_server, demo.email("council_lead"), demo.password)
    click_nav(page, "Import staff")
    check_page(page)
    council = "Dalesford County Council Adult Social Care"
    good = f"new.ot@council.example,Noor,Ahmed,{council},Occupational Therapy Service,Occupational therapy,OT,Level 1,"
    bad = f"not-an-address,Bad,Row,{council},,Astrology,,,"
    page.get_by_label("Staff file").set_input_files(_staff_file([good, bad]))
    page.get_by_role("button", name="Check the file").click()
    page.wait_for_load_state()
    expect(page.get_by_role("heading", name="There is a problem")).to_be_visible()
    errors = page.get_by_role("table", name="Row errors")
    expect(errors).to_contain_text("Enter a valid e-mail address", use_inner_text=True)
    expect(errors).to_contain_text("“Astrology” is not a profession we know", use_inner_text=True)
    screenshot(page, "import-errors")
    check_page(page)
    assert not User.objects.filter(email="new.ot@council.example").exists()

    page.get_by_role("link", name="Upload a corrected file").click()
    page.wait_for_load_state()
    page.get_by_label("Staff file").set_input_files(_staff_file([good]))
    page.get_by_role("button", name="Check the file").click()
    page.wait_for_load_state()
    expect(page.get_by_role("heading", name="What the import will do")).to_be_visible()
    check_page(page)
    page.get_by_role("button", name="Import 1 row").click()
    page.wait_for_load_state()
    expect(page.get_by_role("heading", name="Staff imported")).to_be_visible()
    check_page(page)
    assert User.objects.filter(email="new.ot@council.example").exists()


def test_the_report_pages_at_phone_width(page: Any, demo: Any, live_server: Any):
    page.set_viewport_size({"width": 320, "height": 720})
    sign_in(page, live_server, demo.email("trust_lead"), demo.password)
    for path in ("/programmes/reports/dashboard/", "/programmes/reports/mentors/", "/staff/import/"):
        goto(page, url(live_server, path))
        check_page(page)
    page.context.clear_cookies()
    sign_in(page, live_server, demo.email("ics_lead"), demo.password)
    goto(page, url(live_server, "/programmes/reports/ics/"))
    check_page(page)
