"""Enrolling a cohort with a mentor and a line manager for each person, through the services and
HTTP: fourteen new starters with three line managers in one post; mentors proposed by profession and
spare capacity, from another organisation of the ICS for a small profession; one bad row refuses the
whole cohort with the row's message beside it; a spreadsheet fills the rows; the page's queries do
not grow with the cohort; one capacity rule."""

from __future__ import annotations

import datetime
import io
from http import HTTPStatus
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from openpyxl import Workbook

from preceptorship.models import AuditEntry, Membership, Organisation, Profession, Team, User
from preceptorship.tests.factories import TeamFactory, person
from preceptorship.tests.hostile import HOSTILE_SETTINGS, assert_survives, hostile_data, read_form
from preceptorship.tests.queries import assert_same_queries_at_two_sizes
from programmes.models import Enrolment, Programme, Transition
from programmes.services import OverCapacity
from programmes.services.cohorts import CohortRefused, Place, cohort_rows, enrolment_cohort_places_create
from programmes.services.enrolments import mentor_room
from programmes.tests.factories import EnrolmentFactory, ProgrammeFactory
from programmes.tests.test_list_filters import client_for

pytestmark = pytest.mark.django_db
Role = Membership.Role


def _profession(slug: str) -> Profession:
    return Profession.objects.get(slug=slug)


@pytest.fixture
def programme(organisation: Organisation) -> Programme:
    return ProgrammeFactory(organisation=organisation, name="Allied health preceptorship", mentor_capacity=4,
                            professions=[_profession("occupational-therapy"), _profession("physiotherapy"),
                                         _profession("dietetics")])


@pytest.fixture
def lead(organisation: Organisation) -> User:
    return person(organisation, Role.PROGRAMME_LEAD, first_name="Lena", last_name="Lead")


@pytest.fixture
def teams(organisation: Organisation) -> list[Team]:
    return [TeamFactory(organisation=organisation, name=f"Team {letter}") for letter in "ABC"]


@pytest.fixture
def managers(organisation: Organisation, teams: list[Team]) -> list[User]:
    return [person(organisation, Role.LINE_MANAGER, team=team, first_name="Manager", last_name=team.name[-1])
            for team in teams]


@pytest.fixture
def mentors(organisation: Organisation) -> list[User]:
    """Four occupational therapy mentors (capacity 4 each) and two physiotherapy mentors."""
    ot, physio = _profession("occupational-therapy"), _profession("physiotherapy")
    return ([person(organisation, Role.MENTOR, profession=ot, first_name="Otto", last_name=f"Mentor{n}")
             for n in range(4)]
            + [person(organisation, Role.MENTOR, profession=physio, first_name="Pia", last_name=f"Mentor{n}")
               for n in range(2)])


def _starters(organisation: Organisation, teams: list[Team], count: int, slug: str = "occupational-therapy",
              first: str = "Starter") -> list[User]:
    return [person(organisation, Role.PRACTITIONER, team=teams[n % len(teams)], profession=_profession(slug),
                   first_name=first, last_name=f"{slug[:5]}{n:02d}", employee_number=f"{first[:2]}{slug[:2]}{n:04d}",
                   email=f"{first}.{slug[:5]}{n:02d}@example.org".lower())
            for n in range(count)]


def _url(programme: Programme) -> str:
    return reverse("programmes:programme-enrol-cohort", args=[programme.pk])


def _post_data(rows: list[tuple[User, User, User | None]], today: datetime.date, **more: Any) -> dict[str, Any]:
    data: dict[str, Any] = {"people": [p.pk for p, _, _ in rows], "start_date_0": str(today.day),
                            "start_date_1": str(today.month), "start_date_2": str(today.year),
                            "transition": Transition.NEWLY_REGISTERED}
    for preceptee, mentor, manager in rows:
        data[f"mentor_{preceptee.pk}"] = mentor.pk
        data[f"line_manager_{preceptee.pk}"] = manager.pk if manager else ""
    return data | more


def _cohort_of_14(organisation, teams, mentors, managers) -> list[tuple[User, User, User]]:
    ot = _starters(organisation, teams, 12)
    physio = _starters(organisation, teams, 2, slug="physiotherapy")
    rows = [(p, mentors[n % 4], managers[n % 3]) for n, p in enumerate(ot)]
    rows += [(p, mentors[4 + n], managers[n % 3]) for n, p in enumerate(physio)]
    return rows


# Through the services.


