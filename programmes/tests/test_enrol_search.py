"""Enrolling people found by name, through HTTP: the enrol page offers a bounded number of people,
a search narrows them, the people already ticked stay ticked and offered across searches, a search
checks nothing and enrols nobody, and the page's queries do not grow with the number of people."""

from __future__ import annotations

import datetime
from http import HTTPStatus
from typing import Any

import pytest
from django.urls import reverse

from preceptorship.models import Membership, Organisation, Profession, User
from preceptorship.tests.factories import person
from preceptorship.tests.queries import assert_same_queries_at_two_sizes
from programmes.forms.lead import EnrolForm
from programmes.models import Enrolment, Programme, Transition
from programmes.tests.factories import EnrolmentFactory, ProgrammeFactory
from programmes.tests.test_list_filters import client_for

pytestmark = pytest.mark.django_db
Role = Membership.Role


def _ot() -> Profession:
    return Profession.objects.get(slug="occupational-therapy")


def _practitioner(organisation: Organisation, first: str, last: str) -> User:
    return person(organisation, Role.PRACTITIONER, profession=_ot(), first_name=first, last_name=last,
                  email=f"{first}.{last}@example.org".lower())


@pytest.fixture
def programme(organisation: Organisation) -> Programme:
    return ProgrammeFactory(organisation=organisation, name="Occupational Therapy preceptorship", professions=[_ot()])


@pytest.fixture
def lead(organisation: Organisation) -> User:
    return person(organisation, Role.PROGRAMME_LEAD)


@pytest.fixture
def staff(organisation: Organisation) -> dict[str, User]:
    return {
        "amira": _practitioner(organisation, "Amira", "Okafor"),
        "ben": _practitioner(organisation, "Ben", "Okoro"),
        "cara": _practitioner(organisation, "Cara", "Lindqvist"),
        "mentor": person(organisation, Role.MENTOR, profession=_ot(), last_name="Mentorson"),
        "manager": person(organisation, Role.LINE_MANAGER, last_name="Managerly"),
    }


def _url(programme: Programme) -> str:
    return reverse("programmes:programme-enrol", args=[programme.pk])


def _offered(response: Any) -> set[int]:
    return {person.pk for person in response.context["form"].offered}


def _checked(body: str, user: User) -> bool:
    return f'value="{user.pk}" checked' in body


def _date(day: datetime.date) -> dict[str, str]:
    return {"start_date_0": str(day.day), "start_date_1": str(day.month), "start_date_2": str(day.year)}


def _enrol_data(staff: dict[str, User], today: datetime.date, *names: str, **more: Any) -> dict[str, Any]:
    return {"preceptees": [staff[name].pk for name in names], **_date(today), "transition": Transition.NEWLY_REGISTERED,
            "mentor": staff["mentor"].pk, "line_manager": staff["manager"].pk, **more}


def test_the_page_has_a_labelled_search_box_and_a_search_button(lead, programme, staff):
    body = client_for(lead).get(_url(programme)).content.decode()
    assert '<label class="nhsuk-label" for="id_find">Find people by name (optional)</label>' in body
    assert 'type="submit" name="search" value="1">Search people</button>' in body
    assert all(str(staff[name]) in body for name in ("amira", "ben", "cara"))


def test_a_search_link_narrows_the_people_offered(lead, programme, staff):
    client = client_for(lead)
    response = client.get(_url(programme), {"find": "oko"})
    assert _offered(response) == {staff["ben"].pk}
    assert _offered(client.get(_url(programme), {"find": "amira.okafor@"})) == {staff["amira"].pk}
    assert _offered(client.get(_url(programme), {"find": "ok"})) == {staff["amira"].pk, staff["ben"].pk}
    empty = client.get(_url(programme), {"find": "zzz"})
    assert not _offered(empty) and "Nobody who can be enrolled matches “zzz”" in empty.content.decode()


def test_a_search_keeps_the_people_ticked_and_everything_typed_and_enrols_nobody(lead, programme, staff, today):
    client = client_for(lead)
    data = _enrol_data(staff, today, "amira", find="lindq", search="1", start_date_0="31")
    response = client.post(_url(programme), data)
    body = response.content.decode()
    assert response.status_code == HTTPStatus.OK
    assert _offered(response) == {staff["amira"].pk, staff["cara"].pk}
    assert _checked(body, staff["amira"]) and not _checked(body, staff["cara"])
    assert body.index(str(staff["amira"])) < body.index(str(staff["cara"]))  # the ticked first
    assert 'value="31"' in body and 'value="lindq"' in body
    assert "There is a problem" not in body and "<title>Error" not in body
    assert not Enrolment.objects.exists()
    # Then tick the one found and enrol both.
    response = client.post(_url(programme), _enrol_data(staff, today, "amira", "cara", find="lindq"))
    assert response.status_code == HTTPStatus.FOUND
    assert set(Enrolment.objects.values_list("preceptee", flat=True)) == {staff["amira"].pk, staff["cara"].pk}


