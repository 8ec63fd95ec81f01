"""Two web servers at once, as behind a load balancer: the two gunicorn servers .ci/production started
share PostgreSQL, Redis and the file storage, with one worker, and keep nothing of their own. A
person moves between them in one browser (cookies belong to the host, not the port): the sign-in
carries over, evidence uploaded through one downloads through the other, an export the worker
built downloads from either, and a change made through one shows on the other at once.
"""

from __future__ import annotations

import re
from typing import Any

from playwright.sync_api import expect

from preceptorship.tests.browser import check_page, goto
from preceptorship.tests.production.stage import MARKS, Stage, fetch, href, report, sign_in
from preceptorship.tests.production.test_production_stage import export_ready, queue_enrolments_export

pytestmark = MARKS

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n% evidence uploaded through the first server\n"


def test_a_sign_in_on_one_server_continues_on_the_other(prod_page: Any, stage: Stage) -> None:
    prod_page.context.clear_cookies()
    sign_in(prod_page, stage.first, stage.email("manager_sw"), stage.password)
    goto(prod_page, stage.second("/"))
    expect(prod_page.get_by_role("heading", name="Hello, Daniel", level=1)).to_be_visible()
    check_page(prod_page, axe=False)
    goto(prod_page, stage.second("/progression/cases/"))
    expect(prod_page.get_by_role("link", name="Rosa Delgado").first).to_be_visible()

    # Signing out on the second ends the session on the first too.
    prod_page.get_by_role("button", name="Sign out").click()
    response = goto(prod_page, stage.first("/progression/cases/"))
    assert "/sign-in/" in prod_page.url, response.url
    report("two servers: signed in through the first, carried on through the second; signed out through "
           "the second, signed out on the first")


def test_evidence_uploaded_through_one_server_downloads_through_the_other_and_shows_at_once(
    prod_page: Any, stage: Stage, tmp_path: Any
) -> None:
    prod_page.context.clear_cookies()
    sign_in(prod_page, stage.first, stage.email("manager_sw"), stage.password)
    goto(prod_page, stage.first("/progression/cases/"))
    prod_page.get_by_role("link", name="Rosa Delgado").first.click()
    expect(prod_page.get_by_role("link", name="Add evidence")).to_be_visible()
    case_path = prod_page.url.removeprefix(stage.first.url)
    prod_page.get_by_role("link", name="Add evidence").click()
    title = "Two-server check: discharge planning with the ward"
    prod_page.get_by_label("Title").fill(title)
    prod_page.get_by_label("Day", exact=True).fill("3")
    prod_page.get_by_label("Month", exact=True).fill("2")
    prod_page.get_by_label("Year", exact=True).fill("2025")
    prod_page.get_by_label("What happened and what it shows").fill("Planned a complex discharge with the ward.")
    prod_page.locator("input[name=competencies]").first.check()
    upload = tmp_path / "discharge-plan.pdf"
    upload.write_bytes(PDF)
    prod_page.get_by_label(re.compile("^File")).set_input_files(str(upload))
    prod_page.get_by_role("button", name="Add the evidence").click()
    expect(prod_page.get_by_text("The evidence is added.")).to_be_visible()

    # The second server shows it at once (no waiting: the page is read once it has loaded).
    goto(prod_page, stage.second(case_path))
    expect(prod_page.get_by_role("link", name=title)).to_be_visible(timeout=1_000)
    prod_page.get_by_role("link", name=title).click()
    link = prod_page.get_by_role("link", name="Download discharge-plan.pdf")
    address = href(prod_page, link)
    assert address.startswith(stage.second.url), address
    response = fetch(prod_page, address)
    assert response.body() == PDF
    assert "attachment" in response.headers.get("content-disposition", "")
    report("two servers: evidence added through the first shows on the second at once; its file, uploaded "
           "through the first, downloads byte for byte through the second")


def test_an_export_built_by_the_worker_downloads_from_either_server(prod_page: Any, stage: Stage) -> None:
    prod_page.context.clear_cookies()
    sign_in(prod_page, stage.second, stage.email("council_lead"), stage.password)
    job = queue_enrolments_export(stage)
    first = fetch(prod_page, export_ready(prod_page, stage.first, job)).body()
    second = fetch(prod_page, export_ready(prod_page, stage.second, job)).body()
    assert first == second and first.startswith(b"PK"), "the two servers gave different files"
    report(f"two servers: export {job} built by the worker downloads identically from both ({len(first):,} bytes)")


def test_a_change_through_one_server_shows_on_the_other_at_once(prod_page: Any, stage: Stage) -> None:
    """Notifications read through one server: the other's header count (a cached figure on many
    pages) falls at once."""
    prod_page.context.clear_cookies()
    sign_in(prod_page, stage.first, stage.email("hr"), stage.password)
    goto(prod_page, stage.second("/"))
    unread = prod_page.get_by_role("link", name=re.compile(r"^Notifications"))
    expect(unread).to_have_text(re.compile(r"\d+ unread"))
    goto(prod_page, stage.first("/notifications/"))
    prod_page.get_by_role("button", name=re.compile("Mark all", re.I)).click()
    prod_page.wait_for_load_state()
    goto(prod_page, stage.second("/"))
    expect(prod_page.get_by_role("link", name=re.compile(r"^Notifications"))).not_to_have_text(
        re.compile(r"\d+ unread"), timeout=1_000
    )
    report("two servers: notifications marked read through the first show as read on the second at once")
