"""The "offer preceptorship" pages through HTTP: the lead's and the line manager's list with why
each person is on it, filters and pages, who may see and act, one-step enrolment, decline and undo,
bad input beside the field, and the list's query count at two data sizes."""

from __future__ import annotations

import datetime
from http import HTTPStatus
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse

from preceptorship.models import AuditEntry, Membership
from preceptorship.tests.factories import TeamFactory, person, profession
from preceptorship.tests.queries import assert_same_queries_at_two_sizes
from programmes import services
from programmes.models import Enrolment, OfferDecline, OfferPerson, Transition, TransitionMark
from programmes.tests.factories import ProgrammeFactory
from programmes.tests.factories_reports import rebuild_figures

Role = Membership.Role
pytestmark = pytest.mark.django_db


def client_of(user: Any) -> Client:
    client = Client()
    client.force_login(user)
    return client


def date_fields(name: str, day: datetime.date) -> dict[str, str]:
    return {f"{name}_0": str(day.day), f"{name}_1": str(day.month), f"{name}_2": str(day.year)}


def table(client: Client, **params: Any) -> str:
    """The list's table (the page's messages name people too)."""
    page = client.get(reverse("programmes:offer-list"), params).content.decode()
    return page[page.find("<table"):page.find("</table>")] if "<table" in page else ""


def place(user: Any) -> OfferPerson:
    return OfferPerson.objects.get(user=user, role=Role.PRACTITIONER)


@pytest.fixture
def world(organisation: Any, team: Any, today: datetime.date) -> dict[str, Any]:
    ot = profession()
    other_team = TeamFactory(organisation=organisation, name="Physiotherapy Service")
    return {
        "lead": person(organisation, Role.PROGRAMME_LEAD, last_name="Leadbetter"),
        "manager": person(organisation, Role.LINE_MANAGER, team=team, last_name="Managerly"),
        "mentor": person(organisation, Role.MENTOR, profession=ot, last_name="Mentorson"),
        "newly": person(organisation, Role.PRACTITIONER, team=team, profession=ot, last_name="Newlyreg",
                        first_registered_on=today - datetime.timedelta(days=20)),
        "physio": person(organisation, Role.PRACTITIONER, team=other_team, profession=profession("physiotherapy"),
                         last_name="Physioperson", started_in_post_on=today - datetime.timedelta(days=10),
                         first_registered_on=datetime.date(2015, 5, 1)),
        "programme": ProgrammeFactory(organisation=organisation, professions=[ot], name="OT preceptorship",
                                      transitions=[Transition.NEWLY_REGISTERED, Transition.RETURN_TO_PRACTICE]),
        "other_team": other_team,
    }


def test_lead_sees_everyone_with_why_and_filters_by_team_and_profession(world: dict, team: Any) -> None:
    client = client_of(world["lead"])
    page = client.get(reverse("programmes:offer-list")).content.decode()
    assert "Newlyreg" in page and "Physioperson" in page
    assert "Newly registered" in page and "Staff record: first registered" in page
    assert "New in post" in page and "Staff record: started in post" in page
    by_team = client.get(reverse("programmes:offer-list"), {"team": team.pk}).content.decode()
    assert "Newlyreg" in by_team and "Physioperson" not in by_team
    by_profession = client.get(reverse("programmes:offer-list"),
                               {"profession": profession("physiotherapy").pk}).content.decode()
    assert "Physioperson" in by_profession and "Newlyreg" not in by_profession


def test_line_manager_sees_only_their_team_and_cannot_enrol(world: dict) -> None:
    client = client_of(world["manager"])
    page = client.get(reverse("programmes:offer-list")).content.decode()
    assert "Newlyreg" in page and "Physioperson" not in page
    assert reverse("programmes:offer-enrol", args=[place(world["newly"]).pk]) not in page
    assert client.get(reverse("programmes:offer-person", args=[place(world["physio"]).pk])).status_code == 404
    assert client.get(reverse("programmes:offer-enrol", args=[place(world["newly"]).pk])).status_code == 403
    assert client.get(reverse("programmes:offer-decline", args=[place(world["newly"]).pk])).status_code == 200


