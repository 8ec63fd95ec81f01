"""Who may give which role: programme leads give mentor and line manager (and practitioner) in
their organisation; Head of Service, Operational Director, HR and lead roles only an
administrator gives; nobody gives themselves a role. The same rules hold in the services, the
staff import and the admin pages, and every change is in the audit log."""

from __future__ import annotations

import csv
import io
import json
from http import HTTPStatus

import pytest
from django.core.exceptions import PermissionDenied
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from preceptorship import imports, services
from preceptorship.models import AuditEntry, Membership, StaffImport, User
from preceptorship.tests.factories import UserFactory, person

pytestmark = pytest.mark.django_db

Role = Membership.Role
HEADINGS = imports.TEMPLATE_HEADINGS
ADMINISTRATORS_ONLY = [Role.HEAD_OF_SERVICE, Role.OPERATIONAL_DIRECTOR, Role.HR, Role.PROGRAMME_LEAD,
                       Role.ICS_LEAD, Role.ADMINISTRATOR]


@pytest.fixture
def lead(organisation):
    return person(organisation, Role.PROGRAMME_LEAD, email="lead@home.example", first_name="Lena", last_name="Lead")


@pytest.fixture
def administrator(db):
    return UserFactory(email="root@example.org", is_staff=True, is_superuser=True)


@pytest.fixture
def colleague(organisation, team):
    return person(organisation, Role.PRACTITIONER, team=team, email="colleague@home.example")


def _grants(user):
    return set(Membership.objects.filter(user=user).values_list("role", flat=True))


# The services.


@pytest.mark.parametrize("role", [Role.MENTOR, Role.LINE_MANAGER])
def test_a_lead_gives_mentor_and_line_manager_in_their_organisation_and_it_is_audited(
        lead, colleague, organisation, team, role):
    membership = services.membership_grant(actor=lead, user=colleague, organisation=organisation, role=role, team=team)
    entry = AuditEntry.objects.get(action="membership.grant", object_id=str(membership.pk))
    assert entry.actor == lead and entry.after["role"] == role


@pytest.mark.parametrize("role", ADMINISTRATORS_ONLY)
def test_a_lead_cannot_give_the_roles_only_an_administrator_gives(lead, colleague, organisation, role):
    with pytest.raises(PermissionDenied, match="only an administrator can"):
        services.membership_grant(actor=lead, user=colleague, organisation=organisation, role=role)
    assert role not in _grants(colleague)


@pytest.mark.parametrize("role", ADMINISTRATORS_ONLY)
def test_an_administrator_gives_them(administrator, colleague, organisation, role):
    services.membership_grant(actor=administrator, user=colleague, organisation=organisation, role=role)
    assert role in _grants(colleague)
    assert AuditEntry.objects.filter(action="membership.grant", actor=administrator).count() == 1


def test_nobody_gives_themselves_a_role(lead, administrator, organisation):
    with pytest.raises(PermissionDenied, match="Nobody can give themselves a role"):
        services.membership_grant(actor=lead, user=lead, organisation=organisation, role=Role.MENTOR)
    with pytest.raises(PermissionDenied, match="Nobody can give themselves a role"):
        services.membership_grant(actor=administrator, user=administrator, organisation=organisation, role=Role.HR)
    assert _grants(lead) == {Role.PROGRAMME_LEAD} and _grants(administrator) == set()


def test_a_lead_gives_no_role_in_another_organisation(lead, other_organisation):
    neighbour = person(other_organisation, Role.PRACTITIONER)
    with pytest.raises(PermissionDenied, match="Only a programme lead of the organisation"):
        services.membership_grant(actor=lead, user=neighbour, organisation=other_organisation, role=Role.MENTOR)


def test_a_lead_does_not_touch_administrators_staff_or_people_of_other_organisations(
        lead, administrator, organisation, other_organisation):
    staff = person(organisation, Role.PRACTITIONER, is_staff=True)
    neighbour = person(other_organisation, Role.PRACTITIONER)
    for user in (administrator, staff, neighbour):
        with pytest.raises(PermissionDenied, match="administrator"):
            services.membership_grant(actor=lead, user=user, organisation=organisation, role=Role.MENTOR)
        assert Role.MENTOR not in _grants(user)


