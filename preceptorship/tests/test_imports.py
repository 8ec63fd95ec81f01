"""Bulk import of staff: preview with every row's errors, all or nothing, idempotent, invitations
with a set-password link, big files in the background."""

from __future__ import annotations

import csv
import io
import re
from pathlib import Path

import pytest
from django.contrib.auth.tokens import default_token_generator
from django.core import mail
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from openpyxl import Workbook

from preceptorship import imports
from preceptorship.models import AuditEntry, Membership, StaffImport, Team, User
from preceptorship.tests.factories import person, profession

Role = Membership.Role
HEADINGS = imports.TEMPLATE_HEADINGS


def _row(n, organisation, **overrides):
    row = {
        "E-mail": f"new.person{n}@example.org", "First name": "Nia", "Last name": f"Person{n}",
        "Organisation": organisation.name, "Team": "Community Therapy", "Profession": "Occupational therapy",
        "Job title": "Occupational Therapist", "Band": "Band 5", "Registration number": f"OT{n:05d}",
        "Employee number": f"E{n:06d}",
        "Registration date": "01/07/2026", "Start date": "2026-09-01", "Roles": "Practitioner",
    }
    row.update(overrides)
    return row


def _csv(rows, headings=HEADINGS) -> SimpleUploadedFile:
    stream = io.StringIO()
    writer = csv.DictWriter(stream, fieldnames=headings)
    writer.writeheader()
    writer.writerows(rows)
    return SimpleUploadedFile("staff.csv", stream.getvalue().encode("utf-8"), content_type="text/csv")


def _xlsx(rows) -> SimpleUploadedFile:
    workbook = Workbook()
    sheet = workbook.active
    sheet.append(HEADINGS)
    for row in rows:
        sheet.append([row[h] for h in HEADINGS])
    buffer = io.BytesIO()
    workbook.save(buffer)
    return SimpleUploadedFile("staff.xlsx", buffer.getvalue())


@pytest.fixture
def lead(organisation):
    return person(organisation, Role.PROGRAMME_LEAD)


