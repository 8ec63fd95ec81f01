"""Changing one enrolment's mentor or line manager, through HTTP: each select offers a bounded
number of people found by a name search, the people chosen (at first the enrolment's own) stay
offered and selected across searches, a search saves nothing, odd input is never a server error,
and the page's queries do not grow with the number of mentors and line managers."""

from __future__ import annotations

from http import HTTPStatus
from typing import Any

import pytest
from django.urls import reverse

from preceptorship.models import Membership, Organisation, Profession, User
from preceptorship.tests.factories import person
from preceptorship.tests.queries import assert_same_queries_at_two_sizes
from programmes.forms.lead import PeopleSearchForm
from programmes.models import Enrolment
from programmes.tests.factories import EnrolmentFactory, ProgrammeFactory
from programmes.tests.test_list_filters import client_for

pytestmark = pytest.mark.django_db
Role = Membership.Role


def _ot() -> Profession:
    return Profession.objects.get(slug="occupational-therapy")


@pytest.fixture
def enrolment(organisation: Organisation) -> Enrolment:
    programme = ProgrammeFactory(organisation=organisation, professions=[_ot()], mentor_capacity=20)
    return EnrolmentFactory(
        programme=programme, mentor=person(organisation, Role.MENTOR, profession=_ot(), last_name="Mentorson"),
        line_manager=person(organisation, Role.LINE_MANAGER, last_name="Managerly"),
    )


@pytest.fixture
def lead(organisation: Organisation) -> User:
    return person(organisation, Role.PROGRAMME_LEAD)


def _url(enrolment: Enrolment) -> str:
    return reverse("programmes:enrolment-people", args=[enrolment.pk])


def _offered(response: Any, name: str) -> set[int]:
    return {user.pk for user in response.context["form"].offers[name][0]}


def _select(body: str, name: str) -> str:
    return body.split(f'name="{name}"')[1].split("</select>")[0]


def _current(enrolment: Enrolment, **more: Any) -> dict[str, Any]:
    return {"mentor": enrolment.mentor_id, "line_manager": enrolment.line_manager_id, **more}


def test_the_page_has_a_search_box_and_button_before_each_select_and_starts_with_the_current_people(
        lead, enrolment):
    body = client_for(lead).get(_url(enrolment)).content.decode()
    assert '<label class="nhsuk-label" for="id_find_mentor">Find a mentor by name (optional)</label>' in body
    assert '<label class="nhsuk-label" for="id_find_line_manager">Find a line manager by name (optional)</label>' in body
    assert ">Search mentors</button>" in body and ">Search line managers</button>" in body
    assert body.index("id_find_mentor") < body.index('name="mentor"') < body.index("id_find_line_manager")
    assert f'<option value="{enrolment.mentor_id}" selected>' in _select(body, "mentor")
    assert f'<option value="{enrolment.line_manager_id}" selected>' in _select(body, "line_manager")


def test_a_search_narrows_each_list_keeps_the_chosen_person_and_saves_nothing(lead, organisation, enrolment):
    hale = person(organisation, Role.MENTOR, profession=_ot(), first_name="Yusuf", last_name="Hale")
    person(organisation, Role.MENTOR, profession=_ot(), last_name="Abbott")
    quinn = person(organisation, Role.LINE_MANAGER, first_name="Nora", last_name="Quinn")
    person(organisation, Role.LINE_MANAGER, last_name="Baxter")
    client = client_for(lead)
    response = client.post(_url(enrolment), _current(enrolment, find_mentor="hale", find_line_manager="QUINN",
                                                     search="1"))
    assert response.status_code == HTTPStatus.OK
    assert _offered(response, "mentor") == {enrolment.mentor_id, hale.pk}  # the chosen one, then the match
    assert _offered(response, "line_manager") == {enrolment.line_manager_id, quinn.pk}
    body = response.content.decode()
    assert f'<option value="{enrolment.mentor_id}" selected>' in _select(body, "mentor")
    assert 'value="hale"' in body and "There is a problem" not in body
    # A different person chosen before searching stays chosen and offered.
    response = client.post(_url(enrolment), _current(enrolment, mentor=hale.pk, find_mentor="abbott", search="1"))
    assert f'<option value="{hale.pk}" selected>' in _select(response.content.decode(), "mentor")
    enrolment.refresh_from_db()
    assert enrolment.mentor_id != hale.pk  # a search saves nothing
    # Saving takes the people chosen, whatever was searched last.
    response = client.post(_url(enrolment), _current(enrolment, mentor=hale.pk, line_manager=quinn.pk,
                                                     find_mentor="mentorson", find_line_manager="nobody"))
    assert response.status_code == HTTPStatus.FOUND
    enrolment.refresh_from_db()
    assert (enrolment.mentor, enrolment.line_manager) == (hale, quinn)


