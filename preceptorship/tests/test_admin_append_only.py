"""The admin pages cannot rewrite history: decisions, competency marks, published framework versions
(with their sections and competencies), audit entries and notifications' delivery are read-only
there, and every other change made there is written to the audit log with before and after."""

from __future__ import annotations

from http import HTTPStatus

import pytest
from django.contrib import admin
from django.urls import reverse

from preceptorship.admin_audit import CHANGED_SECRET
from preceptorship.models import AuditEntry, Membership, Notification, Team
from preceptorship.tests.factories import NotificationFactory, TeamFactory, UserFactory
from progression.models import (
    Competency,
    CompetencyAssessment,
    CompetencyMark,
    Decision,
    Framework,
    ProgressionCase,
)
from progression.tests.factories import Cast, small_framework

pytestmark = pytest.mark.django_db
Role = Membership.Role


@pytest.fixture
def staff(client, organisation):
    administrator = UserFactory(is_staff=True, is_superuser=True, email="admin@example.org")
    Membership.objects.create(user=administrator, organisation=organisation, role=Role.ADMINISTRATOR)
    client.force_login(administrator)
    return administrator


def _url(obj, view: str) -> str:
    return reverse(f"admin:{obj._meta.app_label}_{obj._meta.model_name}_{view}", args=[obj.pk])


def _changelist(model) -> str:
    return reverse(f"admin:{model._meta.app_label}_{model._meta.model_name}_changelist")


def _bulk_delete(client, model, pks):
    return client.post(_changelist(model), {"action": "delete_selected", "_selected_action": [str(pk) for pk in pks],
                                            "post": "yes"})


# Append-only records.


def test_a_case_and_its_decisions_cannot_be_deleted_and_decisions_show_read_only(client, staff, organisation, team):
    case = Cast(organisation, team).open_case()
    decisions = list(Decision.objects.filter(case=case).values_list("pk", "comment"))
    assert decisions
    page = client.get(_url(case, "change"))
    assert page.status_code == HTTPStatus.OK
    assert 'name="decisions-0-comment"' not in page.content.decode()
    assert 'name="assessments-0-status"' not in page.content.decode()
    assert client.post(_url(case, "delete"), {"post": "yes"}).status_code == HTTPStatus.FORBIDDEN
    # No "delete selected" action is offered: the list comes back saying nothing was done.
    assert _bulk_delete(client, ProgressionCase, [case.pk]).status_code == HTTPStatus.OK
    assert ProgressionCase.objects.filter(pk=case.pk).exists()
    assert list(Decision.objects.filter(case=case).values_list("pk", "comment")) == decisions


def test_a_published_framework_its_sections_and_competencies_cannot_be_changed(client, staff, organisation):
    framework = small_framework(owner=organisation)
    section = framework.sections.first()
    competency = Competency.objects.filter(section=section).first()
    page = client.get(_url(framework, "change")).content.decode()
    assert 'name="_save"' not in page  # shown, with nothing to save
    changed = client.post(_url(framework, "change"), {"name": "Rewritten", "slug": framework.slug, "version": 1,
                                                      "status": "draft"})
    assert changed.status_code == HTTPStatus.FORBIDDEN
    assert client.post(_url(framework, "delete"), {"post": "yes"}).status_code == HTTPStatus.FORBIDDEN
    assert _bulk_delete(client, Framework, [framework.pk]).status_code == HTTPStatus.FORBIDDEN
    assert client.post(_url(section, "change"), {"title": "Rewritten", "framework": framework.pk, "order": 1}
                       ).status_code == HTTPStatus.FORBIDDEN
    assert client.post(_url(section, "delete"), {"post": "yes"}).status_code == HTTPStatus.FORBIDDEN
    framework.refresh_from_db()
    section.refresh_from_db()
    assert (framework.name, framework.status) != ("Rewritten", "draft")
    assert section.title != "Rewritten"
    assert Competency.objects.filter(pk=competency.pk).exists()
    # A section is added to a draft only.
    add_page = client.get(reverse("admin:progression_section_add")).content.decode()
    assert f'<option value="{framework.pk}"' not in add_page
    assert not AuditEntry.objects.filter(action__startswith="admin.").exists()


