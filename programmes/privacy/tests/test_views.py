"""The request pages: only administrators and the person's organisation's data protection officer
may ask (404 for others); the export is built in the background, shown on its status page, and
downloaded through a permission-checked, audited view until it expires."""

from __future__ import annotations

import datetime
import io
import zipfile
from http import HTTPStatus

import pytest
from django.test import Client
from django.urls import reverse

from preceptorship.models import AuditEntry, Membership, User
from preceptorship.tests.factories import person
from preceptorship.tests.queries import assert_same_queries_at_two_sizes
from programmes.privacy.models import SubjectAccessExport
from programmes.tests.factories import EnrolmentFactory, ProgrammeFactory

# The dates below are about 10 June 2026, whatever day the suite is run as (--today).
pytestmark = [pytest.mark.django_db,
              pytest.mark.time_machine(datetime.datetime(2026, 6, 10, 11, tzinfo=datetime.UTC), tick=True)]
Role = Membership.Role


@pytest.fixture
def preceptee(organisation) -> User:
    someone = person(organisation, Role.PRACTITIONER, first_name="Nia", last_name="Pryce", email="nia@example.org")
    EnrolmentFactory(programme=ProgrammeFactory(organisation=organisation), preceptee=someone)
    return someone


@pytest.fixture
def dpo(organisation) -> User:
    return person(organisation, Role.DATA_PROTECTION, email="dpo@example.org")


def _client(user: User) -> Client:
    client = Client()
    client.force_login(user)
    return client


def _ask(user: User, preceptee: User, django_capture_on_commit_callbacks) -> object:
    with django_capture_on_commit_callbacks(execute=True):
        return _client(user).post(reverse("privacy:export-request", args=[preceptee.pk]))


def test_the_dpo_asks_and_the_export_is_built_in_the_background(preceptee, dpo, organisation,
                                                                 django_capture_on_commit_callbacks) -> None:
    response = _ask(dpo, preceptee, django_capture_on_commit_callbacks)
    export = SubjectAccessExport.objects.get()
    assert response.status_code == HTTPStatus.FOUND and response["Location"] == export.get_absolute_url()
    assert (export.status, export.person_id, export.requested_by_id, export.organisation_id) == (
        "ready", preceptee.pk, dpo.pk, organisation.pk)
    assert export.expires_at.date() == datetime.date(2026, 7, 10)
    entry = AuditEntry.objects.get(action="privacy.export_requested")
    assert entry.actor_id == dpo.pk and entry.object_id == str(export.pk)
    assert (entry.subject_id, entry.organisation_id) == (preceptee.pk, organisation.pk)
    page = _client(dpo).get(export.get_absolute_url())
    assert "Ready to download" in page.content.decode()


def test_an_administrator_may_ask_for_anyone(preceptee, django_capture_on_commit_callbacks, far_organisation) -> None:
    admin = person(far_organisation, Role.ADMINISTRATOR)
    assert _ask(admin, preceptee, django_capture_on_commit_callbacks).status_code == HTTPStatus.FOUND
    assert SubjectAccessExport.objects.get().organisation_id is None


@pytest.mark.parametrize("who", ["other_dpo", "mentor", "programme_lead", "the_person", "line_manager"])
def test_nobody_else_may_ask(who, preceptee, organisation, other_organisation,
                             django_capture_on_commit_callbacks) -> None:
    asker = {
        "other_dpo": lambda: person(other_organisation, Role.DATA_PROTECTION),
        "mentor": lambda: person(organisation, Role.MENTOR),
        "programme_lead": lambda: person(organisation, Role.PROGRAMME_LEAD),
        "line_manager": lambda: person(organisation, Role.LINE_MANAGER),
        "the_person": lambda: preceptee,
    }[who]()
    assert _ask(asker, preceptee, django_capture_on_commit_callbacks).status_code == HTTPStatus.NOT_FOUND
    assert not SubjectAccessExport.objects.exists()
    assert _client(asker).get(reverse("privacy:person", args=[preceptee.pk])).status_code == HTTPStatus.NOT_FOUND


def test_the_download_is_checked_and_recorded(preceptee, dpo, organisation, other_organisation,
                                              django_capture_on_commit_callbacks) -> None:
    _ask(dpo, preceptee, django_capture_on_commit_callbacks)
    export = SubjectAccessExport.objects.get()
    url = reverse("privacy:export-download", args=[export.pk])
    colleague_dpo = person(organisation, Role.DATA_PROTECTION)

    for outsider in (person(other_organisation, Role.DATA_PROTECTION), person(organisation, Role.PROGRAMME_LEAD),
                     preceptee):
        assert _client(outsider).get(url).status_code == HTTPStatus.NOT_FOUND
    assert not AuditEntry.objects.filter(action="privacy.export_downloaded").exists()

    response = _client(colleague_dpo).get(url)
    assert response.status_code == HTTPStatus.OK
    assert response["Content-Disposition"].startswith("attachment")
    archive = zipfile.ZipFile(io.BytesIO(b"".join(response.streaming_content)))
    assert {"index.html", "data.json"} <= set(archive.namelist())
    assert "nia@example.org" in archive.read("data.json").decode()
    entry = AuditEntry.objects.get(action="privacy.export_downloaded")
    assert entry.actor_id == colleague_dpo.pk and entry.object_id == str(export.pk)
    assert entry.subject_id == preceptee.pk
    export.refresh_from_db()
    assert export.downloads == 1