def test_a_search_after_a_capacity_warning_asks_again_before_going_over(lead, programme, staff, today):
    programme.mentor_capacity = 1
    programme.save()
    EnrolmentFactory(mentor=staff["mentor"])
    client = client_for(lead)
    warned = client.post(_url(programme), _enrol_data(staff, today, "amira")).content.decode()
    assert "over their capacity of 1" in warned
    searched = client.post(_url(programme), _enrol_data(staff, today, "amira", find="ben", search="1",
                                                        confirm_over_capacity="on"))
    assert 'name="confirm_over_capacity" value="on"' not in searched.content.decode()
    response = client.post(_url(programme), _enrol_data(staff, today, "amira", "ben"))
    assert response.status_code == HTTPStatus.OK and not Enrolment.objects.filter(programme=programme).exists()
    confirmed = client.post(_url(programme), _enrol_data(staff, today, "amira", "ben", confirm_over_capacity="on"))
    assert confirmed.status_code == HTTPStatus.FOUND
    assert Enrolment.objects.filter(programme=programme).count() == 2


def test_someone_not_offered_by_the_search_may_still_be_enrolled_if_ticked_before(lead, programme, staff, today):
    response = client_for(lead).post(_url(programme), _enrol_data(staff, today, "ben", find="cara"))
    assert response.status_code == HTTPStatus.FOUND
    assert Enrolment.objects.get().preceptee == staff["ben"]


def test_only_a_bounded_number_are_offered_with_a_hint_to_search(lead, programme, organisation, staff, monkeypatch):
    monkeypatch.setattr(EnrolForm, "OFFERED", 2)
    client = client_for(lead)
    response = client.get(_url(programme))
    body = response.content.decode()
    assert len(response.context["form"].offered) == 2
    assert "Only the first 2 are shown: search by name to find others." in body
    # People ticked beyond the bound are still offered, ticked.
    response = client.post(_url(programme), {"preceptees": [staff["cara"].pk], "search": "1"})
    assert staff["cara"].pk in _offered(response) and len(_offered(response)) == 3
    assert _checked(response.content.decode(), staff["cara"])


@pytest.mark.parametrize("data", [
    {"search": "1", "find": "x" * 5000}, {"search": "1", "preceptees": ["abc", "-1", "99999999"]},
    {"search": "1", "find": "%_'\\\""}, {"preceptees": ["abc"], "find": "a"},
])
def test_odd_search_input_is_never_a_server_error(lead, programme, staff, data):
    response = client_for(lead).post(_url(programme), data)
    assert response.status_code == HTTPStatus.OK
    assert not Enrolment.objects.exists()


def test_nobody_already_enrolled_is_offered_even_when_searched(lead, programme, staff):
    EnrolmentFactory(programme=programme, preceptee=staff["amira"])
    response = client_for(lead).get(_url(programme), {"find": "amira"})
    assert not _offered(response)


def test_the_enrol_page_takes_the_same_queries_at_two_sizes(lead, programme, organisation, staff):
    def add(first: int, last: int) -> None:
        for n in range(first, last):
            _practitioner(organisation, f"Person{n}", f"Surname{n}")
        for _ in range(first // 10, last // 10):  # more mentors and line managers, each with their profession
            person(organisation, Role.MENTOR, profession=_ot())
            person(organisation, Role.LINE_MANAGER, profession=_ot())

    add(0, 3)
    client = client_for(lead)
    # session, user, memberships (access), the programme; programme's professions (mentors, people),
    # served organisations' people: the people offered; mentors with their load, line managers;
    # unread notifications (header): the same with 3 people or 60.
    small, large = assert_same_queries_at_two_sizes(
        lambda: client.post(_url(programme), {"search": "1", "find": "surname", "preceptees": [staff["ben"].pk]}),
        lambda: add(3, 60),
    )
    for response, size in ((small, 3), (large, 60)):
        assert len(response.context["form"].offered) == min(size, EnrolForm.OFFERED) + 1


def _mentors_offered(response: Any) -> set[int]:
    return {mentor.pk for mentor in response.context["form"].mentors}


def test_mentors_are_found_by_name_and_the_chosen_one_stays_chosen(lead, programme, organisation, staff, today):
    other = person(organisation, Role.MENTOR, profession=_ot(), first_name="Yusuf", last_name="Hale")
    client = client_for(lead)
    assert _mentors_offered(client.get(_url(programme))) == {staff["mentor"].pk, other.pk}
    response = client.post(_url(programme), _enrol_data(staff, today, "amira", find_mentor="hale", search="1"))
    body = response.content.decode()
    assert _mentors_offered(response) == {staff["mentor"].pk, other.pk}  # the chosen one, then the match
    assert f'<option value="{staff["mentor"].pk}" selected>' in body
    assert _mentors_offered(client.post(_url(programme), {"find_mentor": "yusuf", "search": "1"})) == {other.pk}
    # Whoever is searched for, the mentor chosen is the one enrolled.
    response = client.post(_url(programme), _enrol_data(staff, today, "amira", mentor=other.pk, find_mentor="mentorson"))
    assert response.status_code == HTTPStatus.FOUND
    assert Enrolment.objects.get().mentor == other


def test_only_a_bounded_number_of_mentors_are_listed(lead, programme, organisation, staff, monkeypatch):
    monkeypatch.setattr(EnrolForm, "OFFERED", 1)
    person(organisation, Role.MENTOR, profession=_ot(), last_name="Abbott")
    body = client_for(lead).get(_url(programme)).content.decode()
    assert "Only the first 1 mentors are listed: search by name to find others." in body
    assert "Mentorson" not in body.split('name="mentor"')[1].split("</select>")[0]
