"""An evidence pack never hangs: a build that raises is failed with a reason, a build whose worker
died is failed once its time is up, and the person builds it again."""

from __future__ import annotations

import datetime
from http import HTTPStatus

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from preceptorship import jobs
from progression import letters, services
from progression.models import EvidencePack
from progression.tests.factories import mark_required

pytestmark = pytest.mark.django_db

LOST_AFTER = jobs.stale_after(services.EVIDENCE_PACK_TIME_LIMIT)


@pytest.fixture
def case(cast):
    case = cast.open_case()
    mark_required(case, cast.manager)
    return services.progression_case_submit(actor=cast.manager, case=case)


def _client(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def _break_rendering(monkeypatch) -> None:
    def broken(case, progress=None):
        raise RuntimeError("/srv/secret/path could not be read")

    monkeypatch.setattr(letters, "render_pack_pdf", broken)


def test_a_build_that_raises_is_failed_with_a_reason(cast, case, monkeypatch, django_capture_on_commit_callbacks):
    _break_rendering(monkeypatch)
    pack = services.evidence_pack_request(actor=cast.hos, case=case)
    with pytest.raises(RuntimeError):
        services.evidence_pack_build(pack_id=pack.pk)
    pack.refresh_from_db()
    assert (pack.status, pack.error) == (EvidencePack.Status.FAILED, "RuntimeError")
    assert pack.finished_at is not None


def test_a_failing_build_leaves_the_request_answering_and_the_page_says_why(
    cast, case, monkeypatch, django_capture_on_commit_callbacks
):
    """Without a broker the task runs in the request: the failure is recorded and the person is
    taken to the pack's page, which says what happened and offers to build it again."""
    _break_rendering(monkeypatch)
    hos = _client(cast.hos)
    with django_capture_on_commit_callbacks(execute=True):
        response = hos.post(reverse("progression:pack-request", args=[case.pk]))
    pack = EvidencePack.objects.get()
    assert response.status_code == HTTPStatus.FOUND
    assert response["Location"] == reverse("progression:pack-detail", args=[pack.pk])
    page = hos.get(response["Location"]).content.decode()
    assert "The pack could not be built" in page and "It stopped with an error (RuntimeError)" in page
    assert "/srv/secret" not in page
    assert reverse("progression:pack-request", args=[case.pk]) in page

    monkeypatch.undo()
    with django_capture_on_commit_callbacks(execute=True):
        again = hos.post(reverse("progression:pack-request", args=[case.pk]))
    latest = EvidencePack.objects.first()
    assert latest.pk != pack.pk and latest.status == EvidencePack.Status.READY
    assert again["Location"] == reverse("progression:pack-detail", args=[latest.pk])
    assert hos.get(reverse("progression:pack-download", args=[latest.pk])).status_code == HTTPStatus.OK


def test_a_pack_whose_worker_died_is_failed_when_next_read(cast, case, time_machine):
    time_machine.move_to(timezone.now(), tick=False)
    pack = services.evidence_pack_request(actor=cast.hos, case=case)  # queued; the task never runs here
    EvidencePack.objects.filter(pk=pack.pk).update(status=EvidencePack.Status.RUNNING, progress=30)
    hos = _client(cast.hos)
    url = reverse("progression:pack-detail", args=[pack.pk])

    time_machine.shift(LOST_AFTER)
    assert "Being built: 30%" in hos.get(url).content.decode()
    assert EvidencePack.objects.get().status == EvidencePack.Status.RUNNING

    time_machine.shift(datetime.timedelta(seconds=1))
    page = hos.get(url).content.decode()
    pack.refresh_from_db()
    assert (pack.status, pack.error) == (EvidencePack.Status.FAILED, jobs.WORKER_LOST)
    assert "The pack could not be built" in page and "the background worker stopped" in page
    # The case page reads the same pack; a late run of the lost task changes nothing.
    assert services.evidence_pack_build(pack_id=pack.pk).status == EvidencePack.Status.FAILED


def test_a_queued_pack_never_picked_up_is_failed_from_the_case_page(cast, case, time_machine):
    time_machine.move_to(timezone.now(), tick=False)
    pack = services.evidence_pack_request(actor=cast.hos, case=case)
    time_machine.shift(LOST_AFTER + datetime.timedelta(minutes=1))
    page = _client(cast.manager).get(case.get_absolute_url()).content.decode()
    pack.refresh_from_db()
    assert pack.status == EvidencePack.Status.FAILED
    assert "Latest evidence pack: failed" in page


def test_a_finished_pack_is_never_marked_failed(cast, case, time_machine, django_capture_on_commit_callbacks):
    time_machine.move_to(timezone.now(), tick=False)
    with django_capture_on_commit_callbacks(execute=True):
        pack = services.evidence_pack_request(actor=cast.hos, case=case)
    time_machine.shift(datetime.timedelta(days=30))
    _client(cast.hos).get(reverse("progression:pack-detail", args=[pack.pk]))
    pack.refresh_from_db()
    assert (pack.status, pack.error) == (EvidencePack.Status.READY, "")
