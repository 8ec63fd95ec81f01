"""Wellbeing and confidence are asked at every meeting so the trend shows: the review meetings page
draws them, meeting by meeting, from the second meeting held (with the numbers as a table), in the
same number of queries however many meetings there are."""

from __future__ import annotations

import datetime

import pytest
from django.test import Client
from django.urls import reverse

from programmes.models import ReviewMeeting
from programmes.tests.factories_practice import ReviewFactory, make_cast

TITLE = "Wellbeing and confidence at each review meeting"


@pytest.fixture
def cast(organisation, other_organisation):
    return make_cast(organisation, other_organisation)


def _page(user, enrolment) -> str:
    client = Client()
    client.force_login(user)
    return client.get(reverse("programmes:review-list", args=[enrolment.pk])).content.decode()


def test_the_trend_shows_from_the_second_meeting_to_everyone_who_reads_the_records(cast, today):
    enrolment = cast.enrolment
    ReviewFactory(enrolment=enrolment, number=1, wellbeing=2, confidence=1, held_on=today - datetime.timedelta(90))
    ReviewFactory(enrolment=enrolment, number=2, status=ReviewMeeting.Status.CANCELLED, held_on=None,
                  wellbeing=None, confidence=None, reason="Clinic moved")
    assert TITLE not in _page(cast.mentor, enrolment)
    ReviewFactory(enrolment=enrolment, number=2, wellbeing=4, confidence=3, held_on=today - datetime.timedelta(2))
    for who in (cast.preceptee, cast.mentor, cast.line_manager, cast.lead):
        page = _page(who, enrolment)
        assert TITLE in page and 'role="img"' in page
        assert "Review 1, Wellbeing: 2" in page and "Review 2, Confidence: 3" in page


@pytest.mark.parametrize("viewer", ["mentor", "preceptee"])
def test_the_page_takes_the_same_queries_with_two_or_eight_meetings(organisation, other_organisation, viewer,
                                                                    django_assert_num_queries, today):
    counts = []
    for n in (2, 8):
        cast = make_cast(organisation, other_organisation)
        for number in range(1, n + 1):
            ReviewFactory(enrolment=cast.enrolment, number=number, wellbeing=1 + number % 5,
                          held_on=today - datetime.timedelta(days=10 * (n - number) + 1))
        client = Client()
        client.force_login(getattr(cast, viewer))
        # The mentor's page also reads the draft review record they may continue.
        with django_assert_num_queries(7 if viewer == "mentor" else 6) as queries:
            response = client.get(reverse("programmes:review-list", args=[cast.enrolment.pk]))
        assert TITLE in response.content.decode()
        counts.append(len(queries.captured_queries))
    assert counts[0] == counts[1]
