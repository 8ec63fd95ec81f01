"""Through a real worker on the Redis broker (as in production and CI's second pass): an export
asked for on a page is built by the worker, and two nightly retention fires act once. Skipped
without REDIS_URL and PostgreSQL (DATABASE_URL)."""

from __future__ import annotations

import datetime
import io

import pytest
from django.core.management import call_command

from preceptorship.models import Membership
from preceptorship.tests.factories import person
from preceptorship.tests.test_worker_integration import wait_for, worker  # noqa: F401 - the fixture
from programmes.privacy import services, tasks
from programmes.privacy.models import RetentionRun, SubjectAccessExport
from programmes.tests.factories import EnrolmentFactory, ProgrammeFactory

pytestmark = [pytest.mark.redis, pytest.mark.postgres, pytest.mark.django_db(transaction=True)]
Role = Membership.Role


def test_the_worker_builds_an_export_asked_for(worker, organisation) -> None:  # noqa: F811
    officer = person(organisation, Role.DATA_PROTECTION)
    someone = person(organisation, Role.PRACTITIONER)
    EnrolmentFactory(programme=ProgrammeFactory(organisation=organisation), preceptee=someone, completed=True)
    export = services.export_request(actor=officer, person=someone)  # queued when its transaction commits
    wait_for(lambda: SubjectAccessExport.objects.get(pk=export.pk).status not in SubjectAccessExport.WAITING, 120,
             describe=lambda: "export {status} {error!r}".format(
                 **SubjectAccessExport.objects.values("status", "error").get(pk=export.pk)))
    export.refresh_from_db()
    assert export.status == SubjectAccessExport.Status.READY, export.error
    assert export.counts["enrolments"] == 1 and export.file


def test_two_nightly_fires_through_the_queue_act_once(worker, organisation) -> None:  # noqa: F811
    old = EnrolmentFactory(programme=ProgrammeFactory(organisation=organisation), completed=True,
                           start_date=datetime.date(2015, 1, 5), completed_on=datetime.date(2016, 7, 5))
    tasks.apply_retention.delay()
    tasks.apply_retention.delay()
    call_command("apply_retention", "--dry-run", stdout=io.StringIO())  # a marker: after both, in this process
    wait_for(lambda: not RetentionRun.objects.filter(status=RetentionRun.Status.RUNNING).exists()
             and RetentionRun.objects.filter(dry_run=False).exists(), 60)
    assert RetentionRun.objects.filter(dry_run=False).count() == 1
    old.refresh_from_db()
    assert old.preceptee.email.endswith("@removed.invalid")
