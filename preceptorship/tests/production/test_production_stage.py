"""Production journeys: with DEBUG off, collected static files, gunicorn, a Celery worker and beat on
PostgreSQL and Redis, and SMTP to a local mail server, every role signs in and does its main thing;
the certificate, the letter and the evidence pack download as PDFs; a staff file imports; an
export built by the worker downloads; the reminder sweep's e-mails arrive with their calendar
invitations. Started by .ci/production, which builds the release and starts the servers.
"""

from __future__ import annotations

import io
import json
import os
import re
import time
from email.message import Message
from typing import Any

import pytest
from openpyxl import load_workbook
from playwright.sync_api import expect

from preceptorship.tests.browser import check_page, click_nav, goto, screenshot
from preceptorship.tests.production.stage import (
    MARKS,
    WORKER_SECONDS,
    Stage,
    fetch,
    fetch_pdf,
    href,
    report,
    sign_in,
    until,
)

pytestmark = MARKS

LEAD = "council_lead"
WORKER_MS = WORKER_SECONDS * 1000

# Each role's home page (its to-do list) and a panel or heading it must show.
HOMES = [
    ("preceptee_ot_mid", "Your preceptorship"),
    ("mentor_ot", "Your caseload"),
    ("manager_sw", "Progression cases waiting for you"),
    ("head_of_service", "Progression cases waiting for you"),
    ("director", "Progression cases waiting for you"),
    ("hr", "Progression cases waiting for you"),
    (LEAD, "Your dashboard"),
    ("ics_lead", "Your integrated care system"),
]


def _as(page: Any, stage: Stage, key: str, server: Any = None) -> None:
    page.context.clear_cookies()
    sign_in(page, server or stage.first, stage.email(key), stage.password)


def open_case(page: Any, server: Any, name: str) -> None:
    goto(page, server("/progression/cases/"))
    page.get_by_role("link", name=name).first.click()
    expect(page.get_by_role("heading", level=1)).to_be_visible()


def test_static_files_are_collected_hashed_and_served_by_the_application(prod_page: Any, stage: Stage) -> None:
    goto(prod_page, stage.first("/sign-in/"))
    stylesheets = prod_page.eval_on_selector_all("link[rel=stylesheet]", "links => links.map(l => l.href)")
    assert stylesheets and all(re.search(r"\.[0-9a-f]{12}\.css$", address) for address in stylesheets), stylesheets
    response = fetch(prod_page, stylesheets[0])
    assert "immutable" in response.headers.get("cache-control", ""), response.headers
    check_page(prod_page)
    report(f"static files: hashed names from the manifest, served with far-future caching ({len(stylesheets)} "
           "stylesheets), page styled with no CSP or console errors")


def test_health_checks_answer_on_both_servers(prod_page: Any, stage: Stage) -> None:
    for server in (stage.first, stage.second):
        assert json.loads(fetch(prod_page, server("/livez")).text())["status"] == "ok"
        ready = json.loads(fetch(prod_page, server("/readyz")).text())
        assert ready["status"] == "ok", ready
    report("health: /livez and /readyz answer ok on both servers (database and Redis reachable)")


def _parts(message: Message) -> dict[str, str]:
    return {part.get_content_type(): part.get_payload(decode=True).decode("utf-8", "replace")
            for part in message.walk() if not part.is_multipart()}