def test_others_are_refused(world: dict, other_organisation: Any) -> None:
    assert client_of(world["mentor"]).get(reverse("programmes:offer-list")).status_code == HTTPStatus.FORBIDDEN
    outsider = person(other_organisation, Role.PROGRAMME_LEAD)
    url = reverse("programmes:offer-person", args=[place(world["newly"]).pk])
    assert client_of(outsider).get(url).status_code == HTTPStatus.NOT_FOUND
    assert "Newlyreg" not in client_of(outsider).get(reverse("programmes:offer-list")).content.decode()


def test_the_everyone_view_lets_a_lead_mark_a_returner(world: dict, organisation: Any, team: Any) -> None:
    returner = person(organisation, Role.PRACTITIONER, team=team, profession=profession(), last_name="Backagain",
                      first_registered_on=datetime.date(2009, 1, 1))
    client = client_of(world["lead"])
    assert "Backagain" not in client.get(reverse("programmes:offer-list")).content.decode()
    assert "Backagain" in client.get(reverse("programmes:offer-list"), {"show": "everyone"}).content.decode()
    url = reverse("programmes:offer-mark", args=[place(returner).pk])
    missing = client.post(url, {})
    assert missing.status_code == 200 and "Choose returning to practice" in missing.content.decode()
    assert client.post(url, {"transition": Transition.RETURN_TO_PRACTICE}).status_code == HTTPStatus.FOUND
    page = client.get(reverse("programmes:offer-list")).content.decode()
    assert "Backagain" in page and "Returning to practice" in page and "Marked by" in page


def test_one_step_enrolment(world: dict, today: datetime.date) -> None:
    client = client_of(world["lead"])
    url = reverse("programmes:offer-enrol", args=[place(world["newly"]).pk])
    page = client.get(url).content.decode()
    assert "OT preceptorship" in page
    assert f'value="{Transition.NEWLY_REGISTERED}"' in page and "checked" in page
    assert f'<option value="{world["manager"].pk}" selected>' in page  # the team's line manager
    data = {"programme": world["programme"].pk, **date_fields("start_date", today),
            "transition": Transition.NEWLY_REGISTERED, "mentor": world["mentor"].pk,
            "line_manager": world["manager"].pk}
    no_mentor = client.post(url, {**data, "mentor": ""})
    assert no_mentor.status_code == 200 and "Choose a mentor" in no_mentor.content.decode()
    response = client.post(url, data)
    enrolment = Enrolment.objects.get(preceptee=world["newly"])
    assert response.status_code == HTTPStatus.FOUND and response.url == enrolment.get_absolute_url()
    assert enrolment.line_manager == world["manager"] and enrolment.programme == world["programme"]
    assert AuditEntry.objects.filter(action="enrolment.create", subject=world["newly"]).exists()
    assert "Newlyreg" not in table(client)


def test_no_suitable_programme_says_so(world: dict) -> None:
    page = client_of(world["lead"]).get(reverse("programmes:offer-enrol", args=[place(world["physio"]).pk]))
    assert page.status_code == 200 and "No open programme takes Physiotherapy" in page.content.decode()


def test_decline_with_reason_is_shown_and_undone(world: dict, today: datetime.date) -> None:
    client = client_of(world["manager"])
    who = place(world["newly"])
    url = reverse("programmes:offer-decline", args=[who.pk])
    empty = client.post(url, {"reason": "", **date_fields("declined_on", today)})
    body = empty.content.decode()
    assert empty.status_code == 200 and "Say why they declined" in body and "nhsuk-error-summary" in body
    future = client.post(url, {"reason": "Moving abroad", **date_fields("declined_on", today.replace(year=2100))})
    assert "must be today or in the past" in future.content.decode()
    assert "Moving abroad" in future.content.decode()  # nothing typed is lost
    assert client.post(url, {"reason": "Moving abroad", **date_fields("declined_on", today)}).status_code == 302
    assert "Newlyreg" not in table(client)
    record = client.get(reverse("programmes:offer-person", args=[who.pk])).content.decode()
    assert "Moving abroad" in record and "Undo the decline" in record
    decline = OfferDecline.objects.get()
    assert AuditEntry.objects.filter(action="offer.decline", actor=world["manager"]).exists()
    undo = reverse("programmes:offer-decline-undo", args=[who.pk, decline.pk])
    assert client.get(undo).status_code == HTTPStatus.METHOD_NOT_ALLOWED
    assert client.post(undo).status_code == HTTPStatus.FOUND
    assert "Newlyreg" in table(client)
    assert "Undone on" in client.get(reverse("programmes:offer-person", args=[who.pk])).content.decode()