def test_a_draft_framework_is_edited_and_the_edit_recorded(client, staff, organisation):
    draft = small_framework(owner=organisation, status=Framework.Status.DRAFT)
    page = client.get(_url(draft, "change")).content.decode()
    assert 'name="_save"' in page
    assert 'name="status"' not in page  # published only through the framework pages


def test_audit_entries_cannot_be_added_changed_or_deleted(client, staff, organisation):
    entry = AuditEntry.objects.create(action="programme.update", object_type="programmes.programme", object_id="1",
                                      summary="Original", organisation=organisation)
    assert client.get(reverse("admin:preceptorship_auditentry_add")).status_code == HTTPStatus.FORBIDDEN
    assert client.post(_url(entry, "change"), {"summary": "Rewritten"}).status_code == HTTPStatus.FORBIDDEN
    assert client.post(_url(entry, "delete"), {"post": "yes"}).status_code == HTTPStatus.FORBIDDEN
    assert _bulk_delete(client, AuditEntry, [entry.pk]).status_code == HTTPStatus.OK  # no such action
    entry.refresh_from_db()
    assert entry.summary == "Original"
    assert AuditEntry.objects.filter(pk=entry.pk).exists()


def test_notifications_delivery_cannot_be_changed_or_deleted(client, staff, organisation):
    notification = NotificationFactory(recipient=staff, subject="Your review is due")
    assert client.post(_url(notification, "change"), {"status": "sent"}).status_code == HTTPStatus.FORBIDDEN
    assert client.post(_url(notification, "delete"), {"post": "yes"}).status_code == HTTPStatus.FORBIDDEN
    notification.refresh_from_db()
    assert notification.status == Notification.Status.PENDING


def test_every_append_only_kind_is_read_only_in_the_admin(rf, staff):
    request = rf.get("/")
    request.user = staff
    for model in (AuditEntry, Notification):
        model_admin = admin.site.get_model_admin(model)
        assert not model_admin.has_add_permission(request)
        assert not model_admin.has_change_permission(request, model())
        assert not model_admin.has_delete_permission(request, model())
    for model in (Decision, CompetencyAssessment, CompetencyMark):
        assert not admin.site.is_registered(model)  # shown only read-only inside their case


# Other changes are recorded.


def test_every_admin_class_records_its_changes() -> None:
    from django.apps import apps

    from preceptorship.admin_audit import AuditedAdminMixin

    unaudited = [model._meta.label for model in apps.get_models() if admin.site.is_registered(model)
                 and not isinstance(admin.site.get_model_admin(model), AuditedAdminMixin)]
    assert unaudited == [], "use preceptorship.admin_audit.AuditedModelAdmin in these admin classes"


def test_an_admin_edit_to_a_team_is_recorded_with_before_and_after(client, staff, organisation):
    team = TeamFactory(organisation=organisation, name="North locality")
    response = client.post(_url(team, "change"), {"organisation": organisation.pk, "name": "South locality"})
    assert response.status_code == HTTPStatus.FOUND
    entry = AuditEntry.objects.get(action="admin.change")
    assert (entry.actor, entry.object_type, entry.object_id) == (staff, "preceptorship.team", str(team.pk))
    assert entry.before == {"name": "North locality"}
    assert entry.after == {"name": "South locality"}
    assert entry.organisation == organisation  # so the organisation's lead reads it too
    # Saving with nothing changed records nothing.
    client.post(_url(team, "change"), {"organisation": organisation.pk, "name": "South locality"})
    assert AuditEntry.objects.filter(action="admin.change").count() == 1


def test_admin_additions_and_deletions_are_recorded(client, staff, organisation):
    client.post(reverse("admin:preceptorship_team_add"), {"organisation": organisation.pk, "name": "East"})
    team = Team.objects.get(name="East")
    added = AuditEntry.objects.get(action="admin.add")
    assert added.object_id == str(team.pk) and added.after["name"] == "East"
    assert client.post(_url(team, "delete"), {"post": "yes"}).status_code == HTTPStatus.FOUND
    deleted = AuditEntry.objects.get(action="admin.delete")
    assert deleted.object_id == str(team.pk) and deleted.before["name"] == "East"

    west, south = TeamFactory(organisation=organisation, name="West"), TeamFactory(organisation=organisation, name="S")
    assert _bulk_delete(client, Team, [west.pk, south.pk]).status_code == HTTPStatus.FOUND
    assert not Team.objects.filter(pk__in=[west.pk, south.pk]).exists()
    assert set(AuditEntry.objects.filter(action="admin.delete").values_list("object_id", flat=True)) == {
        str(team.pk), str(west.pk), str(south.pk)}


