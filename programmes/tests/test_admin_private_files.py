"""The admin pages of records that hold private files (evidence, a case's letter) open for an
administrator: the file is named, never linked (private files have no URL: MEDIA_URL is None and a
bucket's URLs are never handed out), and never a server error."""

from __future__ import annotations

import datetime
from http import HTTPStatus
from typing import Any

import pytest
from django.apps import apps
from django.contrib import admin
from django.core.files.base import ContentFile
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import models
from django.test import Client
from django.urls import reverse

from preceptorship.models import Membership
from preceptorship.tests.factories import person
from programmes.privacy.models import SubjectAccessExport
from progression import services
from progression.models import Competency, Evidence, ProgressionCase
from progression.tests.factories import Cast

pytestmark = pytest.mark.django_db
PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


def _with_files(organisation: Any, team: Any) -> list[Any]:
    """One record of each administered model that holds a private file, with its file stored."""
    cast = Cast(organisation, team)
    case = cast.open_case()
    evidence = services.evidence_add(
        actor=cast.practitioner, case=case, title="Supervision notes", example_date=datetime.date(2025, 2, 3),
        description="What the family said.", competencies=[Competency.objects.filter(
            section__framework=case.framework).first()],
        upload=SimpleUploadedFile("supervision-notes.pdf", PDF),
    )
    case.letter_file.save("letter.pdf", ContentFile(PDF), save=True)
    export = SubjectAccessExport.objects.create(person=cast.practitioner, requested_by=cast.practitioner,
                                                status=SubjectAccessExport.Status.READY)
    export.file.save("subject-access.zip", ContentFile(b"PK\x05\x06" + bytes(18)), save=True)
    return [evidence, case, export]


def test_every_administered_model_with_a_private_file_is_covered() -> None:
    with_files = {model for model in apps.get_models() if admin.site.is_registered(model)
                  and any(isinstance(field, models.FileField) for field in model._meta.get_fields())}
    assert with_files == {Evidence, ProgressionCase, SubjectAccessExport}, "add a record of each to _with_files"


def test_admin_pages_of_records_with_private_files_open(settings: Any, organisation: Any, team: Any) -> None:
    settings.MEDIA_URL = None
    administrator = person(organisation, Membership.Role.ADMINISTRATOR, email="admin@example.org")
    administrator.is_staff = administrator.is_superuser = True
    administrator.save(update_fields=["is_staff", "is_superuser"])
    client = Client(raise_request_exception=False)
    client.force_login(administrator)
    for record in _with_files(organisation, team):
        meta = record._meta
        for page in ("change", "changelist", "delete", "history"):
            args = [] if page == "changelist" else [record.pk]
            url = reverse(f"admin:{meta.app_label}_{meta.model_name}_{page}", args=args)
            response = client.get(url)
            # A case holds its decisions and marks, which are never deleted (preceptorship/admin_audit.py).
            # An export is written by the services alone: read-only in the admin.
            refused = page == "delete" and isinstance(record, ProgressionCase | SubjectAccessExport)
            expected = HTTPStatus.FORBIDDEN if refused else HTTPStatus.OK
            assert response.status_code == expected, f"{url}: {response.status_code}"
            body = response.content.decode()
            for field in meta.fields:
                if isinstance(field, models.FileField):
                    stored = getattr(record, field.name).name
                    assert f'href="{stored}' not in body and f'/{stored}"' not in body, f"{url} links to {stored}"
        change = client.get(reverse(f"admin:{meta.app_label}_{meta.model_name}_change", args=[record.pk]))
        assert 'type="file"' not in change.content.decode(), "a private file is not replaced from the admin"
        assert "stored privately" in change.content.decode(), "the file is named"
