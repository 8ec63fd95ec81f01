"""The issue's "Bad input" list through the pages: each is a clear message beside its field, and
what was typed stays (the rest are tested in test_views_lead and test_views_practice)."""

from __future__ import annotations

from http import HTTPStatus

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from preceptorship.models import Membership, Profession
from preceptorship.tests.factories import person
from programmes.models import Enrolment, Evaluation, Transition
from programmes.tests.factories import EnrolmentFactory, ProgrammeFactory

Role = Membership.Role


def _client(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


@pytest.fixture
def programme(organisation):
    return ProgrammeFactory(organisation=organisation,
                            professions=[Profession.objects.get(slug="occupational-therapy")])


def test_an_evaluation_score_outside_1_to_5_is_named_beside_its_field(programme):
    done = EnrolmentFactory(programme=programme, completed=True)
    answers = {"support_received": "9", "confidence_now": "4", "protected_time": "0", "would_recommend": "perhaps",
               "comments": "Study days were hard to protect."}
    response = _client(done.preceptee).post(reverse("programmes:evaluation", args=[done.pk]), answers)
    page = response.content.decode()
    assert response.status_code == HTTPStatus.OK
    assert page.count("Choose a score from 1 to 5") >= 2 and "Select a valid choice" not in page
    assert "Say whether you would recommend the programme" in page
    assert "Study days were hard to protect." in page
    assert not Evaluation.objects.exists()


def test_someone_enrolled_by_another_lead_meanwhile_is_named_and_the_cohort_waits(programme, organisation):
    ot = Profession.objects.get(slug="occupational-therapy")
    first = person(organisation, Role.PRACTITIONER, profession=ot, first_name="Ada", last_name="Aardvark")
    second = person(organisation, Role.PRACTITIONER, profession=ot, first_name="Ben", last_name="Bittern")
    mentor = person(organisation, Role.MENTOR, profession=ot)
    lead = person(organisation, Role.PROGRAMME_LEAD)
    client = _client(lead)
    url = reverse("programmes:programme-enrol", args=[programme.pk])
    assert "Aardvark" in client.get(url).content.decode()
    EnrolmentFactory(programme=programme, preceptee=first)  # another lead, in another tab
    today = timezone.localdate()
    response = client.post(url, {
        "preceptees": [first.pk, second.pk], "start_date_0": today.day, "start_date_1": today.month,
        "start_date_2": today.year, "transition": Transition.NEWLY_REGISTERED, "mentor": mentor.pk,
    })
    page = response.content.decode()
    assert response.status_code == HTTPStatus.OK
    assert "Ada Aardvark is already enrolled on this programme." in page and "Select a valid choice" not in page
    assert 'id="preceptees-error"' in page or "nhsuk-error-message" in page
    assert not Enrolment.objects.filter(preceptee=second).exists()


@pytest.mark.parametrize("search", [False, True])
def test_an_id_no_database_column_can_hold_is_refused_on_the_enrol_page(programme, organisation, search):
    lead = person(organisation, Role.PROGRAMME_LEAD)
    data = {"preceptees": ["99999999999999999999", "-1"], "find": "Aard"} | ({"search": "1"} if search else {})
    response = Client(raise_request_exception=False)
    response.force_login(lead)
    answer = response.post(reverse("programmes:programme-enrol", args=[programme.pk]), data)
    assert answer.status_code == HTTPStatus.OK
    assert 'value="Aard"' in answer.content.decode()
    assert not Enrolment.objects.exists()


def test_a_mentor_or_line_manager_the_programme_may_not_use_is_named_beside_the_field(programme, organisation,
                                                                                     far_organisation):
    enrolment = EnrolmentFactory(programme=programme)
    lead = person(organisation, Role.PROGRAMME_LEAD)
    stranger = person(far_organisation, Role.MENTOR, Role.LINE_MANAGER)
    client = _client(lead)
    response = client.post(reverse("programmes:enrolment-people", args=[enrolment.pk]),
                           {"mentor": stranger.pk, "line_manager": stranger.pk})
    page = response.content.decode()
    assert response.status_code == HTTPStatus.OK and "Select a valid choice" not in page
    assert "Choose a mentor from the list" in page and "Choose a line manager from the list" in page
    enrolment.refresh_from_db()
    assert enrolment.mentor != stranger


def test_optional_fields_say_so_once(programme, organisation):
    lead = person(organisation, Role.PROGRAMME_LEAD)
    due = EnrolmentFactory(programme=programme)
    done = EnrolmentFactory(programme=programme, completed=True)
    pages = [
        _client(lead).get(reverse("programmes:completion-outcome", args=[due.pk])),
        _client(lead).get(reverse("programmes:programme-edit", args=[programme.pk])),
        _client(done.preceptee).get(reverse("programmes:evaluation", args=[done.pk])),
    ]
    for response in pages:
        page = response.content.decode()
        assert response.status_code == HTTPStatus.OK and "(optional)" in page
        assert "(optional) (optional)" not in page