# Before the journeys below change what is due (a review recorded, a case moved on).
def test_reminder_emails_arrive_through_the_worker_with_calendar_invitations(stage: Stage) -> None:
    before = set(stage.messages())
    # The sweep records and queues; the worker sends each e-mail over SMTP to the local mail server.
    counts = json.loads(stage.manage("send_due_reminders").strip().splitlines()[-1])
    assert counts["total"] > 0, f"the sweep found nothing due: {counts}"

    def arrived() -> list[Message] | None:
        messages = [message for key, message in stage.messages().items() if key not in before]
        return messages if len(messages) >= counts["total"] else None

    messages = until(f"the {counts['total']} reminder e-mails at the mail server", arrived, every=1)
    with_invitation = [m for m in messages if "text/calendar" in _parts(m)]
    assert with_invitation, "no reminder e-mail carries a calendar invitation"
    calendar = _parts(with_invitation[0])["text/calendar"]
    assert "BEGIN:VCALENDAR" in calendar and "BEGIN:VEVENT" in calendar, calendar[:200]
    assert with_invitation[0]["To"] and "example" in with_invitation[0]["To"]
    assert "http://localhost:" in _parts(with_invitation[0]).get("text/plain", ""), "no link to the site"
    report(f"reminders: the sweep queued {counts['total']}, the worker delivered {len(messages)} e-mail(s) over SMTP, "
           f"{len(with_invitation)} with a text/calendar invitation")

    # Running the sweep again records and sends nothing new.
    settled = len(stage.messages())
    again = json.loads(stage.manage("send_due_reminders").strip().splitlines()[-1])
    assert again["total"] == 0, again
    time.sleep(3)
    assert len(stage.messages()) == settled
    report("reminders: a second sweep e-mails nobody twice")


@pytest.mark.parametrize(("key", "panel"), HOMES, ids=[key for key, _ in HOMES])
def test_each_role_signs_in_to_their_home_page(prod_page: Any, stage: Stage, key: str, panel: str) -> None:
    _as(prod_page, stage, key)
    expect(prod_page.get_by_role("heading", name=panel)).to_be_visible()
    check_page(prod_page)
    report(f"{key}: signed in, home page shows '{panel}', styled, axe-clean")


def test_the_administrator_reaches_the_admin_pages(prod_page: Any, stage: Stage) -> None:
    _as(prod_page, stage, "admin")
    goto(prod_page, stage.first("/admin/"))
    expect(prod_page.get_by_role("heading", name="Site administration")).to_be_visible()
    report("admin: signed in, Django admin pages served (their static files from the manifest)")


def test_a_mentor_records_a_review_meeting_and_the_preceptee_acknowledges_it(prod_page: Any, stage: Stage) -> None:
    _as(prod_page, stage, "mentor_ot")
    prod_page.get_by_role("link", name="Jordan Hayes", exact=True).first.click()
    prod_page.get_by_role("link", name="Record a review meeting", exact=True).first.click()
    expect(prod_page.locator("h1")).to_contain_text("Record review meeting")
    prod_page.get_by_label("Preceptee", exact=True).check()
    prod_page.get_by_label("Mentor", exact=True).check()
    prod_page.get_by_label("What was discussed").fill("Caseload, a complex discharge and the OT forum.")
    prod_page.check("#id_wellbeing_3")
    prod_page.check("#id_confidence_2")
    prod_page.check("#id_protected_time_received_1")
    prod_page.get_by_role("button", name="Save the record", exact=True).click()
    expect(prod_page.locator(".nhsuk-notification-banner")).to_contain_text("The review meeting is recorded")
    check_page(prod_page)
    report("mentor: from the caseload, a review meeting recorded")

    _as(prod_page, stage, "preceptee_ot_mid")
    prod_page.locator(".nhsuk-card", has_text="Review records to acknowledge").get_by_role(
        "link", name=re.compile("^Review meeting")
    ).first.click()
    prod_page.get_by_label("Your comment").fill("Thank you.")
    prod_page.get_by_role("button", name="Acknowledge the record", exact=True).click()
    expect(prod_page.locator(".nhsuk-notification-banner")).to_contain_text("You have acknowledged the record")
    check_page(prod_page)
    report("preceptee: the review record read and acknowledged")


