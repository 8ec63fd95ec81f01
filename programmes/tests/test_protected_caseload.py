"""A protected caseload: a programme sets the most of a full caseload its preceptees carry in their first
months; the mentor records the caseload at each review (optional); the mentor's caseload, the line
manager's team and the enrolment page say when the last one recorded is above the protection, while
the protection lasts; the programme's form asks for both figures or neither."""

from __future__ import annotations

import datetime
from http import HTTPStatus
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse

from preceptorship.models import Membership, Profession
from preceptorship.tests.factories import person
from programmes.models import Programme, ReviewMeeting
from programmes.schedule import add_months
from programmes.tests.factories import EnrolmentFactory, ProgrammeFactory

Role = Membership.Role
pytestmark = pytest.mark.django_db
D = datetime.date


def _client(user: Any) -> Client:
    client = Client()
    client.force_login(user)
    return client


def test_the_limit_holds_in_the_first_months_only():
    programme = Programme(protected_caseload_percent=60, protected_caseload_months=6)
    assert programme.caseload_limit(D(2026, 1, 10), D(2026, 7, 9)) == 60
    assert programme.caseload_limit(D(2026, 1, 10), D(2026, 7, 10)) is None
    assert Programme().caseload_limit(D(2026, 1, 10), D(2026, 1, 11)) is None


@pytest.fixture
def enrolment(organisation: Any, today: datetime.date) -> Any:
    programme = ProgrammeFactory(organisation=organisation, protected_caseload_percent=60,
                                 protected_caseload_months=6)
    return EnrolmentFactory(programme=programme, start_date=today - datetime.timedelta(days=40))


def _record(enrolment: Any, today: datetime.date, caseload: str) -> Any:
    held = today - datetime.timedelta(days=1)
    return _client(enrolment.mentor).post(reverse("programmes:review-record", args=[enrolment.pk]), {
        "held_on_0": str(held.day), "held_on_1": str(held.month), "held_on_2": str(held.year),
        "attended": ["preceptee", "mentor"], "discussion": "Caseload growing fast", "wellbeing": "3",
        "confidence": "3", "caseload_percent": caseload,
    })


def test_a_caseload_above_the_protection_is_flagged_to_who_sees_the_reviews(enrolment, today, organisation):
    form = _client(enrolment.mentor).get(reverse("programmes:review-record", args=[enrolment.pk])).content.decode()
    assert "at most 60% for their first 6 months" in form
    assert _record(enrolment, today, "75").status_code == HTTPStatus.FOUND
    review = ReviewMeeting.objects.get()
    assert review.caseload_percent == 75 and review.caseload_exceeded
    assert "Above the protected 60%" in _client(enrolment.preceptee).get(review.get_absolute_url()).content.decode()
    for user, page in ((enrolment.mentor, reverse("programmes:caseload")),
                       (enrolment.line_manager, reverse("programmes:team"))):
        assert "Caseload above protection" in _client(user).get(page).content.decode()
    for user in (enrolment.preceptee, enrolment.mentor, enrolment.line_manager):
        page = _client(user).get(enrolment.get_absolute_url()).content.decode()
        assert "the caseload was 75% of a full caseload" in page
    outsider = person(organisation, Role.MENTOR)
    assert "Caseload above protection" not in _client(outsider).get(reverse("programmes:caseload")).content.decode()


def test_within_the_protection_nothing_is_flagged(enrolment, today):
    _record(enrolment, today, "60")
    assert not ReviewMeeting.objects.get().caseload_exceeded
    assert "Caseload above protection" not in _client(enrolment.mentor).get(
        reverse("programmes:caseload")).content.decode()
    assert "above protection" not in _client(enrolment.preceptee).get(enrolment.get_absolute_url()).content.decode()


def test_once_the_protected_months_are_over_the_flag_goes(enrolment, today, time_machine):
    _record(enrolment, today, "90")
    time_machine.move_to(add_months(enrolment.start_date, 6) + datetime.timedelta(days=1))
    assert "Caseload above protection" not in _client(enrolment.mentor).get(
        reverse("programmes:caseload")).content.decode()
    assert "above protection" not in _client(enrolment.preceptee).get(enrolment.get_absolute_url()).content.decode()


@pytest.mark.parametrize(("typed", "message"), [
    ("abc", "Enter the caseload as a whole number, for example 60"),
    ("-5", "Enter a caseload from 0 to 200 per cent"),
    ("999999999999999999999", "Enter a caseload from 0 to 200 per cent"),
])
def test_a_bad_caseload_is_named_beside_the_field_and_the_rest_kept(enrolment, today, typed, message):
    response = _record(enrolment, today, typed)
    assert response.status_code == HTTPStatus.OK
    assert response.context["form"].errors == {"caseload_percent": [message]}
    assert "Caseload growing fast" in response.content.decode()
    assert not ReviewMeeting.objects.exists()


def test_the_programme_asks_for_both_figures_or_neither(client, organisation):
    client.force_login(person(organisation, Role.PROGRAMME_LEAD))
    data = {
        "name": "Dietetics preceptorship", "organisation": organisation.pk,
        "professions": [Profession.objects.get(slug="occupational-therapy").pk],
        "transitions": ["newly_registered"], "length_months": "12", "review_interval_months": "3",
        "protected_hours_per_month": "4", "mentor_capacity": "4", "entry_level": "Level 1", "exit_level": "Level 2",
        "first_meeting_days": "14",
    }
    refused = client.post(reverse("programmes:programme-create"), {**data, "protected_caseload_percent": "60"})
    assert refused.context["form"].errors == {
        "protected_caseload_months": ["Enter for how many months the caseload is protected."]}
    assert refused.context["form"]["protected_caseload_percent"].value() == "60"
    client.post(reverse("programmes:programme-create"),
                {**data, "protected_caseload_percent": "60", "protected_caseload_months": "6"})
    programme = Programme.objects.get(name="Dietetics preceptorship")
    assert (programme.protected_caseload_percent, programme.protected_caseload_months) == (60, 6)
    page = client.get(programme.get_absolute_url()).content.decode()
    assert "At most 60% of a full caseload for the first 6 months" in page
