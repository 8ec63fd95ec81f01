"""The skills passport demo: fictional example passports for bands 2, 3 and 4, and a support worker's
band 3 passport with a skill verified, one "not yet" and one waiting; safe to run twice."""

from __future__ import annotations

from http import HTTPStatus

import pytest
from django.test import Client
from django.utils import timezone

from bench.demo import directory as directory_demo
from bench.demo import passports as demo
from preceptorship.models import AuditEntry
from progression.models import Framework, PassportSkill

pytestmark = pytest.mark.django_db
Verification = PassportSkill.Verification


def test_the_demo_passports_are_marked_as_examples_and_running_twice_changes_nothing():
    today = timezone.localdate()
    directory = directory_demo.build(password="demo-password-1", today=today)
    passport = demo.build(directory=directory, today=today)
    passports = Framework.objects.filter(kind=Framework.Kind.SKILLS_PASSPORT)
    assert sorted(passports.values_list("to_level", flat=True)) == ["Band 2", "Band 3", "Band 4"]
    assert all("(fictional example)" in name for name in passports.values_list("name", flat=True))
    states = sorted(passport.skills.values_list("verification", flat=True))
    assert states.count(Verification.VERIFIED) == states.count(Verification.NOT_YET) == 1
    assert states.count(Verification.WAITING) == 1
    counts = (PassportSkill.objects.count(), AuditEntry.objects.count())
    demo.build(directory=directory, today=today)
    assert (PassportSkill.objects.count(), AuditEntry.objects.count()) == counts

    # The support worker's home page links to their passport; their manager's shows what waits.
    worker, manager = Client(), Client()
    worker.force_login(passport.worker)
    manager.force_login(directory.users["manager_trust"])
    home = worker.get("/")
    assert home.status_code == HTTPStatus.OK and passport.get_absolute_url() in home.content.decode()
    assert "1 skill of 1 worker waits for you to verify" in manager.get("/").content.decode()
