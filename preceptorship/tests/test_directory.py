from http import HTTPStatus

import pytest
from django.urls import reverse

from preceptorship import access
from preceptorship.models import AuditEntry, Membership, Organisation, Profession, Team, User
from preceptorship.services import membership_grant, user_profile_update
from preceptorship.tests.factories import UserFactory, person

Role = Membership.Role


@pytest.mark.django_db
def test_professions_are_loaded_as_data():
    names = set(Profession.objects.values_list("kind", flat=True))
    assert Profession.objects.filter(kind=Profession.Kind.AHP).count() == 14
    assert {"social_work", "nursing", "midwifery", "support"} <= names


@pytest.mark.django_db
def test_audit_log_is_append_only(organisation):
    user = UserFactory()
    entry = membership_grant(actor=None, user=user, organisation=organisation, role=Role.MENTOR)
    audit = AuditEntry.objects.get(object_id=str(entry.pk))
    assert audit.action == "membership.grant"
    audit.summary = "changed"
    with pytest.raises(ValueError, match="append-only"):
        audit.save()
    with pytest.raises(ValueError, match="append-only"):
        audit.delete()


@pytest.mark.django_db
def test_profile_update_is_audited_with_before_and_after():
    user = UserFactory(job_title="Occupational Therapist")
    user_profile_update(actor=user, user=user, data={"job_title": "Senior Occupational Therapist"})
    audit = AuditEntry.objects.get(action="user.profile_update")
    assert audit.before["job_title"] == "Occupational Therapist"
    assert audit.after["job_title"] == "Senior Occupational Therapist"
    assert audit.actor == user


@pytest.mark.django_db
def test_profile_page_saves_and_rejects_bad_input(client):
    user = UserFactory()
    client.force_login(user)
    response = client.post(reverse("profile"), {"first_name": "x" * 200, "last_name": "Okafor", "job_title": "OT"})
    assert response.status_code == HTTPStatus.OK
    assert b"Ensure this value has at most 150 characters" in response.content
    assert b'value="Okafor"' in response.content
    response = client.post(
        reverse("profile"), {"first_name": "Maya", "last_name": "Okafor", "job_title": "OT", "band": "Range 6"}
    )
    assert response.status_code == HTTPStatus.FOUND
    user.refresh_from_db()
    assert (user.first_name, user.band, user.email_reminders) == ("Maya", "Range 6", False)


@pytest.mark.django_db
def test_organisation_scope(organisation, other_organisation, far_organisation):
    member = person(organisation, Role.MENTOR)
    ics_lead = person(other_organisation, Role.ICS_LEAD)
    assert list(access.scope(member, Organisation)) == [organisation]
    assert set(access.scope(ics_lead, Organisation)) == {organisation, other_organisation}
    assert far_organisation not in access.scope(ics_lead, Organisation)


@pytest.mark.django_db
def test_user_directory_scope(organisation, other_organisation):
    lead = person(organisation, Role.PROGRAMME_LEAD)
    colleague = person(organisation, Role.PRACTITIONER)
    outsider = person(other_organisation, Role.PRACTITIONER)
    visible = set(access.scope(lead, User))
    assert {lead, colleague} <= visible and outsider not in visible
    assert set(access.scope(colleague, User)) == {colleague}


@pytest.mark.django_db
def test_team_change_needs_programme_lead(organisation, other_organisation):
    team = Team.objects.create(organisation=organisation, name="North")
    lead = person(organisation, Role.PROGRAMME_LEAD)
    mentor = person(organisation, Role.MENTOR)
    outsider = person(other_organisation, Role.PROGRAMME_LEAD)
    assert access.get_for_user(lead, Team, pk=team.pk, action="change") == team
    with pytest.raises(access.PermissionDenied):
        access.get_for_user(mentor, Team, pk=team.pk, action="change")
    with pytest.raises(access.Http404):
        access.get_for_user(outsider, Team, pk=team.pk)


@pytest.mark.django_db
def test_admin_needs_administrator(client, organisation):
    staff = UserFactory(is_staff=True, is_superuser=True)
    member = person(organisation, Role.PROGRAMME_LEAD)
    client.force_login(member)
    assert client.get(reverse("admin:index")).status_code == HTTPStatus.FOUND
    client.force_login(staff)
    assert client.get(reverse("admin:preceptorship_auditentry_changelist")).status_code == HTTPStatus.OK
    assert client.get(reverse("admin:preceptorship_user_changelist")).status_code == HTTPStatus.OK
