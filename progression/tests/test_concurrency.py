"""Two people deciding the same step at once, on two PostgreSQL connections: exactly one succeeds.
(On SQLite: preceptorship/tests/test_sqlite_race.py.)

Runs only on PostgreSQL (``DATABASE_URL=postgres://...``): SQLite has no row locks to test.
"""

from __future__ import annotations

import threading

import pytest
from django.db import connection, connections
from django.utils import timezone

from preceptorship.models import Membership
from preceptorship.tests.factories import person
from progression import services
from progression.models import Decision, ProgressionCase
from progression.services import TransitionError
from progression.tests.factories import mark_required

Role = Membership.Role

pytestmark = [
    pytest.mark.postgres,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),  # professions come back after earlier flushes
    pytest.mark.skipif(connection.vendor != "postgresql", reason="needs PostgreSQL row locks"),
]


def test_two_heads_of_service_deciding_at_once(cast):
    case = cast.open_case()
    mark_required(case, cast.manager)
    case = services.progression_case_submit(actor=cast.manager, case=case)
    # The named Head of Service and the one they delegated to: both may decide, one after the other.
    second = person(cast.organisation, Role.HEAD_OF_SERVICE, team=cast.team)
    services.delegation_create(actor=cast.hos, delegate=second, starts_on=timezone.localdate(),
                               ends_on=timezone.localdate())
    loaded = case.revision
    barrier = threading.Barrier(2)
    outcomes: list[str] = []

    def decide(actor, recommend: bool) -> None:
        try:
            barrier.wait(timeout=10)
            services.progression_case_hos_decide(actor=actor, case=ProgressionCase.objects.get(pk=case.pk),
                                                 recommend=recommend, comment="Needs more.",
                                                 expected_revision=loaded)
            outcomes.append("ok")
        except TransitionError as error:
            outcomes.append(str(error))
        finally:
            connections.close_all()

    threads = [threading.Thread(target=decide, args=(cast.hos, True)),
               threading.Thread(target=decide, args=(second, False))]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    assert sorted(outcomes, key=lambda o: o != "ok")[0] == "ok"
    assert outcomes.count("ok") == 1
    assert any("changed since you loaded the page" in o for o in outcomes)
    assert Decision.objects.filter(case=case, decision__in=["recommended", "returned"]).count() == 1
