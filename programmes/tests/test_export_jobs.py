"""A background export never hangs: a build that raises is failed with a reason, a build whose
worker died is failed once its time is up, and the person asks for the file again."""

from __future__ import annotations

import datetime
from http import HTTPStatus

import pytest
from django.urls import reverse
from django.utils import timezone

from preceptorship import jobs
from preceptorship.models import Membership
from preceptorship.tests.factories import person
from programmes import exports
from programmes.models import ExportJob
from programmes.tests.factories_reports import ReportEnrolmentFactory, ReportProgrammeFactory

pytestmark = pytest.mark.django_db
Role = Membership.Role
LOST_AFTER = jobs.stale_after(exports.EXPORT_TIME_LIMIT)


@pytest.fixture
def lead(organisation):
    return person(organisation, Role.PROGRAMME_LEAD)


@pytest.fixture
def big_list(organisation, monkeypatch):
    """Five enrolments, and a background threshold of three rows."""
    monkeypatch.setattr(exports, "BACKGROUND_ROWS", 3)
    programme = ReportProgrammeFactory(organisation=organisation)
    mentor = person(organisation, Role.MENTOR)
    for _ in range(5):
        ReportEnrolmentFactory(programme=programme, mentor=mentor, start_date=timezone.localdate())


def _break_rows(monkeypatch) -> None:
    def broken(user, parameters):
        raise ConnectionError("database went away")

    export = exports.LISTS["enrolments"]
    monkeypatch.setitem(exports.LISTS, "enrolments", exports.ListExport(export.name, export.title, export.columns,
                                                                      broken))


def test_a_failing_export_is_shown_with_its_reason_and_can_be_asked_for_again(
    client, lead, big_list, monkeypatch, django_capture_on_commit_callbacks
):
    _break_rows(monkeypatch)
    client.force_login(lead)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.get(reverse("programmes:enrolments-export", args=["csv"]))
    job = ExportJob.objects.get()
    assert response.status_code == HTTPStatus.FOUND
    assert (job.status, job.error) == (ExportJob.Status.FAILED, "ConnectionError")
    page = client.get(response["Location"]).content.decode()
    assert "The file could not be built" in page and "It stopped with an error (ConnectionError)" in page
    assert client.get(reverse("programmes:export-job-status", args=[job.pk])).json()["finished"]

    monkeypatch.undo()
    monkeypatch.setattr(exports, "BACKGROUND_ROWS", 3)
    with django_capture_on_commit_callbacks(execute=True):
        again = client.post(reverse("programmes:export-job-retry", args=[job.pk]))
    assert again["Location"] == reverse("programmes:export-job", args=[job.pk])
    job.refresh_from_db()
    assert (job.status, job.error, job.done_rows) == (ExportJob.Status.DONE, "", 5)
    download = client.get(reverse("programmes:export-job-download", args=[job.pk]))
    assert len(b"".join(download.streaming_content).decode("utf-8-sig").splitlines()) == 6


def test_asking_again_for_a_file_that_did_not_fail_changes_nothing(client, lead, django_capture_on_commit_callbacks):
    job = ExportJob.objects.create(requested_by=lead, table="enrolments", format="csv",
                                   status=ExportJob.Status.RUNNING, total_rows=10, done_rows=4)
    client.force_login(lead)
    with django_capture_on_commit_callbacks(execute=True) as queued:
        client.post(reverse("programmes:export-job-retry", args=[job.pk]))
    assert queued == []
    job.refresh_from_db()
    assert (job.status, job.done_rows) == (ExportJob.Status.RUNNING, 4)


def test_an_export_whose_worker_died_is_failed_when_its_status_is_next_read(client, lead, time_machine):
    time_machine.move_to(timezone.now(), tick=False)
    job = ExportJob.objects.create(requested_by=lead, table="enrolments", format="xlsx",
                                   status=ExportJob.Status.QUEUED)
    ExportJob.objects.filter(pk=job.pk).update(status=ExportJob.Status.RUNNING, total_rows=4000, done_rows=1000)
    client.force_login(lead)
    status_url = reverse("programmes:export-job-status", args=[job.pk])

    time_machine.shift(LOST_AFTER)
    assert not client.get(status_url).json()["finished"]

    time_machine.shift(datetime.timedelta(seconds=1))
    status = client.get(status_url).json()
    assert status["finished"] and status["status"] == "failed" and status["download"] == ""
    page = client.get(reverse("programmes:export-job", args=[job.pk])).content.decode()
    assert "the background worker stopped" in page and "Build the file again" in page
    job.refresh_from_db()
    assert job.error == jobs.WORKER_LOST and job.finished_at == timezone.now()