def _import(lead, upload, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        staff_import = imports.staff_import_upload(actor=lead, upload=upload, site_url="https://app.example")
    staff_import.refresh_from_db()
    if staff_import.status == StaffImport.Status.READY:
        with django_capture_on_commit_callbacks(execute=True):
            imports.staff_import_start(actor=lead, staff_import=staff_import)
        staff_import.refresh_from_db()
    return staff_import


def test_the_preview_shows_creates_updates_and_new_teams_and_saves_nothing(lead, organisation):
    existing = person(organisation, Role.PRACTITIONER, email="kept@example.org", first_name="Kit", last_name="Old")
    upload = _csv([_row(1, organisation), _row(2, organisation, **{"E-mail": "Kept@Example.org",
                                                                  "First name": "Kit", "Last name": "New"})])
    staff_import = imports.staff_import_upload(actor=lead, upload=upload)
    preview = staff_import.preview
    assert staff_import.status == StaffImport.Status.READY
    assert (preview["creates"], preview["updates"], preview["error_rows"]) == (1, 1, 0)
    assert preview["new_teams"] == ["Community Therapy"]
    assert preview["update_sample"][0]["changes"]["last_name"] == ["Old", "New"]
    assert not User.objects.filter(email="new.person1@example.org").exists()
    existing.refresh_from_db()
    assert existing.last_name == "Old"
    assert not Team.objects.filter(name="Community Therapy").exists()


def test_every_rows_errors_are_listed_and_nothing_is_saved(lead, organisation, far_organisation):
    rows = [
        _row(1, organisation),
        _row(2, organisation, **{"E-mail": "not-an-email", "Profession": "Astrology"}),
        _row(3, far_organisation),
        _row(4, organisation, **{"Registration date": "31/02/2026", "Roles": "Programme lead"}),
        _row(5, organisation, **{"E-mail": "new.person1@example.org", "First name": ""}),
    ]
    staff_import = imports.staff_import_upload(actor=lead, upload=_csv(rows))
    assert staff_import.status == StaffImport.Status.INVALID
    errors = {error["row"]: " ".join(error["messages"]) for error in staff_import.preview["errors"]}
    assert set(errors) == {3, 4, 5, 6}
    assert "Enter a valid e-mail address" in errors[3] and "“Astrology” is not a profession" in errors[3]
    assert "not an organisation you can import staff into" in errors[4]
    assert "“31/02/2026” is not a date" in errors[5] and "You cannot give the role Programme lead" in errors[5]
    assert "The same e-mail address is on row 2" in errors[6] and "The first name is missing" in errors[6]
    with pytest.raises(Exception):  # noqa: B017 - a file with errors cannot be started
        imports.staff_import_start(actor=lead, staff_import=staff_import)
    assert not User.objects.filter(email="new.person1@example.org").exists()


def test_an_unreadable_file_is_refused_with_a_clear_message(lead):
    bad = SimpleUploadedFile("staff.pdf", b"%PDF-1.4")
    with pytest.raises(Exception, match="must be a CSV or an Excel"):
        imports.staff_import_upload(actor=lead, upload=bad)
    no_email = _csv([{"First name": "A"}], headings=["First name"])
    with pytest.raises(Exception, match="these are missing: email"):
        imports.staff_import_upload(actor=lead, upload=no_email)
    with pytest.raises(Exception, match="not a valid Excel"):
        imports.staff_import_upload(actor=lead, upload=SimpleUploadedFile("staff.xlsx", b"not a zip"))


def test_import_creates_people_roles_and_teams_and_invites_them(
    lead, organisation, django_capture_on_commit_callbacks
):
    existing = person(organisation, Role.PRACTITIONER, email="kept@example.org", last_name="Old")
    rows = [_row(1, organisation, Roles="Practitioner, Mentor"),
            _row(2, organisation, **{"E-mail": "kept@example.org", "Last name": "New"})]
    staff_import = _import(lead, _xlsx(rows), django_capture_on_commit_callbacks)
    assert staff_import.status == StaffImport.Status.DONE
    created = User.objects.get(email="new.person1@example.org")
    assert created.profession == profession("occupational-therapy")
    assert created.first_registered_on.isoformat() == "2026-07-01"
    assert not created.has_usable_password()
    team = Team.objects.get(organisation=organisation, name="Community Therapy")
    assert set(Membership.objects.filter(user=created).values_list("role", "team")) == {
        (Role.PRACTITIONER, team.pk), (Role.MENTOR, team.pk)}
    existing.refresh_from_db()
    assert existing.last_name == "New"
    assert staff_import.preview["invited"] == 1
    assert [message.to for message in mail.outbox] == [["new.person1@example.org"]]
    link = re.search(r"https://app\.example/password-reset/(\S+)/(\S+)/", mail.outbox[0].body)
    assert link and default_token_generator.check_token(created, link.group(2))


def test_importing_the_same_file_again_changes_nothing(lead, organisation, django_capture_on_commit_callbacks):
    rows = [_row(n, organisation) for n in range(1, 8)]
    _import(lead, _csv(rows), django_capture_on_commit_callbacks)
    before = (User.objects.count(), Membership.objects.count(), Team.objects.count(),
              list(User.objects.order_by("pk").values_list(*imports.USER_FIELDS, "password")))
    mail.outbox.clear()
    again = _import(lead, _csv(rows), django_capture_on_commit_callbacks)
    assert (again.preview["creates"], again.preview["updates"], again.preview["unchanged"]) == (0, 0, 7)
    assert again.preview["new_roles"] == 0
    after = (User.objects.count(), Membership.objects.count(), Team.objects.count(),
             list(User.objects.order_by("pk").values_list(*imports.USER_FIELDS, "password")))
    assert after == before
    assert mail.outbox == []


def test_a_row_that_became_invalid_since_the_preview_stops_the_whole_import(
    lead, organisation, django_capture_on_commit_callbacks
):
    rows = [_row(1, organisation), _row(2, organisation)]
    staff_import = imports.staff_import_upload(actor=lead, upload=_csv(rows))
    Membership.objects.filter(user=lead).delete()  # the lead loses the role before confirming
    person(organisation, Role.PROGRAMME_LEAD)
    StaffImport.objects.filter(pk=staff_import.pk).update(status=StaffImport.Status.IMPORTING)
    result = imports.staff_import_apply(staff_import_id=staff_import.pk)
    assert result.status == StaffImport.Status.INVALID
    assert not User.objects.filter(email__startswith="new.person").exists()


def test_a_programme_lead_of_one_organisation_cannot_import_into_another(lead, other_organisation):
    staff_import = imports.staff_import_upload(actor=lead, upload=_csv([_row(1, other_organisation)]))
    assert staff_import.status == StaffImport.Status.INVALID


def test_a_big_file_is_checked_and_saved_in_the_background_and_invitations_follow(
    lead, organisation, django_capture_on_commit_callbacks, monkeypatch
):
    """Above the background threshold (500 rows) the work leaves the request. Its speed at 5,000
    rows is measured by bench/run.py, not here."""
    invitations = []
    monkeypatch.setattr(imports.invite_staff, "delay", lambda *args: invitations.append(args))
    rows = [_row(n, organisation, Team=f"Team {n % 7}") for n in range(1, 601)]
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        staff_import = imports.staff_import_upload(actor=lead, upload=_csv(rows))
    assert len(callbacks) == 1  # checked by a background task, not in the request
    staff_import.refresh_from_db()
    assert staff_import.status == StaffImport.Status.READY and staff_import.processed_rows == 600
    with django_capture_on_commit_callbacks(execute=True):
        imports.staff_import_start(actor=lead, staff_import=staff_import)
    staff_import.refresh_from_db()
    assert staff_import.status == StaffImport.Status.DONE
    assert User.objects.filter(email__startswith="new.person").count() == 600
    assert Membership.objects.filter(user__email__startswith="new.person").count() == 600
    # The invitations follow in their own background task.
    (import_id, user_ids), = invitations
    assert imports.send_invitations(staff_import_id=import_id, user_ids=user_ids) == 600
    assert len(mail.outbox) == 600


# Through HTTP.


def test_upload_preview_and_confirm_through_the_pages(client, lead, organisation, django_capture_on_commit_callbacks):
    client.force_login(lead)
    assert client.get(reverse("staff:import")).status_code == 200
    response = client.post(reverse("staff:import"), {"file": _csv([_row(1, organisation)])})
    staff_import = StaffImport.objects.get()
    assert response.status_code == 302 and response["Location"] == reverse("staff:import-detail", args=[staff_import.pk])
    page = client.get(response["Location"]).content.decode()
    assert "What the import will do" in page and "Import 1 row" in page
    with django_capture_on_commit_callbacks(execute=True):
        client.post(reverse("staff:import-confirm", args=[staff_import.pk]))
    page = client.get(reverse("staff:import-detail", args=[staff_import.pk])).content.decode()
    assert "Staff imported" in page and "1 created" in page
    assert client.get(reverse("staff:import-status", args=[staff_import.pk])).json()["finished"]


def test_a_file_with_errors_shows_every_row_and_keeps_the_form(client, lead, organisation):
    client.force_login(lead)
    response = client.post(reverse("staff:import"), {"file": _csv([_row(1, organisation, **{"E-mail": "nope"})])},
                           follow=True)
    page = response.content.decode()
    assert "There is a problem" in page and "Enter a valid e-mail address" in page
    assert "Import 1 row" not in page
    empty = client.post(reverse("staff:import"), {}).content.decode()
    assert "Choose a CSV or Excel file to upload" in empty


def test_only_leads_and_administrators_import_and_only_the_uploader_sees_it(client, lead, organisation):
    staff_import = imports.staff_import_upload(actor=lead, upload=_csv([_row(1, organisation)]))
    colleague = person(organisation, Role.PROGRAMME_LEAD)
    client.force_login(colleague)
    assert client.get(reverse("staff:import-detail", args=[staff_import.pk])).status_code == 404
    assert client.post(reverse("staff:import-confirm", args=[staff_import.pk])).status_code == 404
    client.force_login(person(organisation, Role.PRACTITIONER))
    assert client.get(reverse("staff:import")).status_code == 403
    assert client.get(reverse("staff:import-template")).status_code == 403


def test_a_person_of_another_organisation_is_not_changed_by_a_lead(lead, organisation, other_organisation):
    neighbour = person(other_organisation, Role.PRACTITIONER, email="neighbour@example.org", last_name="Kept")
    staff_import = imports.staff_import_upload(
        actor=lead, upload=_csv([_row(1, organisation, **{"E-mail": "neighbour@example.org", "Last name": "Taken"})])
    )
    assert staff_import.status == StaffImport.Status.INVALID
    assert staff_import.preview["errors"][0]["messages"] == [imports.ADDRESS_REFUSED]
    neighbour.refresh_from_db()
    assert neighbour.last_name == "Kept"


@pytest.mark.parametrize("headings", [
    # As an ESR report names them.
    ["Work Email Address", "Forenames", "Surname", "Organisation Name", "Org Unit", "Staff Group",
     "Position Title", "Pay Band", "Professional Registration Number", "Date of First Registration",
     "Assignment Start Date", "Preceptorship Role"],
    # As a council's HR system names them.
    ["Email Address", "Forename", "Surname", "Employer", "Service Area", "Occupation", "Job Title", "Grade",
     "SWE Registration Number", "Registration Date", "Employment Start Date", "Role"],
])
def test_an_hr_systems_own_headings_are_understood(lead, organisation, headings, django_capture_on_commit_callbacks):
    values = ["esr.person@example.org", "Nia", "Esr", organisation.name, "Community Therapy",
              "Occupational therapy", "Occupational Therapist", "Band 5", "OT00001", "01/07/2026", "2026-09-01",
              "Preceptee"]
    staff_import = _import(lead, _csv([dict(zip(headings, values, strict=True))], headings=headings),
                           django_capture_on_commit_callbacks)
    assert staff_import.status == StaffImport.Status.DONE, staff_import.preview
    created = User.objects.get(email="esr.person@example.org")
    assert (created.first_name, created.last_name, created.job_title, created.band) == (
        "Nia", "Esr", "Occupational Therapist", "Band 5")
    assert created.profession.name == "Occupational therapy" and created.registration_number == "OT00001"
    assert list(created.memberships.values_list("role", flat=True)) == [Role.PRACTITIONER]  # "Preceptee"


def test_the_documented_headings_are_the_ones_understood():
    documented = (Path(__file__).resolve().parents[2] / "docs" / "staff-import.md").read_text()
    for aliases in imports.COLUMNS.values():
        for alias in aliases:
            assert alias in documented, alias


def test_the_employee_number_is_kept_and_belongs_to_one_person(lead, organisation, django_capture_on_commit_callbacks):
    staff_import = _import(lead, _csv([_row(1, organisation)]), django_capture_on_commit_callbacks)
    assert staff_import.status == StaffImport.Status.DONE, staff_import.preview
    assert User.objects.get(email="new.person1@example.org").employee_number == "E000001"

    # Another person with the same number, or the same number twice in one file, is refused by row.
    taken = imports.staff_import_upload(actor=lead, upload=_csv([_row(2, organisation, **{"Employee number": "E000001"})]))
    twice = imports.staff_import_upload(actor=lead, upload=_csv(
        [_row(3, organisation, **{"Employee number": "E9"}), _row(4, organisation, **{"Employee number": "E9"})]))
    assert taken.status == twice.status == StaffImport.Status.INVALID
    assert taken.preview["errors"][0]["messages"] == ["The employee number is already another person's"]
    assert twice.preview["errors"] == [{"row": 3, "email": "new.person4@example.org",
                                        "messages": ["The same employee number is on row 2"]}]
    assert not User.objects.filter(employee_number="E9").exists()


@pytest.mark.time_machine("2027-03-01 12:00:00+00:00", tick=False)
def test_an_esr_termination_date_is_kept_and_a_future_one_refused_beside_its_row(
        lead, organisation, django_capture_on_commit_callbacks):
    headings = [*HEADINGS, "Termination Date"]
    left = _row(1, organisation, **{"Termination Date": "31/01/2027"})
    staff_import = _import(lead, _csv([left], headings=headings), django_capture_on_commit_callbacks)
    assert staff_import.status == StaffImport.Status.DONE, staff_import.preview
    person_left = User.objects.get(email="new.person1@example.org")
    assert str(person_left.left_on) == "2027-01-31"

    future = imports.staff_import_upload(actor=lead, upload=_csv(
        [_row(2, organisation, **{"Termination Date": "02/03/2027"}),
         _row(3, organisation, **{"Termination Date": "not a date"}),
         _row(1, organisation, **{"Termination Date": "01/06/2026"})], headings=headings))
    assert future.status == StaffImport.Status.INVALID
    assert future.preview["errors"] == [
        {"row": 2, "email": "new.person2@example.org",
         "messages": ["The leaving date “02/03/2027” is in the future: give it once the person has left"]},
        {"row": 3, "email": "new.person3@example.org",
         "messages": ["The leaving date “not a date” is not a date (use 15/03/2025 or 2025-03-15)"]},
        {"row": 4, "email": "new.person1@example.org", "messages": ["The leaving date is before the start date"]},
    ]
    assert not User.objects.filter(email="new.person2@example.org").exists()

    # A corrected leaving date is an update of the person, in the audit log as any other.
    corrected = _import(lead, _csv([_row(1, organisation, **{"Termination Date": "2027-02-01"})], headings=headings),
                        django_capture_on_commit_callbacks)
    assert corrected.status == StaffImport.Status.DONE, corrected.preview
    person_left.refresh_from_db()
    assert str(person_left.left_on) == "2027-02-01"
    assert corrected.preview["update_sample"][0]["changes"] == {"left_on": ["2027-01-31", "2027-02-01"]}
    entry = AuditEntry.objects.filter(action="staff_import.apply", object_id=str(corrected.pk)).get()
    assert entry.after["updated"] == 1
