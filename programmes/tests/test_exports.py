"""CSV and Excel files: stable column codes, numbers as numbers, suppressed figures as text, no
formulas; big lists are built in the background with progress and a download link."""

from __future__ import annotations

import datetime
import io

import pytest
from django.urls import reverse
from openpyxl import load_workbook

from preceptorship.models import Membership
from preceptorship.tests.factories import person
from programmes import exports
from programmes.models import ExportJob
from programmes.reporting.measures import SUPPRESSED, count
from programmes.tests.factories_reports import ReportEnrolmentFactory, ReportProgrammeFactory

Role = Membership.Role


def _table():
    return exports.Table(
        "example", "Example", [("name", "Name"), ("people", "People"), ("on", "On")],
        [["=cmd()", count(7), datetime.date(2026, 3, 1)], ["Small", count(2), None]],
    )


def test_xlsx_has_the_codes_then_numbers_dates_and_a_flag_column_for_hidden_figures():
    sheet = load_workbook(io.BytesIO(exports.render(_table(), "xlsx"))).active
    rows = list(sheet.values)
    assert rows[0] == ("name", "people", "on", "people_hidden")
    assert rows[1][0] == "'=cmd()"  # never a formula
    assert rows[1][1] == 7 and rows[1][3] is None
    assert rows[1][2].date() == datetime.date(2026, 3, 1)
    # The number column holds numbers only: a hidden figure is an empty cell, its reason is beside it.
    assert rows[2][1] is None and rows[2][3] == SUPPRESSED
    assert all(isinstance(row[1], int) or row[1] is None for row in rows[1:])


def test_csv_has_a_byte_order_mark_and_iso_dates():
    content = exports.render(_table(), "csv")
    assert content.startswith(b"\xef\xbb\xbf")
    lines = content.decode("utf-8-sig").splitlines()
    assert lines == ["name,people,on,people_hidden", "'=cmd(),7,2026-03-01,", f"Small,,,{SUPPRESSED}"]


def test_unknown_format_is_refused():
    with pytest.raises(ValueError):
        exports.render(_table(), "pdf")


@pytest.fixture
def lead(organisation):
    return person(organisation, Role.PROGRAMME_LEAD)


def test_a_small_enrolment_list_downloads_at_once(client, lead, organisation, today):
    programme = ReportProgrammeFactory(organisation=organisation)
    mentor = person(organisation, Role.MENTOR)
    enrolment = ReportEnrolmentFactory(programme=programme, mentor=mentor, start_date=today)
    client.force_login(lead)
    response = client.get(reverse("programmes:enrolments-export", args=["xlsx"]))
    rows = list(load_workbook(io.BytesIO(response.content)).active.values)
    assert rows[0] == tuple(code for code, _ in exports.LISTS["enrolments"].columns)
    assert rows[1][0] == enrolment.pk and rows[1][2] == enrolment.preceptee.email


def test_a_big_list_is_built_in_the_background_with_progress(client, lead, organisation, monkeypatch,
                                                             django_capture_on_commit_callbacks, today):
    monkeypatch.setattr(exports, "BACKGROUND_ROWS", 3)
    monkeypatch.setattr(exports, "PROGRESS_EVERY", 2)
    programme = ReportProgrammeFactory(organisation=organisation)
    mentor = person(organisation, Role.MENTOR)
    for _ in range(5):
        ReportEnrolmentFactory(programme=programme, mentor=mentor, start_date=today)
    client.force_login(lead)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.get(reverse("programmes:enrolments-export", args=["csv"]))
    job = ExportJob.objects.get()
    assert response.status_code == 302 and response["Location"] == reverse("programmes:export-job", args=[job.pk])
    assert job.status == ExportJob.Status.DONE and job.total_rows == 5 and job.done_rows == 5
    page = client.get(response["Location"]).content.decode()
    assert "Ready to download" in page
    status = client.get(reverse("programmes:export-job-status", args=[job.pk])).json()
    assert status["finished"] and status["percent"] == 100
    download = client.get(reverse("programmes:export-job-download", args=[job.pk]))
    body = b"".join(download.streaming_content).decode("utf-8-sig").splitlines()
    assert body[0].startswith("enrolment_id,preceptee,email") and len(body) == 6
    # Someone else cannot see it.
    client.force_login(person(organisation, Role.PROGRAMME_LEAD))
    assert client.get(reverse("programmes:export-job", args=[job.pk])).status_code == 404


def test_a_running_job_shows_its_progress(client, lead):
    job = ExportJob.objects.create(requested_by=lead, table="enrolments", format="xlsx",
                                   status=ExportJob.Status.RUNNING, total_rows=4000, done_rows=1000)
    client.force_login(lead)
    page = client.get(reverse("programmes:export-job", args=[job.pk])).content.decode()
    assert 'value="25"' in page and "1000 of 4000 rows" in page
    assert client.get(reverse("programmes:export-job-download", args=[job.pk])).status_code == 404


def test_a_failed_build_is_recorded(lead, monkeypatch):
    job = ExportJob.objects.create(requested_by=lead, table="enrolments", format="csv", parameters={})
    with pytest.raises(KeyError):
        exports.export_job_build(job_id=job.pk)  # no period in the parameters
    job.refresh_from_db()
    assert job.status == ExportJob.Status.FAILED and job.error == "KeyError"