def test_administrator_reads_but_does_not_act(world: dict, organisation: Any) -> None:
    admin = person(organisation, Role.ADMINISTRATOR)
    client = client_of(admin)
    who = place(world["newly"])
    assert client.get(reverse("programmes:offer-person", args=[who.pk])).status_code == 200
    assert client.post(reverse("programmes:offer-decline", args=[who.pk]), {"reason": "x"}).status_code == 403
    assert client.post(reverse("programmes:offer-mark", args=[who.pk]), {"transition": "international"}
                       ).status_code == 403
    assert not TransitionMark.objects.exists()


def test_bad_filters_are_named_and_nothing_breaks(world: dict) -> None:
    page = client_of(world["lead"]).get(reverse("programmes:offer-list"), {"team": "abc", "page": "x9"})
    assert page.status_code in (200, 404)
    page = client_of(world["lead"]).get(reverse("programmes:offer-list"), {"team": "abc"})
    assert page.status_code == 200 and "Choose a team from the list" in page.content.decode()


def test_paged(world: dict, organisation: Any, today: datetime.date) -> None:
    for n in range(26):
        person(organisation, Role.PRACTITIONER, profession=profession(), first_registered_on=today,
               last_name=f"Zz{n:02d}")
    client = client_of(world["lead"])
    first = client.get(reverse("programmes:offer-list")).content.decode()
    assert "28 people to offer preceptorship to" in first and "Page 2 of 2" in first
    second = client.get(reverse("programmes:offer-list"), {"page": 2}).content.decode()
    assert second.count("Zz") >= 3 and "Newlyreg" not in second


def test_query_count_is_the_same_at_two_sizes(world: dict, organisation: Any, team: Any, today: datetime.date) -> None:
    client = client_of(world["lead"])
    lead = world["lead"]

    def read() -> Any:
        response = client.get(reverse("programmes:offer-list"), {"show": "everyone"})
        assert response.status_code == 200
        return response

    def grow() -> None:
        for n in range(12):
            someone = person(organisation, Role.PRACTITIONER, team=team if n % 2 else world["other_team"],
                             profession=profession(), first_registered_on=today, last_name=f"Grown{n}")
            if n % 3 == 0:
                services.transition_mark_record(actor=lead, person=place(someone), transition="international")
            if n % 4 == 0:
                services.offer_decline(actor=lead, person=place(someone), reason="Not now")

    read()  # the session and the first-use reads settle
    small, large = assert_same_queries_at_two_sizes(read, grow)
    assert "Grown3" in large.content.decode()


def test_the_leads_dashboard_links_to_the_list_with_its_count(world: dict, organisation: Any) -> None:
    client = client_of(world["lead"])
    page = client.get(reverse("programmes:dashboard")).content.decode()
    assert "2 people are waiting to be offered preceptorship" in page
    assert reverse("programmes:offer-list") in page
    services.offer_decline(actor=world["lead"], person=place(world["physio"]), reason="Has support elsewhere")
    # Counted with the figures: the dashboard gives it as of their build until the next rebuild.
    assert "2 people are waiting" in client.get(reverse("programmes:dashboard")).content.decode()
    rebuild_figures()
    assert "1 person is waiting" in client.get(reverse("programmes:dashboard")).content.decode()
    line_manager_page = client_of(world["manager"]).get(reverse("home")).content.decode()
    assert "waiting to be offered" not in line_manager_page


def test_a_line_manager_takes_back_a_mark_made_by_mistake(world: dict) -> None:
    client = client_of(world["manager"])
    who = place(world["newly"])
    client.post(reverse("programmes:offer-mark", args=[who.pk]), {"transition": Transition.INTERNATIONAL})
    mark = TransitionMark.objects.get()
    record = client.get(reverse("programmes:offer-person", args=[who.pk])).content.decode()
    assert "International recruit: marked by" in record and "Managerly" in record
    other_team_manager = person(world["other_team"].organisation, Role.LINE_MANAGER, team=world["other_team"])
    remove = reverse("programmes:offer-mark-remove", args=[who.pk, mark.pk])
    assert client_of(other_team_manager).post(remove).status_code == HTTPStatus.NOT_FOUND
    assert client.post(remove).status_code == HTTPStatus.FOUND
    assert not TransitionMark.objects.exists()
    assert AuditEntry.objects.filter(action="offer.unmark_transition", actor=world["manager"]).exists()
