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
    # The mentor's own caseload, whose rows are all theirs, counts the same without checking each.
    mine = selectors.with_flags(selectors.caseload(mentor), mentor, all_mentored=True)
    assert {e.pk: e.shared_awaiting for e in mine} == rows
    # Someone else looking at the same enrolments sees nothing awaiting *their* feedback.
    lead_view = selectors.with_flags(selectors.caseload(mentor), elsewhere.mentor)
    assert {e.shared_awaiting for e in lead_view} == {0}


def test_the_caseload_and_the_team_offer_to_continue_a_review_record_only_to_the_mentor(client):
    from django.urls import reverse

    from programmes.models import ReviewDraft

    enrolment = EnrolmentFactory()
    left_over = EnrolmentFactory(programme=enrolment.programme, mentor=enrolment.mentor,
                                 line_manager=enrolment.line_manager)
    ReviewDraft.objects.create(enrolment=enrolment, number=enrolment.reviews_held + 1, saved_by=enrolment.mentor)
    ReviewDraft.objects.create(enrolment=left_over, number=left_over.reviews_held, saved_by=enrolment.mentor)
    continue_url = reverse("programmes:review-record", args=[enrolment.pk])
    client.force_login(enrolment.mentor)
    page = client.get(reverse("programmes:caseload")).content.decode()
    assert page.count("Review record in progress") == 1 and f'href="{continue_url}"' in page
    client.force_login(enrolment.line_manager)
    team = client.get(reverse("programmes:team"))
    assert team.status_code == 200 and str(enrolment.preceptee) in team.content.decode()
    assert "Review record in progress" not in team.content.decode()
