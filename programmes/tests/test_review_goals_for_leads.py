"""A review meeting record shown to a programme lead leaves out the goals' text and progress notes
(leads see goal totals only, as on the goal pages); the preceptee, mentor and line manager see them."""

from __future__ import annotations

from http import HTTPStatus

import pytest
from django.urls import reverse

from preceptorship.models import Membership
from programmes.tests.factories_practice import GoalFactory, GoalUpdateFactory, ReviewFactory, make_cast

pytestmark = pytest.mark.django_db

Role = Membership.Role
GOAL = "Lead a discharge planning meeting on my own"
NOTE = "Struggled with the family conversation; plan to shadow twice more"


@pytest.fixture
def cast(organisation, other_organisation):
    return make_cast(organisation, other_organisation)


@pytest.fixture
def review(cast):
    review = ReviewFactory(enrolment=cast.enrolment)
    goal = GoalFactory(enrolment=cast.enrolment, what=GOAL)
    GoalUpdateFactory(goal=goal, review=review, note=NOTE, author=cast.mentor)
    GoalUpdateFactory(goal=GoalFactory(enrolment=cast.enrolment), review=review, author=cast.mentor)
    return review


def _page(client, user, review):
    client.force_login(user)
    response = client.get(reverse("programmes:review-detail", args=[review.pk]))
    assert response.status_code == HTTPStatus.OK
    return response.content.decode()


def test_the_programme_lead_sees_how_many_goals_were_reviewed_but_not_what_they_say(client, cast, review):
    page = _page(client, cast.lead, review)
    assert GOAL not in page and NOTE not in page
    assert "2 goals reviewed at this meeting" in page
    assert review.discussion in page  # the rest of the record is the lead's to read


@pytest.mark.parametrize("who", ["mentor", "line_manager", "preceptee"])
def test_the_mentor_line_manager_and_preceptee_see_the_goals_and_progress(client, cast, review, who):
    page = _page(client, getattr(cast, who), review)
    assert GOAL in page and NOTE in page


def test_a_lead_who_is_also_the_mentor_sees_what_the_mentor_sees(client, cast, review):
    Membership.objects.create(user=cast.mentor, organisation=cast.enrolment.programme.organisation,
                              role=Role.PROGRAMME_LEAD)
    page = _page(client, cast.mentor, review)
    assert GOAL in page and NOTE in page


def test_a_review_without_goals_says_so(client, cast):
    review = ReviewFactory(enrolment=cast.enrolment)
    assert "No goals were reviewed at this meeting" in _page(client, cast.lead, review)