def test_a_search_that_finds_nobody_says_so(lead, enrolment):
    response = client_for(lead).post(_url(enrolment), {"find_line_manager": "zzz", "search": "1", "line_manager": ""})
    assert "Nobody who can be chosen as line manager matches “zzz”" in response.content.decode()


def test_only_a_bounded_number_are_listed_with_a_hint_to_search(lead, organisation, enrolment, monkeypatch):
    monkeypatch.setattr(PeopleSearchForm, "OFFERED", 1)
    person(organisation, Role.MENTOR, profession=_ot(), last_name="Abbott")
    person(organisation, Role.MENTOR, profession=_ot(), last_name="Zeller")
    response = client_for(lead).post(_url(enrolment), {"search": "1", "mentor": ""})
    body = response.content.decode()
    assert "Only the first 1 mentors are listed: search by name to find others." in body
    assert "Abbott" in _select(body, "mentor") and "Zeller" not in _select(body, "mentor")


@pytest.mark.parametrize("data", [
    {"find_mentor": "%", "find_line_manager": "_", "search": "1"},
    {"find_mentor": "x" * 5000, "search": "1", "mentor": "99999999999999999999999"},
    {"find_mentor": "a\x00b", "search": "1"},
    {"mentor": "not a number", "line_manager": "-1", "find_line_manager": "' OR 1=1 --"},
    {"mentor": "", "search": "1", "find_mentor": "   "},
])
def test_odd_input_is_never_a_server_error_and_changes_nothing(lead, enrolment, data):
    before = (enrolment.mentor_id, enrolment.line_manager_id)
    response = client_for(lead).post(_url(enrolment), data)
    assert response.status_code == HTTPStatus.OK
    enrolment.refresh_from_db()
    assert (enrolment.mentor_id, enrolment.line_manager_id) == before


def test_the_page_takes_the_same_queries_at_two_sizes(lead, organisation, enrolment):
    def add(first: int, last: int) -> None:
        for n in range(first, last):
            person(organisation, Role.MENTOR, profession=_ot(), last_name=f"Mentor{n:03}")
            person(organisation, Role.LINE_MANAGER, profession=_ot(), last_name=f"Manager{n:03}")

    add(0, 3)
    client = client_for(lead)
    # session, user, memberships (access), the enrolment with its programme and people; the
    # programme's professions; the mentors offered with their load; the line managers offered;
    # unread notifications (header): the same with 3 people of each role or 80.
    small, large = assert_same_queries_at_two_sizes(lambda: client.get(_url(enrolment)), lambda: add(3, 80))
    for response, size in ((small, 3), (large, 80)):
        offered = response.context["form"].offers["mentor"][0]
        assert len(offered) == min(size, PeopleSearchForm.OFFERED) + 1  # + the chosen



def test_a_mentor_over_capacity_is_asked_about_again_after_a_search(lead, organisation, enrolment):
    busy = person(organisation, Role.MENTOR, profession=_ot(), last_name="Busy")
    enrolment.programme.mentor_capacity = 1
    enrolment.programme.save()
    EnrolmentFactory(programme=enrolment.programme, mentor=busy)
    client = client_for(lead)
    warned = client.post(_url(enrolment), _current(enrolment, mentor=busy.pk)).content.decode()
    assert 'name="confirm_over_capacity"' in warned and "capacity of 1" in warned
    searched = client.post(_url(enrolment), _current(enrolment, mentor=busy.pk, find_line_manager="man",
                                                     search="1", confirm_over_capacity="on")).content.decode()
    assert 'name="confirm_over_capacity" value="on"' not in searched
    assert f'<option value="{busy.pk}" selected>' in _select(searched, "mentor")
    confirmed = client.post(_url(enrolment), _current(enrolment, mentor=busy.pk, confirm_over_capacity="on"))
    assert confirmed.status_code == HTTPStatus.FOUND
    enrolment.refresh_from_db()
    assert enrolment.mentor == busy


def test_the_enrol_page_finds_line_managers_by_name_too(lead, organisation, enrolment):
    quinn = person(organisation, Role.LINE_MANAGER, first_name="Nora", last_name="Quinn")
    url = reverse("programmes:programme-enrol", args=[enrolment.programme.pk])
    response = client_for(lead).post(url, {"find_line_manager": "quinn", "search": "1"})
    assert _offered(response, "line_manager") == {quinn.pk}
    assert ">Search line managers</button>" in response.content.decode()
