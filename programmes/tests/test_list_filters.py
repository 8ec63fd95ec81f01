"""The enrolment lists' filters through HTTP: the mentor's caseload, the line manager's team and the
programme lead's list each narrow their rows by every filter, the CSV download holds exactly the
filtered rows, mentors are found by a name search (never a list of every mentor), and the query
count stays the same whatever the number of rows."""

from __future__ import annotations

import datetime
import re
from dataclasses import dataclass
from http import HTTPStatus
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse

from preceptorship.models import Membership, Organisation, Profession, User
from preceptorship.tests.factories import person
from preceptorship.tests.queries import assert_same_queries_at_two_sizes
from programmes.models import Enrolment, Programme, Transition
from programmes.tests.factories import EnrolmentFactory, ProgrammeFactory

pytestmark = pytest.mark.django_db
Role = Membership.Role


def client_for(user: User) -> Client:
    client = Client()
    client.force_login(user)
    return client


def _profession(slug: str) -> Profession:
    return Profession.objects.get(slug=slug)


@dataclass
class Lists:
    """One mentor and one line manager with three enrolments that differ in every filtered field,
    and a fourth with another mentor, so each filter has something to leave out."""

    mentor: User
    other_mentor: User
    line_manager: User
    lead: User
    programme: Programme
    other_programme: Programme
    first: Enrolment  # OT, own organisation, newly registered, Mentorson
    second: Enrolment  # physio, other employer, return to practice, Mentorson
    third: Enrolment  # OT, international recruit, withdrawn, other programme, Mentorson
    fourth: Enrolment  # OT, newly registered, the other mentor


@pytest.fixture
def lists(organisation: Organisation, other_organisation: Organisation, today: datetime.date) -> Lists:
    ot, physio = _profession("occupational-therapy"), _profession("physiotherapy")
    mentor = person(organisation, Role.MENTOR, first_name="Ann", last_name="Mentorson",
                    email="ann.mentorson@example.org")
    other_mentor = person(organisation, Role.MENTOR, first_name="Bea", last_name="Tutor", email="bea@example.org")
    manager = person(organisation, Role.LINE_MANAGER)
    programme = ProgrammeFactory(organisation=organisation, name="Therapies preceptorship", shared_with_ics=True)
    other_programme = ProgrammeFactory(organisation=organisation, name="Returners' preceptorship")

    def enrol(profession: Profession, **fields: Any) -> Enrolment:
        fields.setdefault("programme", programme)
        fields.setdefault("mentor", mentor)
        employer = fields.get("organisation", organisation)
        preceptee = person(employer, Role.PRACTITIONER, profession=profession)
        return EnrolmentFactory(preceptee=preceptee, line_manager=manager, **fields)

    return Lists(
        mentor=mentor, other_mentor=other_mentor, line_manager=manager,
        lead=person(organisation, Role.PROGRAMME_LEAD), programme=programme, other_programme=other_programme,
        first=enrol(ot, next_review_due=today - datetime.timedelta(days=5)),
        second=enrol(physio, organisation=other_organisation, transition=Transition.RETURN_TO_PRACTICE),
        third=enrol(ot, programme=other_programme, transition=Transition.INTERNATIONAL, withdrawn=True),
        fourth=enrol(ot, mentor=other_mentor),
    )


def _filters(lists: Lists) -> dict[str, tuple[dict[str, Any], set[str]]]:
    """Each filter, its query and the enrolments (by fixture name) it keeps among the mentor's three."""
    return {
        "programme": ({"programme": lists.other_programme.pk}, {"third"}),
        "status": ({"status": Enrolment.Status.WITHDRAWN}, {"third"}),
        "profession": ({"profession": _profession("physiotherapy").pk}, {"second"}),
        "organisation": ({"organisation": lists.second.organisation_id}, {"second"}),
        "transition": ({"transition": Transition.INTERNATIONAL}, {"third"}),
    }


def _names(lists: Lists, enrolments: Any) -> set[str]:
    by_pk = {getattr(lists, name).pk: name for name in ("first", "second", "third", "fourth")}
    return {by_pk[e["id"]] for e in enrolments}  # the lists' page rows, as values


def _csv_preceptees(response: Any) -> list[str]:
    assert response["Content-Type"].startswith("text/csv")
    return [line.split(",")[0] for line in response.content.decode("utf-8-sig").strip().splitlines()[1:]]


# The mentor's caseload and the line manager's team


