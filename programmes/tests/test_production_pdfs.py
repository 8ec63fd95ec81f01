"""Every PDF is produced with DEBUG off and the static files collected as production has them.

The module collects the static files once, with WhiteNoise's compressed manifest storage, into
a folder of its own that keeps only the hashed names (so nothing can be read by its source name),
and renders the certificate, the letter and the evidence pack through the pages that produce
them, as production does.
"""

from __future__ import annotations

import datetime
import re
import zlib
from collections.abc import Iterator
from http import HTTPStatus
from pathlib import Path
from typing import Any

import pytest
from django.core.management import call_command
from django.test import Client, override_settings
from django.urls import reverse
from django.utils import timezone

from preceptorship import pdf as pdf_module
from preceptorship.models import Membership
from preceptorship.tests.factories import person
from programmes.tests.factories import EnrolmentFactory
from progression import services
from progression.models import EvidencePack
from progression.tests.factories import Cast, mark_required

Role = Membership.Role
PRODUCTION_STATIC = {
    "BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage",
}


def _production_settings(static_root: Path, storages: dict[str, Any]) -> override_settings:
    return override_settings(
        DEBUG=False,
        STATIC_ROOT=static_root,
        STORAGES={**storages, "staticfiles": PRODUCTION_STATIC},
        WHITENOISE_KEEP_ONLY_HASHED_FILES=True,
    )


@pytest.fixture(scope="module")
def collected_static(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """``collectstatic`` once for the module: 7 to 20 s on a busy two-core machine, most of it
    WhiteNoise compressing every file (keeping only the hashed names halves it)."""
    from django.conf import settings

    root = tmp_path_factory.mktemp("staticfiles")
    with _production_settings(root, settings.STORAGES):
        call_command("collectstatic", interactive=False, verbosity=0)
    assert not (root / "css" / "print.css").exists()
    assert list((root / "css").glob("print.*.css"))
    return root


@pytest.fixture(autouse=True)
def production(collected_static: Path, settings: Any, tmp_path: Path) -> Iterator[list[str]]:
    """The production static files for one test; yields the static URLs the PDFs fetched."""
    settings.PRIVATE_MEDIA_ROOT = tmp_path
    fetched: list[str] = []
    fetch = pdf_module.StaticOnlyURLFetcher.fetch

    def recording_fetch(self: pdf_module.StaticOnlyURLFetcher, url: str, headers: dict | None = None) -> Any:
        response = fetch(self, url, headers)
        fetched.append(url)
        return response

    with _production_settings(collected_static, settings.STORAGES), \
            pytest.MonkeyPatch.context() as patch:
        patch.setattr(pdf_module.StaticOnlyURLFetcher, "fetch", recording_fetch)
        yield fetched


def _client(user: Any) -> Client:
    client = Client()
    client.force_login(user)
    return client


def pdf_titles(pdf: bytes) -> list[str]:
    """The document title and the bookmarks (the headings) of a PDF, as text."""
    chunks = [pdf]
    for match in re.finditer(rb"stream\r?\n", pdf):
        end = pdf.find(b"endstream", match.end())
        try:
            chunks.append(zlib.decompress(pdf[match.end():end]))
        except zlib.error:
            continue
    titles = []
    for chunk in chunks:
        for hex_title, literal in re.findall(rb"/Title\s*(?:<([0-9a-fA-F]+)>|\(((?:[^()\\]|\\.)*)\))", chunk):
            if hex_title:
                raw = bytes.fromhex(hex_title.decode())
                titles.append(raw[2:].decode("utf-16-be") if raw.startswith(b"\xfe\xff") else raw.decode("latin-1"))
            else:
                titles.append(literal.decode("latin-1"))
    return titles


def _assert_pdf_naming(content: bytes, name: str, fetched: list[str]) -> None:
    assert content.startswith(b"%PDF") and len(content) > 2000
    assert any(name in title for title in pdf_titles(content)), pdf_titles(content)
    # The print stylesheet was read under its hashed name, which only the collected files know.
    assert any(re.search(r"/static/css/print\.[0-9a-f]{12}\.css$", url) for url in fetched), fetched


@pytest.mark.django_db
def test_certificate_is_a_pdf_with_debug_off(organisation, team, production):
    preceptee = person(organisation, Role.PRACTITIONER, team=team, first_name="Zoë", last_name="Okonkwo-Smith")
    done = EnrolmentFactory(programme__organisation=organisation, team=team, completed=True, preceptee=preceptee)
    response = _client(done.preceptee).get(reverse("programmes:certificate", args=[done.pk]))
    assert response.status_code == HTTPStatus.OK
    assert response["Content-Type"] == "application/pdf"
    _assert_pdf_naming(response.content, "Okonkwo-Smith", production)


@pytest.mark.django_db
def test_letter_is_produced_and_downloaded_with_debug_off(organisation, team, production):
    cast = Cast(organisation, team)
    cast.practitioner.first_name, cast.practitioner.last_name = "Zoë", "Okonkwo-Smith"
    cast.practitioner.save(update_fields=["first_name", "last_name"])
    case = cast.open_case()
    mark_required(case, cast.manager)
    case = services.progression_case_submit(actor=cast.manager, case=case)
    case = services.progression_case_hos_decide(actor=cast.hos, case=case, recommend=True)
    case = services.progression_case_od_decide(actor=cast.director, case=case, decision="sign_off")
    case = services.progression_case_hr_record(actor=cast.hr, case=case, hr_reference="PAY-1234",
                                               effective_date=datetime.date(2025, 4, 1))
    case = services.progression_case_record_told(actor=cast.manager, case=case, told_on=timezone.localdate(),
                                                 told_by=cast.manager)
    hr = _client(cast.hr)
    response = hr.post(reverse("progression:case-confirm", args=[case.pk]), {"revision": case.revision,
                                                                                 "confirm": "yes"})
    assert response.status_code == HTTPStatus.FOUND
    response = hr.get(reverse("progression:case-letter", args=[case.pk]))
    assert response.status_code == HTTPStatus.OK
    _assert_pdf_naming(b"".join(response.streaming_content), "Okonkwo-Smith", production)


@pytest.mark.django_db
def test_evidence_pack_is_built_by_its_task_with_debug_off(organisation, team, production,
                                                           django_capture_on_commit_callbacks):
    cast = Cast(organisation, team)
    cast.practitioner.first_name, cast.practitioner.last_name = "Zoë", "Okonkwo-Smith"
    cast.practitioner.save(update_fields=["first_name", "last_name"])
    case = cast.open_case()
    mark_required(case, cast.manager)
    case = services.progression_case_submit(actor=cast.manager, case=case)
    hos = _client(cast.hos)
    with django_capture_on_commit_callbacks(execute=True):
        response = hos.post(reverse("progression:pack-request", args=[case.pk]))
    assert response.status_code == HTTPStatus.FOUND
    pack = EvidencePack.objects.get(case=case)
    assert (pack.status, pack.error) == (EvidencePack.Status.READY, "")
    page = hos.get(response.url)
    assert page.status_code == HTTPStatus.OK
    response = hos.get(reverse("progression:pack-download", args=[pack.pk]))
    assert response.status_code == HTTPStatus.OK
    _assert_pdf_naming(b"".join(response.streaming_content), "Okonkwo-Smith", production)
