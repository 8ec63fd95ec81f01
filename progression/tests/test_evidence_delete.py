"""Deleting evidence added by mistake: its author or the line manager, while the case is a draft
(also once returned), never after it is submitted; the file leaves the storage; audit logged."""

from __future__ import annotations

import datetime
from http import HTTPStatus

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from preceptorship.models import AuditEntry
from progression import services
from progression.models import Competency, Evidence, ProgressionCase
from progression.services import TransitionError
from progression.tests.factories import mark_required

pytestmark = pytest.mark.django_db
Stage = ProgressionCase.Stage
PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


def _add(case, actor, *, with_file=False, title="Wrong visit"):
    competency = Competency.objects.filter(section__framework=case.framework).first()
    return services.evidence_add(
        actor=actor, case=case, title=title, example_date=datetime.date(2024, 2, 1), description="Added by mistake.",
        competencies=[competency], upload=SimpleUploadedFile("visit.pdf", PDF) if with_file else None,
    )


def _urls(case, evidence):
    return (reverse("progression:evidence-detail", args=[case.pk, evidence.pk]),
            reverse("progression:evidence-delete", args=[case.pk, evidence.pk]))


def test_the_author_deletes_their_evidence_and_its_file_leaves_the_storage(cast, django_capture_on_commit_callbacks):
    case = cast.open_case()
    evidence = _add(case, cast.practitioner, with_file=True)
    storage, name = evidence.file.storage, evidence.file.name
    assert storage.exists(name)
    with django_capture_on_commit_callbacks(execute=True):
        services.evidence_delete(actor=cast.practitioner, evidence=evidence)
    assert not Evidence.objects.filter(pk=evidence.pk).exists()
    assert not storage.exists(name)
    entry = AuditEntry.objects.get(action="progression_case.evidence_delete")
    assert entry.object_id == str(case.pk) and entry.actor_id == cast.practitioner.pk
    assert entry.before["title"] == "Wrong visit" and entry.before["file"] == "visit.pdf"


def test_the_line_manager_may_delete_the_practitioners_evidence_but_not_the_other_way_round(cast):
    case = cast.open_case()
    by_manager = _add(case, cast.manager, title="Manager's example")
    with pytest.raises(TransitionError):
        services.evidence_delete(actor=cast.practitioner, evidence=by_manager)
    for reader in (cast.hos, cast.director, cast.hr):
        with pytest.raises(TransitionError):
            services.evidence_delete(actor=reader, evidence=by_manager)
    by_worker = _add(case, cast.practitioner)
    services.evidence_delete(actor=cast.manager, evidence=by_worker)
    services.evidence_delete(actor=cast.manager, evidence=by_manager)
    assert not case.evidence.exists()


def test_nothing_is_deleted_once_the_case_is_submitted_but_a_returned_case_is_a_draft_again(cast):
    case = cast.open_case()
    evidence = _add(case, cast.practitioner)
    mark_required(case, cast.manager)
    services.progression_case_submit(actor=cast.manager, case=case)
    for actor in (cast.practitioner, cast.manager):
        with pytest.raises(TransitionError, match="while the case is a draft"):
            services.evidence_delete(actor=actor, evidence=evidence)
    services.progression_case_hos_decide(actor=cast.hos, case=case, recommend=False, comment="Needs a new example.")
    services.evidence_delete(actor=cast.practitioner, evidence=evidence)
    assert not case.evidence.filter(pk=evidence.pk).exists()


def test_deleting_twice_is_a_clear_message(cast):
    case = cast.open_case()
    evidence = _add(case, cast.practitioner)
    services.evidence_delete(actor=cast.practitioner, evidence=evidence)
    with pytest.raises(TransitionError, match="already been deleted"):
        services.evidence_delete(actor=cast.practitioner, evidence=evidence)


def test_confirmation_page_then_delete_over_http(client, cast, outsider, django_capture_on_commit_callbacks):
    case = cast.open_case()
    evidence = _add(case, cast.practitioner, with_file=True)
    detail, delete = _urls(case, evidence)
    client.force_login(cast.practitioner)
    assert delete in client.get(detail).content.decode()
    page = client.get(delete).content.decode()
    assert "nhsuk-warning-callout" in page and "Wrong visit" in page and "visit.pdf" in page
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(delete)
    assert response.status_code == HTTPStatus.FOUND and response.url == case.get_absolute_url()
    assert "is deleted" in client.get(case.get_absolute_url()).content.decode()
    assert not case.evidence.exists()
    assert client.get(delete).status_code == HTTPStatus.NOT_FOUND


def test_who_may_open_the_delete_page(client, cast, outsider):
    case = cast.open_case()
    evidence = _add(case, cast.practitioner)
    _, delete = _urls(case, evidence)
    for user, status in ((cast.practitioner, 200), (cast.manager, 200), (cast.hos, 403), (cast.hr, 403),
                         (cast.colleague, 404), (outsider, 404)):
        client.force_login(user)
        assert client.get(delete).status_code == status, user.email
        if status != 200:
            assert client.post(delete).status_code == status, user.email
    assert case.evidence.exists()


def test_readers_see_the_evidence_without_a_delete_button(client, cast):
    case = cast.open_case()
    evidence = _add(case, cast.practitioner)
    detail, delete = _urls(case, evidence)
    for user in (cast.hos, cast.director, cast.hr):
        client.force_login(user)
        page = client.get(detail).content.decode()
        assert "Wrong visit" in page and "Added by mistake." in page and delete not in page
    client.force_login(cast.manager)
    assert delete in client.get(detail).content.decode()


def test_the_delete_page_is_refused_once_submitted(client, cast):
    case = cast.open_case()
    evidence = _add(case, cast.practitioner)
    mark_required(case, cast.manager)
    services.progression_case_submit(actor=cast.manager, case=case)
    detail, delete = _urls(case, evidence)
    client.force_login(cast.manager)
    assert client.get(delete).status_code == HTTPStatus.FORBIDDEN
    assert client.post(delete).status_code == HTTPStatus.FORBIDDEN
    assert delete not in client.get(detail).content.decode()
    assert case.evidence.exists()
