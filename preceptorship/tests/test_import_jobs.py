"""A staff import never hangs: a check or an import that raises is failed with a reason, one whose
worker died is failed once its time is up, and the person imports the file again."""

from __future__ import annotations

import datetime
from http import HTTPStatus

import pytest
from django.urls import reverse
from django.utils import timezone

from preceptorship import imports, jobs
from preceptorship.models import Membership, StaffImport, User
from preceptorship.tests.factories import person
from preceptorship.tests.test_imports import _csv, _row

pytestmark = pytest.mark.django_db
Role = Membership.Role
LOST_AFTER = jobs.stale_after(imports.APPLY_TIME_LIMIT)


@pytest.fixture
def lead(organisation):
    return person(organisation, Role.PROGRAMME_LEAD)


def _fail_saving(monkeypatch) -> None:
    def broken(plan, actor):
        raise MemoryError

    monkeypatch.setattr(imports.jobs, "_save", broken)


def test_a_failing_import_is_shown_with_its_reason_and_imported_again(
    client, lead, organisation, monkeypatch, django_capture_on_commit_callbacks
):
    client.force_login(lead)
    client.post(reverse("staff:import"), {"file": _csv([_row(1, organisation), _row(2, organisation)])})
    staff_import = StaffImport.objects.get()
    assert staff_import.status == StaffImport.Status.READY
    _fail_saving(monkeypatch)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("staff:import-confirm", args=[staff_import.pk]))
    assert response.status_code == HTTPStatus.FOUND
    staff_import.refresh_from_db()
    assert (staff_import.status, staff_import.error) == (StaffImport.Status.FAILED, "MemoryError")
    assert not User.objects.filter(email__startswith="new.person").exists()
    page = client.get(reverse("staff:import-detail", args=[staff_import.pk])).content.decode()
    assert "The import failed" in page and "It stopped with an error (MemoryError)" in page
    assert "Import 2 rows again" in page

    monkeypatch.undo()
    with django_capture_on_commit_callbacks(execute=True):
        client.post(reverse("staff:import-confirm", args=[staff_import.pk]))
    staff_import.refresh_from_db()
    assert (staff_import.status, staff_import.error) == (StaffImport.Status.DONE, "")
    assert User.objects.filter(email__startswith="new.person").count() == 2


def test_a_check_that_raises_is_failed_and_the_file_is_uploaded_again(client, lead, organisation, monkeypatch):
    def broken(*args, **kwargs):
        raise LookupError

    monkeypatch.setattr(imports.jobs, "check", broken)
    client.force_login(lead)
    response = client.post(reverse("staff:import"), {"file": _csv([_row(1, organisation)])})
    staff_import = StaffImport.objects.get()
    assert response["Location"] == reverse("staff:import-detail", args=[staff_import.pk])
    assert (staff_import.status, staff_import.error) == (StaffImport.Status.FAILED, "LookupError")
    page = client.get(response["Location"]).content.decode()
    assert "It stopped with an error (LookupError)" in page and "Upload the file again" in page
    assert "again</button>" not in page
    assert client.post(reverse("staff:import-confirm", args=[staff_import.pk])).status_code == HTTPStatus.FOUND
    staff_import.refresh_from_db()
    assert staff_import.status == StaffImport.Status.FAILED


def test_an_import_whose_worker_died_is_failed_when_next_read_and_imported_again(
    client, lead, organisation, time_machine, django_capture_on_commit_callbacks
):
    time_machine.move_to(timezone.now(), tick=False)
    staff_import = imports.staff_import_upload(actor=lead, upload=_csv([_row(1, organisation)]))
    imports.staff_import_start(actor=lead, staff_import=staff_import)  # queued; the task never runs here
    StaffImport.objects.filter(pk=staff_import.pk).update(step="Checking the rows again")
    client.force_login(lead)
    status_url = reverse("staff:import-status", args=[staff_import.pk])

    time_machine.shift(LOST_AFTER)
    assert not client.get(status_url).json()["finished"]

    time_machine.shift(datetime.timedelta(seconds=1))
    status = client.get(status_url).json()
    assert status["finished"] and status["status"] == "failed"
    staff_import.refresh_from_db()
    assert (staff_import.error, staff_import.step) == (jobs.WORKER_LOST, "")
    page = client.get(reverse("staff:import-detail", args=[staff_import.pk])).content.decode()
    assert "the background worker stopped" in page and "Import 1 row again" in page

    with django_capture_on_commit_callbacks(execute=True):
        client.post(reverse("staff:import-confirm", args=[staff_import.pk]))
    staff_import.refresh_from_db()
    assert staff_import.status == StaffImport.Status.DONE
    assert User.objects.filter(email="new.person1@example.org").exists()


def test_the_upload_page_fails_lost_imports_in_its_list(client, lead, organisation, time_machine):
    time_machine.move_to(timezone.now(), tick=False)
    lost = StaffImport.objects.create(uploaded_by=lead, original_filename="lost.csv",
                                      status=StaffImport.Status.CHECKING)
    time_machine.shift(datetime.timedelta(minutes=5))
    waiting = StaffImport.objects.create(uploaded_by=lead, original_filename="waiting.csv",
                                         status=StaffImport.Status.CHECKING)
    time_machine.shift(LOST_AFTER - datetime.timedelta(minutes=1))
    client.force_login(lead)
    assert client.get(reverse("staff:import")).status_code == HTTPStatus.OK
    assert StaffImport.objects.get(pk=lost.pk).status == StaffImport.Status.FAILED
    assert StaffImport.objects.get(pk=waiting.pk).status == StaffImport.Status.CHECKING