def test_a_password_set_in_the_admin_is_recorded_without_it(client, staff):
    someone = UserFactory()
    url = reverse("admin:auth_user_password_change", args=[someone.pk])
    response = client.post(url, {"password1": "A-long-new-secret-42", "password2": "A-long-new-secret-42",
                                 "usable_password": "true"})
    assert response.status_code == HTTPStatus.FOUND
    entry = AuditEntry.objects.get(action="admin.change", object_id=str(someone.pk))
    assert set(entry.after.values()) == {CHANGED_SECRET}
    assert "A-long-new-secret-42" not in str(entry.before) + str(entry.after) + entry.summary
    someone.refresh_from_db()
    assert someone.password[:10] not in str(entry.after)


def test_roles_given_in_the_admin_are_recorded_once_by_the_service(client, staff, organisation):
    someone = UserFactory()
    client.post(reverse("admin:preceptorship_membership_add"),
                {"user": someone.pk, "organisation": organisation.pk, "role": Role.MENTOR, "team": ""})
    assert Membership.objects.filter(user=someone, role=Role.MENTOR).exists()
    assert list(AuditEntry.objects.values_list("action", flat=True)) == ["membership.grant"]


def test_secrets_are_named_never_copied_and_unknown_admin_classes_name_fields_only(rf, staff) -> None:
    from preceptorship.admin_audit import NOT_RECORDED, difference, is_secret, masked

    assert all(is_secret(name) for name in ("password", "client_secret", "secret_hash", "api_key", "key", "token"))
    assert not any(is_secret(name) for name in ("name", "monkey_count", "organisation", "keyword"))
    old, new = difference({"name": "A", "client_secret": "s1"}, {"name": "B", "client_secret": "s2"})
    assert (old, new) == ({"name": "A", "client_secret": CHANGED_SECRET}, {"name": "B", "client_secret": CHANGED_SECRET})
    assert masked({"name": "A"}, with_values=False, marker=NOT_RECORDED) == {"name": NOT_RECORDED}
    # An admin class registered without the base (Django's groups) has it added, naming fields only.
    from django.contrib.auth.models import Group

    group_admin = admin.site.get_model_admin(Group)
    assert group_admin.audit_values is False


def test_a_group_changed_in_the_admin_is_recorded_by_field_name(client, staff) -> None:
    from django.contrib.auth.models import Group

    group = Group.objects.create(name="Auditors")
    assert client.post(_url(group, "change"), {"name": "Reviewers"}).status_code == HTTPStatus.FOUND
    entry = AuditEntry.objects.get(action="admin.change", object_type="auth.group")
    assert entry.after == {"name": CHANGED_SECRET} and "Reviewers" not in str(entry.before) + str(entry.after)


def test_an_admin_class_whose_services_write_the_log_adds_no_entry_of_its_own(rf, staff, organisation) -> None:
    from preceptorship.admin import TeamAdmin

    class ThroughServices(TeamAdmin):
        recorded_by_services = True

    model_admin = ThroughServices(Team, admin.site)
    request = rf.post("/")
    request.user = staff
    team = TeamFactory(organisation=organisation, name="Before")
    team.name = "After"
    form = model_admin.get_form(request, team, change=True)(instance=team, data={"organisation": organisation.pk,
                                                                                  "name": "After"})
    assert form.is_valid()
    form.save(commit=False)  # as the admin's change page does before save_model
    model_admin.save_model(request, team, form, True)
    model_admin.save_related(request, form, [], True)
    model_admin.log_change(request, team, [{"changed": {"fields": ["name"]}}])
    model_admin.delete_model(request, team)
    assert not AuditEntry.objects.exists()
