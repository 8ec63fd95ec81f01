"""The data protection pages and the export's index.html are valid HTML by the W3C Nu checker
(as every page the demo people reach is: preceptorship/tests/test_html_validity.py)."""

from __future__ import annotations

import io
import json
import subprocess
import zipfile
from pathlib import Path

import pytest
from django.test import Client
from django.urls import reverse

from preceptorship.models import Membership
from preceptorship.tests.factories import person
from preceptorship.tests.test_html_validity import _checker
from programmes.privacy import services
from programmes.privacy.models import SubjectAccessExport
from programmes.tests.factories import EnrolmentFactory, ProgrammeFactory

pytestmark = pytest.mark.django_db
Role = Membership.Role


def test_the_pages_and_the_exports_index_are_valid_html(organisation, tmp_path: Path) -> None:
    checker = _checker()
    if checker is None:
        pytest.skip("the W3C Nu checker needs java and the vnujar package")
    officer = person(organisation, Role.DATA_PROTECTION)
    someone = person(organisation, Role.PRACTITIONER, first_name="Nia", last_name="Pryce")
    EnrolmentFactory(programme=ProgrammeFactory(organisation=organisation), preceptee=someone, completed=True)
    export = SubjectAccessExport.objects.create(person=someone, organisation=organisation, requested_by=officer)
    export = services.export_build(export_id=export.pk)
    waiting = SubjectAccessExport.objects.create(person=someone, organisation=organisation, requested_by=officer)
    client = Client()
    client.force_login(officer)
    pages = {
        "index": reverse("privacy:index") + "?q=nia",
        "person": reverse("privacy:person", args=[someone.pk]),
        "export": export.get_absolute_url(),
        "waiting": waiting.get_absolute_url(),
        "erase": reverse("privacy:erase", args=[someone.pk]),
    }
    for name, address in pages.items():
        response = client.get(address)
        assert response.status_code == 200, name
        (tmp_path / f"{name}.html").write_bytes(response.content)
    (tmp_path / "erase-error.html").write_bytes(client.post(pages["erase"], {}).content)
    with export.file.open("rb") as handle:
        (tmp_path / "export-index.html").write_bytes(zipfile.ZipFile(io.BytesIO(handle.read())).read("index.html"))
    result = subprocess.run(  # noqa: S603 - a fixed command on files this test wrote
        [*checker, "--format", "json", "--errors-only", "--exit-zero-always", *sorted(tmp_path.glob("*.html"))],
        capture_output=True, text=True, timeout=300, check=False,
    )
    messages = json.loads(result.stderr or result.stdout or '{"messages": []}')["messages"]
    assert not [f"{Path(m.get('url', '')).name}: {m.get('message')}" for m in messages]