def test_a_cohort_of_14_with_three_line_managers_is_enrolled_in_one_call_and_audited(
    lead, programme, organisation, teams, mentors, managers, today
):
    rows = _cohort_of_14(organisation, teams, mentors, managers)
    enrolments = enrolment_cohort_places_create(
        actor=lead, programme=programme, places=[Place(p, m, lm) for p, m, lm in rows], start_date=today,
        transition=Transition.NEWLY_REGISTERED,
    )
    assert len(enrolments) == 14
    chosen = {(e.preceptee_id, e.mentor_id, e.line_manager_id) for e in Enrolment.objects.all()}
    assert chosen == {(p.pk, m.pk, lm.pk) for p, m, lm in rows}
    assert {e.line_manager_id for e in enrolments} == {m.pk for m in managers}
    assert AuditEntry.objects.filter(action="enrolment.create").count() == 14
    assert AuditEntry.objects.filter(action="enrolment.cohort_create", actor=lead).count() == 1


def test_one_bad_row_refuses_the_whole_cohort_with_that_rows_message(
    lead, programme, organisation, other_organisation, teams, mentors, managers, today
):
    rows = _cohort_of_14(organisation, teams, mentors, managers)
    stranger = person(other_organisation, Role.LINE_MANAGER, first_name="Far", last_name="Manager")
    places = [Place(p, m, lm) for p, m, lm in rows]
    places[5] = Place(rows[5][0], rows[5][1], stranger)
    with pytest.raises(CohortRefused) as refused:
        enrolment_cohort_places_create(actor=lead, programme=programme, places=places, start_date=today,
                                       transition=Transition.NEWLY_REGISTERED)
    assert list(refused.value.rows) == [5]
    assert refused.value.rows[5]["line_manager"] == [f"{stranger} is not a line manager in {organisation}."]
    assert not Enrolment.objects.exists()
    assert not AuditEntry.objects.filter(action__startswith="enrolment.").exists()


def test_the_capacity_of_each_mentor_counts_everyone_the_cohort_gives_them(
    lead, programme, organisation, teams, mentors, managers, today
):
    people = _starters(organisation, teams, 5)
    places = [Place(p, mentors[0], None) for p in people]  # five for a capacity of four
    with pytest.raises(OverCapacity) as over:
        enrolment_cohort_places_create(actor=lead, programme=programme, places=places, start_date=today,
                                       transition=Transition.NEWLY_REGISTERED)
    assert over.value.warning.mentor == mentors[0] and over.value.warning.adding == 5
    assert not Enrolment.objects.exists()
    enrolment_cohort_places_create(actor=lead, programme=programme, places=places, start_date=today,
                                   transition=Transition.NEWLY_REGISTERED, confirm_over_capacity=True)
    assert Enrolment.objects.filter(mentor=mentors[0]).count() == 5
    event = AuditEntry.objects.get(action="enrolment.cohort_create")
    assert "over their capacity of 4" in event.after["over_capacity_confirmed"][0]


def test_the_same_person_twice_and_a_missing_mentor_are_each_rows_problem(
    lead, programme, organisation, teams, mentors, today
):
    amy, ben = _starters(organisation, teams, 2)
    with pytest.raises(CohortRefused) as refused:
        enrolment_cohort_places_create(
            actor=lead, programme=programme, places=[Place(amy, mentors[0]), Place(ben, None), Place(amy, mentors[1])],
            start_date=today, transition=Transition.NEWLY_REGISTERED)
    assert refused.value.rows == {1: {"mentor": [f"Choose a mentor for {ben}"]},
                                  2: {"preceptee": [f"{amy} is in the cohort twice."]}}


def test_mentors_are_proposed_by_profession_and_spare_room_fewest_preceptees_first(
    programme, organisation, teams, mentors, managers
):
    # Otto Mentor0 is full (4 of 4), Mentor1 has 2, Mentor2 and Mentor3 none.
    for _ in range(4):
        EnrolmentFactory(programme=programme, mentor=mentors[0])
    for _ in range(2):
        EnrolmentFactory(programme=programme, mentor=mentors[1])
    people = _starters(organisation, teams, 9) + _starters(organisation, teams, 1, slug="physiotherapy")
    rows = cohort_rows(programme, people)
    proposed = [row.proposed_mentor.user if row.proposed_mentor else None for row in rows]
    # 2 + 4 + 4 places free among the OT mentors: the nine share them, the emptiest first, so
    # the loads even out (Mentor1 ends with 4, Mentor2 with 4, Mentor3 with 3).
    assert mentors[0] not in proposed
    assert [proposed[:9].count(mentor) for mentor in mentors[1:4]] == [2, 4, 3]
    assert proposed[9] in mentors[4:]  # the physiotherapist gets a physiotherapy mentor
    assert all(not row.proposed_mentor.elsewhere for row in rows)
    assert [row.proposed_line_manager for row in rows[:3]] == managers  # their team's line manager