def test_an_expired_export_cannot_be_downloaded_and_its_file_is_deleted(
        preceptee, dpo, django_capture_on_commit_callbacks, time_machine) -> None:
    _ask(dpo, preceptee, django_capture_on_commit_callbacks)
    export = SubjectAccessExport.objects.get()
    name, storage = export.file.name, export.file.storage
    time_machine.move_to(datetime.datetime(2026, 7, 11, 12, tzinfo=datetime.UTC))
    with django_capture_on_commit_callbacks(execute=True):
        page = _client(dpo).get(export.get_absolute_url())
    assert "has expired" in page.content.decode()
    assert _client(dpo).get(reverse("privacy:export-download", args=[export.pk])).status_code == HTTPStatus.NOT_FOUND
    assert not storage.exists(name)


def test_the_search_finds_only_people_of_the_dpos_organisation(preceptee, dpo, other_organisation) -> None:
    person(other_organisation, Role.PRACTITIONER, first_name="Nia", last_name="Elsewhere")
    page = _client(dpo).get(reverse("privacy:index"), {"q": "nia"}).content.decode()
    assert "Nia Pryce" in page and "Elsewhere" not in page
    assert reverse("privacy:person", args=[preceptee.pk]) in page


def test_the_search_refuses_control_characters_beside_the_field(dpo) -> None:
    page = _client(dpo).get(reverse("privacy:index"), {"q": "nia\x00"})
    assert page.status_code == HTTPStatus.OK
    assert "nhsuk-error-summary" in page.content.decode()


def test_the_request_page_takes_the_same_queries_at_two_sizes(dpo, organisation) -> None:
    """The search's people and the recent exports are each one query, whatever their number."""
    client = _client(dpo)
    url = reverse("privacy:index") + "?q=nia"

    def grow() -> None:
        for number in range(8):
            someone = person(organisation, Role.PRACTITIONER, first_name="Nia", last_name=f"Pryce {number}")
            SubjectAccessExport.objects.create(person=someone, organisation=organisation, requested_by=dpo)

    person(organisation, Role.PRACTITIONER, first_name="Nia", last_name="First")
    SubjectAccessExport.objects.create(person=dpo, organisation=organisation, requested_by=dpo)
    small, large = assert_same_queries_at_two_sizes(lambda: client.get(url), grow)
    assert small.content.decode().count("privacy/people/") < large.content.decode().count("privacy/people/")
    assert large.content.decode().count("/privacy/exports/") == 9


def test_the_persons_page_takes_the_same_queries_at_two_sizes(dpo, preceptee, organisation) -> None:
    client = _client(dpo)
    url = reverse("privacy:person", args=[preceptee.pk])

    def grow() -> None:
        for _ in range(5):
            SubjectAccessExport.objects.create(person=preceptee, organisation=organisation, requested_by=dpo)

    SubjectAccessExport.objects.create(person=preceptee, organisation=organisation, requested_by=dpo)
    assert_same_queries_at_two_sizes(lambda: client.get(url), grow)


def test_a_lost_build_shows_as_failed_on_the_lists(dpo, preceptee, organisation, time_machine) -> None:
    export = SubjectAccessExport.objects.create(person=preceptee, organisation=organisation, requested_by=dpo)
    time_machine.shift(datetime.timedelta(minutes=26))  # the build's 15 minutes and the queue's 10 have passed
    page = _client(dpo).get(reverse("privacy:person", args=[preceptee.pk])).content.decode()
    export.refresh_from_db()
    assert export.status == SubjectAccessExport.Status.FAILED and "Failed" in page
    detail = _client(dpo).get(export.get_absolute_url()).content.decode()
    assert "could not be prepared" in detail and "Nothing is lost" in detail


def test_the_status_page_follows_a_build_still_waiting(dpo, preceptee, organisation) -> None:
    export = SubjectAccessExport.objects.create(person=preceptee, organisation=organisation, requested_by=dpo)
    client = _client(dpo)
    page = client.get(export.get_absolute_url()).content.decode()
    assert "being prepared" in page and reverse("privacy:export-status", args=[export.pk]) in page
    assert client.get(reverse("privacy:export-status", args=[export.pk])).json() == {
        "status": "queued", "status_label": "Waiting to start", "percent": 10, "finished": False}
    SubjectAccessExport.objects.filter(pk=export.pk).update(status="ready")
    assert client.get(reverse("privacy:export-status", args=[export.pk])).json()["finished"] is True