def test_taking_a_role_away_follows_the_same_rules_and_is_audited(lead, administrator, colleague, organisation):
    mentor = services.membership_grant(actor=lead, user=colleague, organisation=organisation, role=Role.MENTOR)
    hr = services.membership_grant(actor=administrator, user=colleague, organisation=organisation, role=Role.HR)
    with pytest.raises(PermissionDenied, match="You cannot take away the role HR"):
        services.membership_revoke(actor=lead, membership=hr)
    with pytest.raises(PermissionDenied, match="only an administrator"):
        services.membership_change(actor=lead, membership=mentor, role=Role.HEAD_OF_SERVICE)
    services.membership_revoke(actor=lead, membership=mentor)
    assert _grants(colleague) == {Role.PRACTITIONER, Role.HR}
    assert AuditEntry.objects.filter(action="membership.revoke", actor=lead).count() == 1


# The staff import.


def _csv(rows) -> SimpleUploadedFile:
    stream = io.StringIO()
    writer = csv.DictWriter(stream, fieldnames=HEADINGS)
    writer.writeheader()
    for row in rows:
        writer.writerow({heading: row.get(heading, "") for heading in HEADINGS})
    return SimpleUploadedFile("staff.csv", stream.getvalue().encode("utf-8"), content_type="text/csv")


def _row(email, organisation, **overrides):
    return {"E-mail": email, "First name": "Row", "Last name": "Person", "Organisation": organisation.name,
            "Team": "Community Therapy", "Roles": "Practitioner", **overrides}