def test_a_small_profession_is_proposed_a_mentor_of_its_profession_from_another_organisation(
    programme, organisation, other_organisation, far_organisation, teams, mentors
):
    programme.professions.add(_profession("dietetics"))
    dietitian = _starters(organisation, teams, 1, slug="dietetics")[0]
    neighbour = person(other_organisation, Role.MENTOR, profession=_profession("dietetics"), first_name="Dee",
                       last_name="Neighbour")
    person(far_organisation, Role.MENTOR, profession=_profession("dietetics"), last_name="FarAway")
    row = cohort_rows(programme, [dietitian])[0]
    assert row.proposed_mentor.user == neighbour and row.proposed_mentor.elsewhere
    assert "(another organisation)" in row.proposed_mentor.label
    assert "FarAway" not in " ".join(o.label for o in row.mentors)  # another ICS: never


def test_one_capacity_rule(programme, mentors):
    assert mentor_room(current=3, capacity=4) == 1
    assert mentor_room(current=5, capacity=4) == -1


# Through HTTP.


def test_a_cohort_of_14_with_three_line_managers_is_enrolled_in_one_post(
    lead, programme, organisation, teams, mentors, managers, today
):
    rows = _cohort_of_14(organisation, teams, mentors, managers)
    response = client_for(lead).post(_url(programme), _post_data(rows, today))
    assert response.status_code == HTTPStatus.FOUND, response.content.decode()[:3000]
    chosen = {(e.preceptee_id, e.mentor_id, e.line_manager_id) for e in Enrolment.objects.all()}
    assert chosen == {(p.pk, m.pk, lm.pk) for p, m, lm in rows}


def test_a_row_the_service_refuses_refuses_everyone_with_the_message_beside_it_and_keeps_all_typed(
    lead, programme, organisation, teams, mentors, managers, today
):
    rows = _cohort_of_14(organisation, teams, mentors, managers)
    taken = rows[3][0]
    EnrolmentFactory(programme=programme, preceptee=taken, mentor=mentors[5])  # enrolled meanwhile
    response = client_for(lead).post(_url(programme), _post_data(rows, today))
    body = response.content.decode()
    assert response.status_code == HTTPStatus.OK
    assert Enrolment.objects.count() == 1
    assert "There is a problem" in body and f"{taken} is already enrolled on this programme." in body
    fieldset = body[body.index(f"{taken} (Occupational therapy"):]
    assert fieldset.index("is already enrolled") < fieldset.index("</fieldset>")  # in the row
    assert f'<option value="{rows[7][1].pk}" selected' in body.split(f'name="mentor_{rows[7][0].pk}"')[1]
    assert f'value="{today.year}"' in body


def test_mentors_over_capacity_are_named_and_the_lead_confirms_before_anyone_is_enrolled(
    lead, programme, organisation, teams, mentors, today
):
    people = _starters(organisation, teams, 6)
    rows = [(p, mentors[0] if n < 5 else mentors[1], None) for n, p in enumerate(people)]
    client = client_for(lead)
    warned = client.post(_url(programme), _post_data(rows, today))
    body = warned.content.decode()
    assert warned.status_code == HTTPStatus.OK and not Enrolment.objects.exists()
    assert "Mentors would be over capacity" in body and "adding 5 makes 5, over their capacity of 4" in body
    assert warned.context["form"].fields["confirm_over_capacity"].widget.input_type == "checkbox"
    assert "Go ahead anyway: I have agreed this with the mentors" in body
    upload = _csv("E-mail,Mentor", *[f"{p.email},{mentors[0].email}" for p in people])
    uploaded = client.post(_url(programme), _post_data(rows, today, upload="1", spreadsheet=upload,
                                                       confirm_over_capacity="on"))
    assert 'name="confirm_over_capacity" value="on"' not in uploaded.content.decode()  # asked again
    confirmed = client.post(_url(programme), _post_data(rows, today, confirm_over_capacity="on"))
    assert confirmed.status_code == HTTPStatus.FOUND
    assert Enrolment.objects.filter(mentor=mentors[0]).count() == 5