@pytest.mark.parametrize("name", ["programme", "status", "profession", "organisation", "transition"])
@pytest.mark.parametrize(("url_name", "who"), [("programmes:caseload", "mentor"), ("programmes:team", "line_manager")])
def test_each_filter_narrows_the_caseload_and_the_team_and_their_csv(lists, name, url_name, who):
    query, kept = _filters(lists)[name]
    client = client_for(getattr(lists, who))
    url = reverse(url_name)
    everyone = _names(lists, client.get(url).context["page_obj"].object_list)
    assert everyone == ({"first", "second", "third"} | ({"fourth"} if who == "line_manager" else set()))
    response = client.get(url, query)
    assert response.status_code == HTTPStatus.OK
    assert _names(lists, response.context["page_obj"].object_list) == kept
    rows = _csv_preceptees(client.get(url, {**query, "format": "csv"}))
    assert sorted(rows) == sorted(str(getattr(lists, n).preceptee) for n in kept)


def test_the_review_filter_and_the_sort_still_work_with_the_new_filters(lists):
    client = client_for(lists.mentor)
    url = reverse("programmes:caseload")
    response = client.get(url, {"review": "overdue", "profession": _profession("occupational-therapy").pk})
    assert _names(lists, response.context["page_obj"].object_list) == {"first"}
    by_name = client.get(url, {"sort": "-name"}).context["page_obj"].object_list
    names = [e["preceptee__last_name"] for e in by_name]  # the page's rows, as values
    assert names == sorted(names, reverse=True)


def test_the_team_finds_mentors_by_name_or_e_mail_and_the_csv_follows(lists):
    client = client_for(lists.line_manager)
    url = reverse("programmes:team")
    page = client.get(url).content.decode()
    assert 'name="mentor_name"' in page and "Mentor&#x27;s name" in page
    assert '<select name="mentor"' not in page
    for text, kept in [("mentorson", {"first", "second", "third"}), ("ANN MENT", {"first", "second", "third"}),
                       ("bea@example", {"fourth"}), ("Tutor", {"fourth"}), ("nobody-like-this", set())]:
        response = client.get(url, {"mentor_name": text})
        assert _names(lists, response.context["page_obj"].object_list) == kept, text
    rows = _csv_preceptees(client.get(url, {"mentor_name": "tutor", "format": "csv"}))
    assert rows == [str(lists.fourth.preceptee)]
    # A link may narrow to one mentor exactly; the page names them.
    response = client.get(url, {"mentor": lists.other_mentor.pk})
    assert _names(lists, response.context["page_obj"].object_list) == {"fourth"}
    assert "Showing the preceptees of one mentor" in response.content.decode()


def test_the_caseload_offers_no_mentor_filter_since_every_row_is_the_mentors(lists):
    page = client_for(lists.mentor).get(reverse("programmes:caseload")).content.decode()
    assert 'name="mentor_name"' not in page
    assert 'name="transition"' in page and 'name="organisation"' in page and 'name="profession"' in page


def test_the_employer_and_profession_choices_are_only_those_of_the_rows(lists, far_organisation):
    page = client_for(lists.mentor).get(reverse("programmes:caseload")).content.decode()
    assert lists.second.organisation.name in page and far_organisation.name not in page
    assert ">Physiotherapy</option>" in page and ">Podiatry</option>" not in page


def test_the_programme_choices_are_those_of_the_rows_in_name_order(lists):
    ProgrammeFactory(organisation=lists.programme.organisation, name="Another preceptorship")  # nobody on it
    page = client_for(lists.mentor).get(reverse("programmes:caseload")).content.decode()
    options = re.findall(r'<option value="(\d*)"[^>]*>([^<]*)</option>', page.split('name="programme"')[1].split("</select>")[0])
    assert options == [("", "Any programme"), (str(lists.other_programme.pk), "Returners&#x27; preceptorship"),
                       (str(lists.programme.pk), "Therapies preceptorship")]


@pytest.mark.parametrize("query", [
    {"mentor": "abc"}, {"mentor": "999999"}, {"mentor_name": "x" * 500}, {"organisation": "-1"},
    {"transition": "sideways"}, {"profession": "1.5"}, {"mentor_name": "%_\\'\""}, {"mentor": "9" * 30},
    {"organisation": "9" * 30, "programme": "9" * 30, "profession": "9" * 30},
])
def test_odd_filter_values_never_break_a_list(lists, query):
    for user, url in [(lists.mentor, "programmes:caseload"), (lists.line_manager, "programmes:team"),
                      (lists.lead, "programmes:enrolment-list")]:
        assert client_for(user).get(reverse(url), query).status_code == HTTPStatus.OK


