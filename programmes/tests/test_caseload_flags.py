"""The caseload's "reflections awaiting feedback" figure: shared with this mentor, no feedback yet."""

from __future__ import annotations

import pytest

from programmes import selectors
from programmes.tests.factories import EnrolmentFactory
from programmes.tests.factories_practice import ReflectionFactory, ReflectionFeedbackFactory

pytestmark = pytest.mark.django_db


def test_each_enrolment_counts_its_shared_reflections_still_awaiting_feedback(django_assert_num_queries):
    first = EnrolmentFactory()
    mentor = first.mentor
    second = EnrolmentFactory(programme=first.programme, mentor=mentor)
    elsewhere = EnrolmentFactory(programme=first.programme)
    ReflectionFactory.create_batch(2, enrolment=first, shared_with_mentor=True)
    ReflectionFeedbackFactory(reflection=ReflectionFactory(enrolment=first, shared_with_mentor=True))
    ReflectionFactory(enrolment=first)  # finished but not shared
    ReflectionFactory(enrolment=second, shared_with_line_manager=True)  # shared with the manager only
    ReflectionFactory(enrolment=elsewhere, shared_with_mentor=True)

    # Two queries however many reflections there are: the mentor's roles (access) and the list with its figure.
    with django_assert_num_queries(2):
        rows = {e.pk: e.shared_awaiting for e in selectors.with_flags(selectors.caseload(mentor), mentor)}
    assert rows == {first.pk: 2, second.pk: 0}
    # Someone else looking at the same enrolments sees nothing awaiting *their* feedback.
    lead_view = selectors.with_flags(selectors.caseload(mentor), elsewhere.mentor)
    assert {e.shared_awaiting for e in lead_view} == {0}