def test_the_enrol_page_sends_the_people_ticked_to_the_cohort_page(lead, programme, organisation, teams):
    amy, ben = _starters(organisation, teams, 2)
    response = client_for(lead).post(reverse("programmes:programme-enrol", args=[programme.pk]),
                                     {"preceptees": [amy.pk, ben.pk], "per_person": "1"})
    assert response.status_code == HTTPStatus.FOUND
    assert response.url == f"{_url(programme)}?person={amy.pk}&person={ben.pk}"


def test_the_cohort_page_proposes_and_marks_mentors_from_another_organisation(
    lead, programme, organisation, other_organisation, teams, mentors
):
    dietitian = _starters(organisation, teams, 1, slug="dietetics")[0]
    neighbour = person(other_organisation, Role.MENTOR, profession=_profession("dietetics"), last_name="Neighbour")
    body = client_for(lead).get(_url(programme), {"person": dietitian.pk}).content.decode()
    assert f"Proposed mentor: {neighbour}, from another organisation ({other_organisation.name})" in body
    assert f'<option value="{neighbour.pk}" selected>' in body


def test_the_cohort_pages_queries_do_not_grow_with_the_cohort(lead, programme, organisation, teams, mentors,
                                                               managers):
    client = client_for(lead)
    people = _starters(organisation, teams, 3)

    def read() -> Any:
        response = client.get(_url(programme), {"person": [p.pk for p in people]})
        assert response.status_code == HTTPStatus.OK
        return len(response.context["rows"])

    def grow() -> None:
        people.extend(_starters(organisation, teams, 11, first="Later"))
        for mentor in mentors:
            EnrolmentFactory(programme=programme, mentor=mentor)

    small, large = assert_same_queries_at_two_sizes(read, grow)
    assert (small, large) == (3, 14)


def test_enrolling_a_bigger_cohort_takes_no_more_queries(lead, programme, organisation, teams, mentors, managers,
                                                         today):
    client = client_for(lead)
    people = _starters(organisation, teams, 4)

    def enrol() -> int:
        rows = [(p, mentors[n % 4], managers[n % 3]) for n, p in enumerate(people)]
        assert client.post(_url(programme), _post_data(rows, today)).status_code == HTTPStatus.FOUND
        return Enrolment.objects.count()

    def grow() -> None:
        Enrolment.objects.all().delete()
        people.extend(_starters(organisation, teams, 10, first="Later"))

    assert assert_same_queries_at_two_sizes(enrol, grow) == (4, 14)
    assert AuditEntry.objects.filter(action="enrolment.create").count() == 4 + 14


def _csv(*lines: str) -> SimpleUploadedFile:
    return SimpleUploadedFile("cohort.csv", ("\n".join(lines) + "\n").encode(), content_type="text/csv")


def test_a_spreadsheet_fills_the_rows_with_each_problem_beside_its_field_and_enrols_nobody(
    lead, programme, organisation, teams, mentors, managers, today
):
    amy, ben, cara = _starters(organisation, teams, 3)
    upload = _csv("Employee number or e-mail,Mentor,Line manager",
                  f"{amy.employee_number},{mentors[1].email},{managers[2].email}",
                  f"{ben.email.upper()},nobody@example.org,",
                  "zz9999,,",
                  f"{cara.employee_number},,{managers[0].email}")
    response = client_for(lead).post(_url(programme), {"upload": "1", "spreadsheet": upload, "start_date_0": "7"})
    body = response.content.decode()
    assert response.status_code == HTTPStatus.OK and not Enrolment.objects.exists()
    assert [row.preceptee for row in response.context["rows"]] == [amy, ben, cara]
    assert f'<option value="{mentors[1].pk}" selected' in body.split(f'name="mentor_{amy.pk}"')[1]
    assert f'<option value="{managers[2].pk}" selected' in body.split(f'name="line_manager_{amy.pk}"')[1]
    assert "Row 4: nobody who can join this programme has the employee number or e-mail address “zz9999”." in body
    assert f"Row 3: “nobody@example.org” is not a mentor who may be chosen for {ben}." in body
    assert response.context["form"].errors[f"mentor_{ben.pk}"]  # beside Ben's mentor
    assert response.context["rows"][2].proposed_mentor is not None  # Cara: the mentor proposed
    assert 'name="start_date_0" value="7"' in body  # what was typed stays