def _import(actor, rows, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        staff_import = imports.staff_import_upload(actor=actor, upload=_csv(rows), site_url="https://app.example")
    staff_import.refresh_from_db()
    if staff_import.status == StaffImport.Status.READY:
        with django_capture_on_commit_callbacks(execute=True):
            imports.staff_import_start(actor=actor, staff_import=staff_import)
        staff_import.refresh_from_db()
    return staff_import


def _errors(staff_import):
    return {error["row"]: error["messages"] for error in staff_import.preview["errors"]}


def test_a_lead_cannot_import_her_own_row_granting_herself_the_sign_off_chain(
        lead, organisation, django_capture_on_commit_callbacks):
    """The attack: her own row with "Line manager; Head of Service; Operational Director; HR"."""
    staff_import = _import(lead, [
        _row("lead@home.example", organisation, **{
            "First name": "Lena", "Last name": "Lead",
            "Roles": "Line manager; Head of Service; Operational Director; HR"}),
    ], django_capture_on_commit_callbacks)
    assert staff_import.status == StaffImport.Status.INVALID
    messages = " ".join(_errors(staff_import)[2])
    assert imports.OWN_ROW_REFUSED in messages
    for label in ("Head of Service", "Operational Director", "HR"):
        assert f"You cannot give the role {label}: only an administrator can" in messages
    assert _grants(lead) == {Role.PROGRAMME_LEAD}


def test_a_lead_cannot_import_the_roles_only_an_administrator_gives_for_anyone(
        lead, colleague, organisation, django_capture_on_commit_callbacks):
    staff_import = _import(lead, [
        _row("colleague@home.example", organisation, Roles="Mentor; HR"),
        _row("new@home.example", organisation, Roles="Programme lead"),
        _row("fine@home.example", organisation, Roles="Mentor; Line manager"),
    ], django_capture_on_commit_callbacks)
    assert staff_import.status == StaffImport.Status.INVALID
    errors = _errors(staff_import)
    assert set(errors) == {2, 3}
    assert errors[2] == ["You cannot give the role HR: only an administrator can"]
    assert errors[3] == ["You cannot give the role Programme lead: only an administrator can"]
    assert _grants(colleague) == {Role.PRACTITIONER}


def test_an_administrator_importing_gives_those_roles_but_never_to_herself(
        administrator, colleague, organisation, django_capture_on_commit_callbacks):
    own = _import(administrator, [_row("root@example.org", organisation, Roles="HR")],
                  django_capture_on_commit_callbacks)
    assert _errors(own)[2] == [imports.OWN_ROW_REFUSED]
    done = _import(administrator, [_row("colleague@home.example", organisation, Roles="Practitioner; HR")],
                   django_capture_on_commit_callbacks)
    assert done.status == StaffImport.Status.DONE
    assert Role.HR in _grants(colleague)


def test_a_lead_import_never_renames_an_administrator_or_staff_account_or_gives_it_a_role(
        lead, administrator, organisation, django_capture_on_commit_callbacks):
    """The attack: a lead's import renames an administrator's account and gives it HR."""
    staff = person(organisation, Role.PRACTITIONER, email="staff@home.example", first_name="Sam", last_name="Staff",
                   is_staff=True)
    Membership.objects.create(user=administrator, organisation=organisation, role=Role.ADMINISTRATOR)
    for roles in ("HR", "Mentor"):
        staff_import = _import(lead, [
            _row("root@example.org", organisation, **{"First name": "Taken", "Last name": "Over", "Roles": roles}),
            _row("staff@home.example", organisation, **{"First name": "Taken", "Last name": "Over",
                                                        "Roles": "Mentor"}),
        ], django_capture_on_commit_callbacks)
        assert staff_import.status == StaffImport.Status.INVALID
        errors = _errors(staff_import)
        assert imports.ADDRESS_REFUSED in errors[2] and errors[3] == [imports.ADDRESS_REFUSED]
    for account in (administrator, staff):
        account.refresh_from_db()
        assert account.last_name != "Over"
    assert _grants(administrator) == {Role.ADMINISTRATOR} and _grants(staff) == {Role.PRACTITIONER}


def test_the_preview_reveals_nothing_about_accounts_outside_the_leads_organisation(
        client, lead, organisation, other_organisation, django_capture_on_commit_callbacks):
    """The attack: the preview showed the current details of accounts of no organisation, and that
    other addresses belong to another organisation."""
    UserFactory(email="loner@example.org", first_name="Lonely", last_name="Secretname")
    person(other_organisation, Role.PRACTITIONER, email="neighbour@other.example", first_name="Nora",
           last_name="Hiddenname")
    staff_import = _import(lead, [
        _row("loner@example.org", organisation, **{"First name": "Lo", "Last name": "New"}),
        _row("neighbour@other.example", organisation, **{"First name": "Ne", "Last name": "New"}),
    ], django_capture_on_commit_callbacks)
    assert staff_import.status == StaffImport.Status.INVALID
    assert _errors(staff_import) == {2: [imports.ADDRESS_REFUSED], 3: [imports.ADDRESS_REFUSED]}
    preview = json.dumps(staff_import.preview)
    for secret in ("Lonely", "Secretname", "Nora", "Hiddenname", "another organisation"):
        assert secret not in preview
    client.force_login(lead)
    page = client.get(reverse("staff:import-detail", args=[staff_import.pk])).content.decode()
    assert "This address cannot be used in this import; ask an administrator" in page
    for secret in ("Lonely", "Secretname", "Nora", "Hiddenname", "another organisation"):
        assert secret not in page
    assert User.objects.get(email="loner@example.org").last_name == "Secretname"
    assert not Membership.objects.filter(user__email="loner@example.org").exists()


def test_roles_given_by_an_import_are_in_the_audit_log(lead, organisation, django_capture_on_commit_callbacks):
    staff_import = _import(lead, [_row("new@home.example", organisation, Roles="Practitioner; Mentor")],
                           django_capture_on_commit_callbacks)
    assert staff_import.status == StaffImport.Status.DONE
    created = User.objects.get(email="new@home.example")
    entries = AuditEntry.objects.filter(action="membership.grant", actor=lead)
    assert sorted(entry.after["role"] for entry in entries) == [Role.MENTOR, Role.PRACTITIONER]
    assert {entry.after["user"] for entry in entries} == {created.pk}


# The admin pages.


def _inline_data(user, rows, existing=()):
    data = {
        "email": user.email, "first_name": user.first_name, "last_name": user.last_name, "is_active": "on",
        "memberships-TOTAL_FORMS": str(len(existing) + len(rows)), "memberships-INITIAL_FORMS": str(len(existing)),
        "memberships-MIN_NUM_FORMS": "0", "memberships-MAX_NUM_FORMS": "1000",
        "email_reminders": "on", "date_joined_0": "2026-01-01", "date_joined_1": "09:00:00",
    }
    if user.is_staff:
        data["is_staff"] = "on"
    if user.is_superuser:
        data["is_superuser"] = "on"
    for n, membership in enumerate(existing):
        data.update({f"memberships-{n}-id": str(membership.pk), f"memberships-{n}-user": str(user.pk),
                     f"memberships-{n}-organisation": str(membership.organisation_id),
                     f"memberships-{n}-team": str(membership.team_id or ""),
                     f"memberships-{n}-role": membership.role})
    for n, (organisation, role) in enumerate(rows, start=len(existing)):
        data.update({f"memberships-{n}-user": str(user.pk), f"memberships-{n}-organisation": str(organisation.pk),
                     f"memberships-{n}-role": role})
    return data


def test_roles_given_and_taken_away_in_the_admin_go_through_the_services(client, administrator, colleague,
                                                                         organisation):
    client.force_login(administrator)
    response = client.post(reverse("admin:preceptorship_membership_add"),
                           {"user": colleague.pk, "organisation": organisation.pk, "role": Role.HR})
    assert response.status_code == HTTPStatus.FOUND, response.content.decode()[:2000]
    hr = Membership.objects.get(user=colleague, role=Role.HR)
    assert AuditEntry.objects.filter(action="membership.grant", object_id=str(hr.pk), actor=administrator).exists()
    response = client.post(reverse("admin:preceptorship_membership_change", args=[hr.pk]),
                           {"user": colleague.pk, "organisation": organisation.pk, "role": Role.HEAD_OF_SERVICE})
    assert response.status_code == HTTPStatus.FOUND
    assert AuditEntry.objects.filter(action="membership.change", object_id=str(hr.pk)).exists()
    response = client.post(reverse("admin:preceptorship_membership_delete", args=[hr.pk]), {"post": "yes"})
    assert response.status_code == HTTPStatus.FOUND
    assert not Membership.objects.filter(pk=hr.pk).exists()
    assert AuditEntry.objects.filter(action="membership.revoke", object_id=str(hr.pk)).exists()


def test_an_administrator_cannot_give_herself_a_role_in_the_admin(client, administrator, organisation):
    client.force_login(administrator)
    response = client.post(reverse("admin:preceptorship_membership_add"),
                           {"user": administrator.pk, "organisation": organisation.pk, "role": Role.HR})
    assert response.status_code == HTTPStatus.OK
    assert "Nobody can give themselves a role" in response.content.decode()
    response = client.post(reverse("admin:preceptorship_user_change", args=[administrator.pk]),
                           _inline_data(administrator, [(organisation, Role.HR)]))
    assert response.status_code == HTTPStatus.OK
    assert "Nobody can give themselves a role" in response.content.decode()
    assert not Membership.objects.filter(user=administrator).exists()


def test_roles_added_on_a_persons_admin_page_are_audited(client, administrator, colleague, organisation):
    client.force_login(administrator)
    existing = list(Membership.objects.filter(user=colleague))
    response = client.post(reverse("admin:preceptorship_user_change", args=[colleague.pk]),
                           _inline_data(colleague, [(organisation, Role.OPERATIONAL_DIRECTOR)], existing))
    assert response.status_code == HTTPStatus.FOUND, response.content.decode()[:3000]
    director = Membership.objects.get(user=colleague, role=Role.OPERATIONAL_DIRECTOR)
    assert AuditEntry.objects.filter(action="membership.grant", object_id=str(director.pk),
                                     actor=administrator).exists()