def test_the_sign_off_chain_moves_on(prod_page: Any, stage: Stage) -> None:
    _as(prod_page, stage, "head_of_service")
    open_case(prod_page, stage.first, "Tariq Bell")
    prod_page.get_by_role("link", name="Recommend or return").click()
    prod_page.get_by_label("Recommend to the Operational Director").check()
    prod_page.get_by_role("button", name="Continue").click()
    expect(prod_page.get_by_role("heading", name="Check before you recommend the case")).to_be_visible()
    check_page(prod_page)
    prod_page.get_by_role("button", name="Recommend the case").click()
    expect(prod_page.get_by_text("The case is recommended to the Operational Director.")).to_be_visible()
    check_page(prod_page)
    report("Head of Service: a submitted progression case recommended")

    _as(prod_page, stage, "director")
    open_case(prod_page, stage.first, "Isaac Newman")
    prod_page.get_by_role("link", name="Sign off, return or decline").click()
    prod_page.get_by_label("Sign off the progression").check()
    prod_page.get_by_role("button", name="Continue").click()
    expect(prod_page.get_by_role("heading", name="Check before you sign off the progression")).to_be_visible()
    prod_page.get_by_role("button", name="Sign off the progression").click()
    expect(prod_page.get_by_text("The progression is signed off")).to_be_visible()
    check_page(prod_page)
    report("Operational Director: a recommended progression case signed off")


def test_the_certificate_downloads_as_a_pdf(prod_page: Any, stage: Stage) -> None:
    _as(prod_page, stage, "preceptee_ot_done")
    prod_page.get_by_role("link", name="Occupational Therapy preceptorship").first.click()
    link = prod_page.get_by_role("link", name="Download the certificate (PDF)")
    body = fetch_pdf(prod_page, href(prod_page, link))
    with prod_page.expect_download() as download:
        link.click()
    assert download.value.suggested_filename.endswith(".pdf")
    report(f"certificate: application/pdf, {len(body):,} bytes, downloads in the browser")


def test_hr_downloads_the_letter_and_the_worker_builds_the_evidence_pack(prod_page: Any, stage: Stage) -> None:
    _as(prod_page, stage, "hr")
    open_case(prod_page, stage.first, "Megan Ashby")
    body = fetch_pdf(prod_page, href(prod_page, prod_page.get_by_role("link", name="Download the confirmation letter (PDF)")))
    report(f"confirmation letter: application/pdf, {len(body):,} bytes")

    prod_page.get_by_role("button", name="Build the evidence pack (PDF)").click()
    expect(prod_page.get_by_role("heading", name="Evidence pack")).to_be_visible()
    pack_page = prod_page.url

    def ready() -> bool:
        goto(prod_page, pack_page)
        if prod_page.get_by_text("The pack could not be built").count():
            raise AssertionError(f"{pack_page}: the worker could not build the evidence pack")
        return prod_page.get_by_role("link", name="Download the evidence pack (PDF)").count() == 1

    until("the evidence pack built by the worker", ready, every=2)
    check_page(prod_page)
    body = fetch_pdf(prod_page, href(prod_page, prod_page.get_by_role("link", name="Download the evidence pack (PDF)")))
    report(f"evidence pack: built by the worker, application/pdf, {len(body):,} bytes")


HEADER = "E-mail,First name,Last name,Organisation,Team,Profession,Job title,Band,Roles\n"