def test_an_excel_file_fills_the_rows_too_and_then_the_cohort_is_enrolled(
    lead, programme, organisation, teams, mentors, managers, today
):
    amy, ben = _starters(organisation, teams, 2)
    book = Workbook()
    book.active.append(["E-mail", "Mentor", "Line manager"])
    book.active.append([amy.email, mentors[0].employee_number or mentors[0].email, managers[1].email])
    book.active.append([ben.email, mentors[1].email, None])
    stream = io.BytesIO()
    book.save(stream)
    upload = SimpleUploadedFile("cohort.xlsx", stream.getvalue())
    client = client_for(lead)
    response = client.post(_url(programme), {"upload": "1", "spreadsheet": upload})
    form = response.context["form"]
    assert not form.errors, form.errors
    data = _post_data([(amy, mentors[0], managers[1]), (ben, mentors[1], None)], today)
    assert client.post(_url(programme), data).status_code == HTTPStatus.FOUND
    assert set(Enrolment.objects.values_list("preceptee", "mentor", "line_manager")) == {
        (amy.pk, mentors[0].pk, managers[1].pk), (ben.pk, mentors[1].pk, None)}


def test_an_unreadable_file_is_said_beside_the_upload(lead, programme):
    upload = SimpleUploadedFile("cohort.pdf", b"%PDF-1.4")
    response = client_for(lead).post(_url(programme), {"upload": "1", "spreadsheet": upload})
    assert response.context["form"].errors["spreadsheet"] == ["The file must be a CSV or an Excel (.xlsx) file"]
    missing = client_for(lead).post(_url(programme), {"upload": "1"})
    assert missing.context["form"].errors["spreadsheet"] == ["Choose a spreadsheet to upload"]


def test_the_template_download_names_the_documented_columns(lead, programme):
    response = client_for(lead).get(_url(programme), {"template": "csv"})
    assert response["Content-Type"].startswith("text/csv")
    assert response.content.decode().strip() == "Employee number or e-mail,Mentor,Line manager"


def test_enrol_people_leaves_out_those_enrolled_or_completed_and_the_service_refuses_them(
    lead, programme, organisation, teams, mentors, today
):
    waiting, on_it, done, withdrew = _starters(organisation, teams, 4)
    EnrolmentFactory(programme=programme, preceptee=on_it)
    EnrolmentFactory(programme=programme, preceptee=done, completed=True)
    EnrolmentFactory(programme=programme, preceptee=withdrew, withdrawn=True)
    response = client_for(lead).get(reverse("programmes:programme-enrol", args=[programme.pk]))
    assert {p.pk for p in response.context["form"].offered} >= {waiting.pk, withdrew.pk}
    assert not {p.pk for p in response.context["form"].offered} & {on_it.pk, done.pk}
    cohort_page = client_for(lead).get(_url(programme), {"person": [waiting.pk, on_it.pk, done.pk, withdrew.pk]})
    assert [row.preceptee for row in cohort_page.context["rows"]] == [waiting, withdrew]
    with pytest.raises(CohortRefused) as refused:
        enrolment_cohort_places_create(actor=lead, programme=programme, places=[Place(done, mentors[0])],
                                       start_date=today, transition=Transition.NEWLY_REGISTERED)
    assert refused.value.rows[0]["preceptee"] == [f"{done} has already completed this programme."]


def test_the_cohort_form_with_people_survives_hostile_input(lead, programme, organisation, teams, mentors, managers):
    from hypothesis import given

    people = _starters(organisation, teams, 2)
    client = client_for(lead)
    form = read_form(client, f"{_url(programme)}?person={people[0].pk}&person={people[1].pk}")
    form.action = _url(programme)

    @HOSTILE_SETTINGS
    @given(data=hostile_data(form, skip={"spreadsheet"}))
    def check(data: dict[str, Any]) -> None:
        assert_survives(client, form, data)
        Enrolment.objects.all().delete()

    check()


def test_the_mentor_directory_and_the_mentors_list_use_the_same_rule(lead, programme, mentors):
    for _ in range(4):
        EnrolmentFactory(programme=programme, mentor=mentors[0])  # full: 4 of 4
    EnrolmentFactory(programme=programme, mentor=mentors[1])
    client = client_for(lead)
    directory = client.get(reverse("programmes:mentor-directory")).content.decode()

    def row(body: str, mentor: User) -> str:
        start = body.index(str(mentor))
        return body[start:body.index("</tr>", start)]

    assert "Full" in row(directory, mentors[0]) and "Yes" not in row(directory, mentors[0])
    assert "Yes" in row(directory, mentors[1])
    listed = client.get(reverse("programmes:mentor-list")).content.decode()
    assert "Full" in row(listed, mentors[0]) and "Room for 3" in row(listed, mentors[1])