def _grow(lists: Lists, size: int) -> None:
    while Enrolment.objects.filter(mentor=lists.mentor).count() < size:
        EnrolmentFactory(programme=lists.programme, mentor=lists.mentor, line_manager=lists.line_manager,
                         transition=Transition.RETURN_TO_PRACTICE)


def test_the_team_filtered_by_everything_takes_the_same_queries_at_two_sizes(lists):
    _grow(lists, 4)
    client = client_for(lists.line_manager)
    query = {"programme": lists.programme.pk, "status": "active", "profession": "", "organisation":
             lists.first.organisation_id, "transition": Transition.RETURN_TO_PRACTICE, "mentor_name": "mentorson",
             "mentor": lists.mentor.pk, "review": "", "sort": "name"}
    small, large = assert_same_queries_at_two_sizes(lambda: client.get(reverse("programmes:team"), query),
                                                    lambda: _grow(lists, 30))
    assert len(small.context["page_obj"].object_list) == 1
    assert len(large.context["page_obj"].object_list) == 25 and large.context["paginator"].count == 27


# The programme lead's enrolment list


def test_the_lead_list_searches_mentors_by_name_instead_of_listing_them(lists):
    client = client_for(lists.lead)
    url = reverse("programmes:enrolment-list")
    page = client.get(url).content.decode()
    assert '<select name="mentor"' not in page and "Tutor" not in page.split("<table")[0]
    assert 'name="mentor_name"' in page
    for text, kept in [("Mentorson", {"first", "second", "third"}), ("ann mentorson", {"first", "second", "third"}),
                       ("bea@", {"fourth"}), ("  ", {"first", "second", "third", "fourth"})]:
        enrolments = client.get(url, {"mentor_name": text}).context["enrolments"]
        assert _names(lists, enrolments) == kept, text
    rows = _csv_preceptees(client.get(url, {"mentor_name": "bea", "format": "csv"}))
    assert rows == [str(lists.fourth.preceptee)]


def test_the_lead_list_still_narrows_to_one_mentor_from_a_link(lists):
    client = client_for(lists.lead)
    url = reverse("programmes:enrolment-list")
    response = client.get(url, {"mentor": lists.other_mentor.pk})
    assert _names(lists, response.context["enrolments"]) == {"fourth"}
    body = response.content.decode()
    assert "Showing the preceptees of one mentor" in body and str(lists.other_mentor) in body
    assert f'type="hidden" name="mentor" value="{lists.other_mentor.pk}"' in body
    # The mentors page links each mentor's number to their enrolments.
    mentors_page = client.get(reverse("programmes:mentor-list")).content.decode()
    assert f"?mentor={lists.mentor.pk}" in mentors_page


def test_the_lead_list_finds_a_team_by_name(lists, team):
    Enrolment.objects.filter(pk=lists.second.pk).update(team=team)
    client = client_for(lists.lead)
    url = reverse("programmes:enrolment-list")
    page = client.get(url).content.decode()
    assert 'name="team_name"' in page and '<select name="team"' not in page
    assert _names(lists, client.get(url, {"team_name": team.name[2:].upper()}).context["enrolments"]) == {"second"}
    assert _csv_preceptees(client.get(url, {"team_name": team.name, "format": "csv"})) == [str(lists.second.preceptee)]


@pytest.mark.parametrize("name", ["programme", "status", "profession", "organisation", "transition"])
def test_each_filter_narrows_the_lead_list_and_its_csv(lists, name):
    query, kept = _filters(lists)[name]
    client = client_for(lists.lead)
    url = reverse("programmes:enrolment-list")
    assert _names(lists, client.get(url, query).context["enrolments"]) == kept
    rows = _csv_preceptees(client.get(url, {**query, "format": "csv"}))
    assert sorted(rows) == sorted(str(getattr(lists, n).preceptee) for n in kept)


@pytest.mark.parametrize("size", [4, 30])
def test_the_lead_list_by_mentor_takes_the_same_queries_at_two_sizes(lists, size, django_assert_num_queries):
    _grow(lists, size)
    client = client_for(lists.lead)
    # session, user, memberships (access), the filter's choices of programme, profession and
    # employer, a plain query each (3); the mentor the link names, count (paginator), the page of
    # enrolments, unread notifications (header)
    with django_assert_num_queries(10):
        response = client.get(reverse("programmes:enrolment-list"), {"mentor": lists.mentor.pk,
                                                                      "mentor_name": "ann"})
    assert len(response.context["enrolments"]) == min(size, 25)
