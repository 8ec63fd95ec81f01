"""The enrolment page (the timeline) reads each kind of record once: the same number of queries
with none or many reviews, pauses, extensions, goals, reflections and hours of protected time."""

from __future__ import annotations

import datetime

import pytest
from django.urls import reverse
from django.utils import timezone

from programmes.tests.factories import EnrolmentFactory, ExtensionFactory, PauseFactory, ProgrammeFactory
from programmes.tests.factories_practice import GoalFactory, ProtectedTimeFactory, ReflectionFactory, ReviewFactory


def _records(enrolment, n):
    today = timezone.localdate()
    for i in range(n):
        ReviewFactory(enrolment=enrolment, number=i + 1, held_on=today - datetime.timedelta(days=300 - 30 * i))
        start = today - datetime.timedelta(days=250 - 20 * i)
        PauseFactory(enrolment=enrolment, start_date=start, end_date=start + datetime.timedelta(days=5))
        ExtensionFactory(enrolment=enrolment, months=1)
        GoalFactory(enrolment=enrolment, achieved_on=today - datetime.timedelta(days=i))
        ReflectionFactory(enrolment=enrolment, shared_with_mentor=True)
        ProtectedTimeFactory(enrolment=enrolment)


@pytest.mark.parametrize("viewer", ["preceptee", "mentor"])
def test_the_timeline_takes_the_same_queries_with_one_or_many_records(client, organisation, viewer,
                                                                      django_assert_num_queries):
    programme = ProgrammeFactory(organisation=organisation)
    counts = []
    for n in (0, 6):  # none at all, then many
        enrolment = EnrolmentFactory(programme=programme, start_date=timezone.localdate() - datetime.timedelta(400))
        _records(enrolment, n)
        client.force_login(getattr(enrolment, viewer))
        # Session, user, memberships (3); the enrolment with its three figures; its pauses,
        # extensions, goals, reviews and completion confirmations (5); its mentor and line manager;
        # the reflections the reader may see; the unread count; for the mentor, the draft review
        # record they may continue.
        with django_assert_num_queries(13 if viewer == "mentor" else 12) as queries:
            response = client.get(reverse("programmes:enrolment-detail", args=[enrolment.pk]))
        assert response.status_code == 200
        counts.append(len(queries.captured_queries))
        assert response.content.decode().count("Goal achieved") == n
    assert counts[0] == counts[1]