def test_a_programme_lead_imports_staff(prod_page: Any, stage: Stage) -> None:
    _as(prod_page, stage, LEAD)
    click_nav(prod_page, "Import staff")  # through the header's More menu when the lead's links fold there
    expect(prod_page.get_by_role("heading", name="Import staff", level=1)).to_be_visible()
    council = "Dalesford County Council Adult Social Care"
    emails = ["noor.ahmed@council.example", "sian.evans@council.example"]
    rows = [f"{emails[0]},Noor,Ahmed,{council},Occupational Therapy Service,"
            "Occupational therapy,Occupational Therapist,Level 1,",
            f"{emails[1]},Siân,Evans,{council},North Locality Adult Social Care,"
            "Social work,Social Worker,Range 6,"]
    prod_page.get_by_label("Staff file").set_input_files(
        {"name": "esr-export.csv", "mimeType": "text/csv", "buffer": (HEADER + "\n".join(rows) + "\n").encode()}
    )
    prod_page.get_by_role("button", name="Check the file").click()
    expect(prod_page.get_by_role("heading", name="What the import will do")).to_be_visible()
    check_page(prod_page)
    prod_page.get_by_role("button", name="Import 2 rows").click()
    # The worker applies the import; the page follows its progress and shows the outcome.
    expect(prod_page.get_by_role("heading", name="Staff imported")).to_be_visible(timeout=WORKER_MS)
    check_page(prod_page)
    screenshot(prod_page, "staff-imported")
    report("staff import: a CSV of 2 people checked, previewed, and applied by the worker")
    invited = until("the import's invitation e-mails at the mail server", lambda: [
        message for message in stage.messages().values() if any(address in (message["To"] or "") for address in emails)
    ])
    report(f"staff import: {len(invited)} invitation e-mail(s) delivered through the worker over SMTP")


def queue_enrolments_export(stage: Stage, key: str = LEAD) -> int:
    """Queue the background export of the enrolments list, as the dashboard does for a list longer than
    exports.BACKGROUND_ROWS (2,000 rows; the demo has a dozen), through the same service; its id."""
    # The server's date, not this process's (the test session's clock is pinned).
    code = (
        "from django.utils import timezone\n"
        "from preceptorship.models import User\n"
        "from programmes import exports  # the reports app registers its list exports when Django starts\n"
        f"lead = User.objects.get(email={stage.email(key)!r})\n"
        "today = timezone.localdate()\n"
        "job = exports.export_job_start(actor=lead, name='enrolments', fmt='xlsx', parameters={\n"
        "    'start': today.replace(year=today.year - 5).isoformat(), 'end': today.isoformat()})\n"
        "print(job.pk)\n"
    )
    return int(stage.manage("shell", "-c", code).strip().splitlines()[-1])


def export_ready(page: Any, server: Any, job: int) -> str:
    """Wait for the worker to build the export; the address of its download."""

    def status() -> dict[str, Any] | None:
        data = json.loads(fetch(page, server(f"/programmes/reports/exports/{job}/status/")).text())
        assert data["status"] != "failed", f"export {job} failed"
        return data if data["finished"] else None

    return server(until(f"export {job} built by the worker", status, every=1)["download"])


def test_an_export_built_by_the_worker_downloads(prod_page: Any, stage: Stage) -> None:
    _as(prod_page, stage, LEAD)
    job = queue_enrolments_export(stage)
    address = export_ready(prod_page, stage.first, job)
    goto(prod_page, stage.first(f"/programmes/reports/exports/{job}/"))
    expect(prod_page.get_by_role("heading", name="Ready to download")).to_be_visible()
    check_page(prod_page)
    with prod_page.expect_download() as download:
        prod_page.get_by_role("link", name=re.compile("^Download the file")).click()
    rows = list(load_workbook(io.BytesIO(download.value.path().read_bytes())).active.values)
    assert rows[0][:3] == ("enrolment_id", "preceptee", "email") and len(rows) > 5, rows[:2]
    assert fetch(prod_page, address).body() == download.value.path().read_bytes()
    report(f"background export: built by the worker, {len(rows) - 1} enrolments in the .xlsx, downloaded")


def test_beat_is_running_with_the_hourly_sweep(stage: Stage) -> None:
    os.kill(stage.beat_pid, 0)  # raises if beat is gone
    log = stage.beat_log.read_text()
    assert "beat: Starting" in log, log[-2000:]
    os.kill(stage.worker_pid, 0)
    worker = stage.worker_log.read_text()
    assert "preceptorship.tasks.sweep_reminders" in worker, "the worker does not know the beat's task"
    report(f"beat: running (pid {stage.beat_pid}), the worker registered the sweep beat sends every hour")
