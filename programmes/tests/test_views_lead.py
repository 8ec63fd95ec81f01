"""The programme lead's pages and the enrolment actions, through HTTP: the owner (the lead of the
programme's organisation, or the enrolment's own people), a colleague and an outsider."""

from __future__ import annotations

import datetime
from http import HTTPStatus
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from preceptorship.models import AuditEntry, Membership, Profession
from preceptorship.tests.factories import person
from programmes.models import CompletionConfirmation, Enrolment, Evaluation, Pause, Programme, Transition
from programmes.schedule import add_months
from programmes.tests.factories import (
    CompletionConfirmationFactory,
    EnrolmentFactory,
    EvaluationFactory,
    ProgrammeFactory,
)

Role = Membership.Role
pytestmark = pytest.mark.django_db


def _today() -> datetime.date:
    return timezone.localdate()


def _date(name: str, day: datetime.date) -> dict[str, str]:
    return {f"{name}_0": str(day.day), f"{name}_1": str(day.month), f"{name}_2": str(day.year)}


def _client(user: Any) -> Client:
    client = Client()
    client.force_login(user)
    return client


def _ot() -> Profession:
    return Profession.objects.get(slug="occupational-therapy")


@pytest.fixture
def lead(organisation):
    return person(organisation, Role.PROGRAMME_LEAD)


@pytest.fixture
def outsider_lead(other_organisation):
    return person(other_organisation, Role.PROGRAMME_LEAD)


@pytest.fixture
def programme(organisation):
    return ProgrammeFactory(organisation=organisation, name="Occupational Therapy preceptorship", professions=[_ot()])


# Programmes


def test_programme_list_shows_own_organisation_programmes_only(lead, programme, other_organisation):
    ProgrammeFactory(organisation=other_organisation, name="Neighbouring physiotherapy programme")
    body = _client(lead).get(reverse("programmes:programme-list")).content.decode()
    assert "Occupational Therapy preceptorship" in body
    assert "Neighbouring physiotherapy programme" not in body
    assert "Set up a programme" in body


def test_programme_list_query_count_is_constant(lead, organisation, django_assert_num_queries):
    client = _client(lead)
    for size in (2, 7):
        while Programme.objects.filter(organisation=organisation).count() < size:
            ProgrammeFactory(organisation=organisation, professions=[_ot()])
        # session, user, memberships (access), count (paginator), programmes with their counts,
        # professions (prefetch), unread notifications (header)
        with django_assert_num_queries(7):
            response = client.get(reverse("programmes:programme-list"))
        assert response.status_code == HTTPStatus.OK
        assert len(response.context["programmes"]) == size


def _programme_data(organisation, **overrides: Any) -> dict[str, Any]:
    data = {
        "name": "Social work ASYE and preceptorship", "organisation": organisation.pk,
        "professions": [_ot().pk, Profession.objects.get(slug="social-work").pk],
        "transitions": [Transition.NEWLY_REGISTERED, Transition.INTERNATIONAL],
        "length_months": "18", "review_interval_months": "3", "entry_level": "Level 1", "exit_level": "Level 2",
        "protected_hours_per_month": "7.5", "framework": "", "mentor_capacity": "3",
    }
    return data | overrides


def test_lead_sets_up_a_multi_professional_programme(lead, organisation):
    response = _client(lead).post(reverse("programmes:programme-create"), _programme_data(organisation))
    programme = Programme.objects.get(name="Social work ASYE and preceptorship")
    assert response.status_code == HTTPStatus.FOUND
    assert response["Location"] == programme.get_absolute_url()
    assert programme.professions.count() == 2
    assert programme.transitions == [Transition.NEWLY_REGISTERED, Transition.INTERNATIONAL]
    assert str(programme.protected_hours_per_month) == "7.5"
    assert programme.mentor_capacity == 3
    assert AuditEntry.objects.filter(action="programme.create").exists()


def test_programme_form_keeps_what_was_typed_on_error(lead, organisation):
    client = _client(lead)
    url = reverse("programmes:programme-create")
    body = client.post(url, _programme_data(organisation, mentor_capacity="lots")).content.decode()
    assert "Enter a whole number" in body
    assert 'value="Social work ASYE and preceptorship"' in body
    response = client.post(url, _programme_data(organisation, review_interval_months="24"))
    body = response.content.decode()
    assert response.status_code == HTTPStatus.OK
    assert 'id="id_review_interval_months-error"' in body
    assert "Review meetings cannot be further apart than the programme&#x27;s length" in body
    assert 'value="24"' in body and 'value="7.5"' in body
    assert not Programme.objects.exists()


def test_lead_cannot_set_up_a_programme_for_another_organisation(lead, other_organisation):
    response = _client(lead).post(reverse("programmes:programme-create"), _programme_data(other_organisation))
    assert response.status_code == HTTPStatus.OK
    assert "Select a valid choice" in response.content.decode()
    assert not Programme.objects.exists()


def test_only_programme_leads_set_up_programmes(organisation):
    mentor = person(organisation, Role.MENTOR)
    assert _client(mentor).get(reverse("programmes:programme-create")).status_code == HTTPStatus.FORBIDDEN


def test_lead_changes_a_programme_but_not_its_length_once_people_are_enrolled(lead, programme):
    EnrolmentFactory(programme=programme)
    data = _programme_data(programme.organisation, name="OT preceptorship (2026)", length_months="12")
    response = _client(lead).post(reverse("programmes:programme-edit", args=[programme.pk]), data)
    programme.refresh_from_db()
    assert response.status_code == HTTPStatus.FOUND
    assert programme.name == "OT preceptorship (2026)"
    assert programme.length_months == 18  # the field is disabled: the posted 12 is ignored


def test_colleague_sees_a_programme_but_cannot_change_it(programme, organisation, outsider):
    colleague = person(organisation, Role.MENTOR)
    assert _client(colleague).get(programme.get_absolute_url()).status_code == HTTPStatus.OK
    edit = reverse("programmes:programme-edit", args=[programme.pk])
    assert _client(colleague).get(edit).status_code == HTTPStatus.FORBIDDEN
    assert _client(outsider).get(programme.get_absolute_url()).status_code == HTTPStatus.NOT_FOUND


def test_programme_with_enrolments_is_closed_not_deleted(lead, programme):
    EnrolmentFactory(programme=programme)
    client = _client(lead)
    response = client.post(reverse("programmes:programme-delete", args=[programme.pk]), follow=True)
    assert "cannot be deleted" in response.content.decode()
    client.post(reverse("programmes:programme-close", args=[programme.pk]))
    programme.refresh_from_db()
    assert programme.status == Programme.Status.CLOSED
    assert programme.closed_on == _today()


def test_programme_without_enrolments_can_be_deleted(lead, programme, outsider_lead):
    url = reverse("programmes:programme-delete", args=[programme.pk])
    assert _client(outsider_lead).post(url).status_code == HTTPStatus.NOT_FOUND
    assert _client(lead).post(url).status_code == HTTPStatus.FOUND
    assert not Programme.objects.filter(pk=programme.pk).exists()


# Enrolling


@pytest.fixture
def people(organisation, team):
    """Two practitioners, a mentor and a line manager of the organisation, all occupational therapists."""
    ot = _ot()
    return {
        "first": person(organisation, Role.PRACTITIONER, team=team, profession=ot, last_name="Aardvark"),
        "second": person(organisation, Role.PRACTITIONER, team=team, profession=ot, last_name="Bittern"),
        "mentor": person(organisation, Role.MENTOR, profession=ot, last_name="Mentorson"),
        "manager": person(organisation, Role.LINE_MANAGER, team=team, last_name="Managerly"),
    }


def _enrol_data(people: dict, *preceptees: str, **overrides: Any) -> dict[str, Any]:
    data = {
        "preceptees": [people[key].pk for key in preceptees], **_date("start_date", _today()),
        "transition": Transition.NEWLY_REGISTERED, "mentor": people["mentor"].pk,
        "line_manager": people["manager"].pk,
    }
    return data | overrides


def test_lead_enrols_a_cohort(lead, programme, people):
    url = reverse("programmes:programme-enrol", args=[programme.pk])
    response = _client(lead).post(url, _enrol_data(people, "first", "second"))
    assert response.status_code == HTTPStatus.FOUND
    enrolments = Enrolment.objects.filter(programme=programme)
    assert {e.preceptee for e in enrolments} == {people["first"], people["second"]}
    enrolment = enrolments.get(preceptee=people["first"])
    assert enrolment.team is not None and enrolment.line_manager == people["manager"]
    assert enrolment.next_review_due == add_months(_today(), 3)
    assert enrolment.completion_due == add_months(_today(), 18)


def test_enrolling_one_person_opens_their_timeline(lead, programme, people):
    url = reverse("programmes:programme-enrol", args=[programme.pk])
    response = _client(lead).post(url, _enrol_data(people, "first"), follow=True)
    assert response.request["PATH_INFO"] == Enrolment.objects.get().get_absolute_url()
    assert "Review 1 due" in response.content.decode()


def test_over_capacity_warns_with_the_numbers_and_the_lead_may_confirm(lead, programme, people):
    programme.mentor_capacity = 2
    programme.save()
    EnrolmentFactory(mentor=people["mentor"])
    url = reverse("programmes:programme-enrol", args=[programme.pk])
    client = _client(lead)
    response = client.post(url, _enrol_data(people, "first", "second"))
    body = response.content.decode()
    assert response.status_code == HTTPStatus.OK
    assert "already mentors 1 active preceptee. Adding 2 makes 3, over their capacity of 2" in body
    assert 'name="confirm_over_capacity"' in body and 'type="checkbox"' in body
    assert not Enrolment.objects.filter(programme=programme).exists()
    response = client.post(url, _enrol_data(people, "first", "second", confirm_over_capacity="on"))
    assert response.status_code == HTTPStatus.FOUND
    assert Enrolment.objects.filter(programme=programme).count() == 2


def test_someone_already_enrolled_is_not_offered_or_enrolled_twice(lead, programme, people):
    EnrolmentFactory(programme=programme, preceptee=people["first"])
    url = reverse("programmes:programme-enrol", args=[programme.pk])
    client = _client(lead)
    assert people["first"].last_name not in client.get(url).content.decode()
    response = client.post(url, _enrol_data(people, "first"))
    assert response.status_code == HTTPStatus.OK
    assert f"{people['first']} is already enrolled on this programme." in response.content.decode()
    assert Enrolment.objects.filter(preceptee=people["first"]).count() == 1


def test_enrol_form_keeps_choices_on_a_bad_date(lead, programme, people):
    data = _enrol_data(people, "first", start_date_0="31", start_date_1="2", start_date_2="2026")
    response = _client(lead).post(reverse("programmes:programme-enrol", args=[programme.pk]), data)
    body = response.content.decode()
    assert response.status_code == HTTPStatus.OK
    assert "Enter a real date" in body
    assert 'value="31"' in body
    assert f'value="{people["first"].pk}" checked' in body or f'checked value="{people["first"].pk}"' in body
    assert not Enrolment.objects.exists()


def test_cross_organisation_mentor_of_the_same_profession_sees_only_that_record(
    lead, programme, people, other_organisation
):
    podiatry = Profession.objects.get(slug="podiatry")
    people["first"].profession = podiatry
    people["first"].save()
    programme.professions.add(podiatry)
    mentor = person(other_organisation, Role.MENTOR, profession=podiatry)
    data = _enrol_data(people, "first", mentor=mentor.pk)
    response = _client(lead).post(reverse("programmes:programme-enrol", args=[programme.pk]), data)
    assert response.status_code == HTTPStatus.FOUND
    enrolment = Enrolment.objects.get(preceptee=people["first"])
    someone_else = EnrolmentFactory(programme=programme)
    client = _client(mentor)
    assert client.get(enrolment.get_absolute_url()).status_code == HTTPStatus.OK
    assert client.get(someone_else.get_absolute_url()).status_code == HTTPStatus.NOT_FOUND
    assert client.get(reverse("programmes:enrolment-list")).status_code == HTTPStatus.FORBIDDEN


def test_mentor_of_another_profession_in_another_organisation_is_refused(lead, programme, people, other_organisation):
    programme.professions.add(Profession.objects.get(slug="physiotherapy"))
    physio = person(other_organisation, Role.MENTOR, profession=Profession.objects.get(slug="physiotherapy"))
    data = _enrol_data(people, "first", mentor=physio.pk)
    response = _client(lead).post(reverse("programmes:programme-enrol", args=[programme.pk]), data)
    assert response.status_code == HTTPStatus.OK
    assert "nor a mentor of the same profession" in response.content.decode()
    assert not Enrolment.objects.exists()


def test_closed_programme_sends_the_lead_back(lead, programme):
    programme.status = Programme.Status.CLOSED
    programme.save()
    response = _client(lead).get(reverse("programmes:programme-enrol", args=[programme.pk]))
    assert response.status_code == HTTPStatus.FOUND


# The enrolment list


def test_enrolment_list_filters(lead, programme, people, organisation):
    overdue = EnrolmentFactory(
        programme=programme, preceptee=people["first"], start_date=_today() - datetime.timedelta(days=120)
    )
    EnrolmentFactory(programme=programme, preceptee=people["second"], withdrawn=True)
    other_programme = ProgrammeFactory(organisation=organisation)
    EnrolmentFactory(programme=other_programme, mentor=people["mentor"])
    client = _client(lead)
    url = reverse("programmes:enrolment-list")

    def listed(**query: Any) -> set[int]:
        return {e["id"] for e in client.get(url, query).context["enrolments"]}  # the page's rows, as values

    assert len(listed()) == 3
    assert listed(status="withdrawn") == {Enrolment.objects.get(status="withdrawn").pk}
    assert len(listed(programme=programme.pk)) == 2
    assert listed(mentor=people["mentor"].pk) == {Enrolment.objects.get(programme=other_programme).pk}
    assert listed(overdue="on") == {overdue.pk}
    assert listed(profession=_ot().pk) == {overdue.pk, Enrolment.objects.get(status="withdrawn").pk}
    assert client.get(url, {"programme": "not-a-number", "sort": "sideways"}).status_code == HTTPStatus.OK


def test_enrolment_list_downloads_what_is_filtered_as_csv(lead, programme, people, django_assert_max_num_queries):
    for key in ("first", "second"):
        EnrolmentFactory(programme=programme, preceptee=people[key], mentor=people["mentor"])
    EnrolmentFactory(programme=programme, withdrawn=True)
    client = _client(lead)
    with django_assert_max_num_queries(12):
        response = client.get(reverse("programmes:enrolment-list"), {"status": "active", "format": "csv"})
    assert response["Content-Type"].startswith("text/csv")
    assert "attachment" in response["Content-Disposition"]
    lines = response.content.decode("utf-8-sig").splitlines()
    assert lines[0].startswith("preceptee,profession,programme,employer")
    assert len(lines) == 3
    assert any(people["first"].last_name in line and "Mentorson" in line for line in lines)
    assert _client(people["mentor"]).get(reverse("programmes:enrolment-list"), {"format": "csv"}).status_code == 403


def test_enrolment_list_shows_nothing_of_another_organisation(lead, outsider_lead, programme):
    EnrolmentFactory(programme=programme)
    assert not _client(outsider_lead).get(reverse("programmes:enrolment-list")).context["enrolments"]


def test_enrolment_list_query_count_is_constant(lead, programme, django_assert_num_queries):
    client = _client(lead)
    for size in (2, 8):
        while Enrolment.objects.count() < size:
            EnrolmentFactory(programme=programme)
        # session, user, memberships (access), the filter's choices of programme, profession and
        # employer, a plain query each (3; teams and mentors are searched by name, not listed);
        # count (paginator), enrolments with programme, people and team, unread notifications (header)
        with django_assert_num_queries(9):
            response = client.get(reverse("programmes:enrolment-list"))
        assert len(response.context["enrolments"]) == size


def test_enrolment_list_pages_count_the_whole_filtered_list(lead, programme):
    for _ in range(27):
        EnrolmentFactory(programme=programme)
    EnrolmentFactory(programme=programme, status=Enrolment.Status.PAUSED)
    client = _client(lead)
    url = reverse("programmes:enrolment-list")
    first = client.get(url)
    assert len(first.context["enrolments"]) == 25 and first.context["paginator"].count == 28
    second = client.get(url, {"page": 2})
    assert len(second.context["enrolments"]) == 3 and "28 enrolments" in second.content.decode()
    assert client.get(url, {"page": "last"}).context["page_obj"].number == 2
    assert client.get(url, {"page": 3}).status_code == HTTPStatus.NOT_FOUND
    paused = client.get(url, {"status": Enrolment.Status.PAUSED})
    assert paused.context["paginator"].count == 1 and len(paused.context["enrolments"]) == 1
    nothing = client.get(url, {"status": Enrolment.Status.WITHDRAWN})
    assert nothing.status_code == HTTPStatus.OK and nothing.context["paginator"].count == 0


def test_enrolment_list_rows_show_status_mentor_and_an_overdue_review(lead, programme, people):
    """Each row shows the enrolment as it stands: its status tag, its mentor's name and, once the
    next review is past, the overdue tag."""
    enrolment = EnrolmentFactory(programme=programme, preceptee=people["first"], mentor=people["mentor"])
    client = _client(lead)
    url = reverse("programmes:enrolment-list")

    def row() -> str:
        page = client.get(url).content.decode()
        return page[page.index(f"/enrolments/{enrolment.pk}/"):].split("</tr>")[0]

    assert "nhsuk-tag--blue\">Active" in row() and "Overdue" not in row()
    Enrolment.objects.filter(pk=enrolment.pk).update(status=Enrolment.Status.PAUSED)
    assert "nhsuk-tag--yellow\">Paused" in row()
    people["mentor"].last_name = "Renamed"
    people["mentor"].save()
    assert "Renamed" in row()
    Enrolment.objects.filter(pk=enrolment.pk).update(status=Enrolment.Status.ACTIVE,
                                                     next_review_due=_today() - datetime.timedelta(days=1))
    assert "Overdue" in row()


# One enrolment


@pytest.fixture
def enrolment(programme, team):
    return EnrolmentFactory(programme=programme, team=team)


def test_timeline_is_the_preceptees_and_hidden_from_colleagues(enrolment, organisation, outsider):
    body = _client(enrolment.preceptee).get(enrolment.get_absolute_url()).content.decode()
    assert "Your preceptorship" in body
    assert "Review 1 due" in body and "Completion due" in body
    assert "Record a pause" not in body
    colleague = person(organisation, Role.PRACTITIONER, Role.MENTOR)
    assert _client(colleague).get(enrolment.get_absolute_url()).status_code == HTTPStatus.NOT_FOUND
    assert _client(outsider).get(enrolment.get_absolute_url()).status_code == HTTPStatus.NOT_FOUND


def test_head_of_service_of_the_team_reads_the_timeline(enrolment, organisation, team):
    head = person(organisation, Role.HEAD_OF_SERVICE, team=team)
    assert _client(head).get(enrolment.get_absolute_url()).status_code == HTTPStatus.OK
    pause = reverse("programmes:enrolment-pause", args=[enrolment.pk])
    assert _client(head).get(pause).status_code == HTTPStatus.FORBIDDEN


def test_mentor_records_a_pause_and_dates_move(enrolment):
    start, end = _today() - datetime.timedelta(days=2), _today() + datetime.timedelta(days=27)
    data = {"reason": Pause.Reason.MATERNITY, **_date("start_date", start), **_date("end_date", end)}
    response = _client(enrolment.mentor).post(reverse("programmes:enrolment-pause", args=[enrolment.pk]), data)
    assert response.status_code == HTTPStatus.FOUND
    before = enrolment.completion_due
    enrolment.refresh_from_db()
    assert enrolment.status == Enrolment.Status.PAUSED
    assert enrolment.completion_due == before + datetime.timedelta(days=30)


def test_overlapping_pause_is_refused_beside_the_field(enrolment):
    Pause.objects.create(enrolment=enrolment, reason=Pause.Reason.SICKNESS, start_date=_today() - datetime.timedelta(
        days=20), end_date=_today() - datetime.timedelta(days=10))
    data = {"reason": Pause.Reason.CARER, **_date("start_date", _today() - datetime.timedelta(days=15)),
            **_date("end_date", _today())}
    response = _client(enrolment.line_manager).post(reverse("programmes:enrolment-pause", args=[enrolment.pk]), data)
    assert response.status_code == HTTPStatus.OK
    assert "Pauses cannot overlap" in response.content.decode()
    assert enrolment.pauses.count() == 1


def test_pause_ending_before_it_starts_is_refused(enrolment):
    data = {"reason": Pause.Reason.CARER, **_date("start_date", _today()),
            **_date("end_date", _today() - datetime.timedelta(days=1))}
    response = _client(enrolment.mentor).post(reverse("programmes:enrolment-pause", args=[enrolment.pk]), data)
    assert "The last day must be the same as or after the first day" in response.content.decode()


def test_preceptee_cannot_pause_their_own_preceptorship(enrolment):
    url = reverse("programmes:enrolment-pause", args=[enrolment.pk])
    assert _client(enrolment.preceptee).get(url).status_code == HTTPStatus.FORBIDDEN


def test_resume_brings_a_paused_enrolment_back(enrolment):
    Pause.objects.create(enrolment=enrolment, reason=Pause.Reason.SICKNESS,
                         start_date=_today() - datetime.timedelta(days=5), end_date=_today() + datetime.timedelta(days=5))
    Enrolment.objects.filter(pk=enrolment.pk).update(status=Enrolment.Status.PAUSED)
    response = _client(enrolment.mentor).post(reverse("programmes:enrolment-resume", args=[enrolment.pk]))
    assert response.status_code == HTTPStatus.FOUND
    enrolment.refresh_from_db()
    assert enrolment.status == Enrolment.Status.ACTIVE
    assert enrolment.pauses.get().end_date == _today() - datetime.timedelta(days=1)


def test_lead_extends_an_enrolment(enrolment, lead):
    data = {"months": "3", "reason": "Time lost to a change of team."}
    before = enrolment.completion_due
    _client(lead).post(reverse("programmes:enrolment-extend", args=[enrolment.pk]), data)
    enrolment.refresh_from_db()
    assert enrolment.completion_due == add_months(enrolment.start_date, 21)
    assert enrolment.completion_due > before
    response = _client(lead).post(reverse("programmes:enrolment-extend", args=[enrolment.pk]), {"months": "99"})
    assert "Extend by 24 months or fewer" in response.content.decode()


def test_withdrawal_needs_a_reason_and_records_it(enrolment, lead):
    url = reverse("programmes:enrolment-withdraw", args=[enrolment.pk])
    client = _client(lead)
    data = {**_date("on", _today()), "reason": Enrolment.WithdrawalReason.OTHER, "detail": ""}
    response = client.post(url, data)
    assert "Say why the preceptee withdrew" in response.content.decode()
    data["reason"] = Enrolment.WithdrawalReason.LEFT_PROFESSION
    assert client.post(url, data).status_code == HTTPStatus.FOUND
    enrolment.refresh_from_db()
    assert enrolment.status == Enrolment.Status.WITHDRAWN
    assert enrolment.withdrawal_reason == Enrolment.WithdrawalReason.LEFT_PROFESSION
    assert "Withdrew on" in client.get(enrolment.get_absolute_url()).content.decode()


def test_lead_changes_the_mentor_with_a_capacity_warning(enrolment, lead, organisation):
    busy = person(organisation, Role.MENTOR)
    for _ in range(4):
        EnrolmentFactory(mentor=busy)
    url = reverse("programmes:enrolment-people", args=[enrolment.pk])
    client = _client(lead)
    data = {"mentor": busy.pk, "line_manager": enrolment.line_manager_id}
    response = client.post(url, data)
    assert "already mentors 4 active preceptees" in response.content.decode()
    client.post(url, data | {"confirm_over_capacity": "on"})
    enrolment.refresh_from_db()
    assert enrolment.mentor == busy
    assert _client(enrolment.line_manager).get(url).status_code == HTTPStatus.FORBIDDEN


# Completion


@pytest.fixture
def completing(programme, team):
    start = add_months(_today(), -18) + datetime.timedelta(days=5)
    return EnrolmentFactory(programme=programme, team=team, start_date=start)


def test_completion_confirmed_by_both_then_outcome_recorded_then_certificate(completing, lead):
    url = reverse("programmes:completion-confirm", args=[completing.pk])
    # Five days early with no review held: a reason is needed, and each answer is confirmed on its check page.
    yes = {"confirmed": "yes", "early_reason": "Reviews held on paper before the service.", "confirm": "yes"}
    assert _client(completing.mentor).post(url, yes).status_code == HTTPStatus.FOUND
    outcome_url = reverse("programmes:completion-outcome", args=[completing.pk])
    outcome = {"outcome": "Progressed to Level 2", **_date("completed_on", _today()),
               **_date("pay_step_on", _today()), "confirm": "yes"}
    response = _client(lead).post(outcome_url, outcome)
    assert "Waiting for confirmation from the line manager" in response.content.decode()
    _client(completing.line_manager).post(url, yes)
    assert _client(lead).post(outcome_url, outcome).status_code == HTTPStatus.FOUND
    completing.refresh_from_db()
    assert completing.status == Enrolment.Status.COMPLETED
    assert completing.pay_step_on == _today()
    response = _client(completing.preceptee).get(reverse("programmes:certificate", args=[completing.pk]))
    assert response.status_code == HTTPStatus.OK
    assert response["Content-Type"] == "application/pdf"
    assert response.content.startswith(b"%PDF")
    assert "attachment" in response["Content-Disposition"]


def test_not_yet_needs_a_reason(completing):
    url = reverse("programmes:completion-confirm", args=[completing.pk])
    response = _client(completing.line_manager).post(url, {"confirmed": "no", "proposed_extension_months": "3"})
    assert "Say why the preceptee has not completed yet" in response.content.decode()
    _client(completing.line_manager).post(url, {"confirmed": "no", "reason": "Two standards left.",
                                                 "proposed_extension_months": "3", "confirm": "yes"})
    confirmation = CompletionConfirmation.objects.get()
    assert not confirmation.confirmed and confirmation.proposed_extension_months == 3


def test_completion_cannot_be_confirmed_early(enrolment):
    url = reverse("programmes:completion-confirm", args=[enrolment.pk])
    assert _client(enrolment.mentor).get(url).status_code == HTTPStatus.FOUND
    response = _client(enrolment.mentor).post(url, {"confirmed": "yes", "early_reason": "Early.", "confirm": "yes"})
    assert "Completion can be confirmed from 31 days before" in response.content.decode()
    assert not CompletionConfirmation.objects.exists()


def test_certificate_for_mentor_and_lead_not_head_of_service_nor_outsider(programme, team, lead, outsider):
    done = EnrolmentFactory(programme=programme, team=team, completed=True)
    url = reverse("programmes:certificate", args=[done.pk])
    assert _client(done.mentor).get(url).status_code == HTTPStatus.OK
    assert _client(lead).get(url).status_code == HTTPStatus.OK
    head = person(programme.organisation, Role.HEAD_OF_SERVICE, team=team)
    assert _client(head).get(url).status_code == HTTPStatus.FORBIDDEN
    assert _client(outsider).get(url).status_code == HTTPStatus.NOT_FOUND
    active = EnrolmentFactory(programme=programme)
    response = _client(active.preceptee).get(reverse("programmes:certificate", args=[active.pk]))
    assert response.status_code == HTTPStatus.FORBIDDEN


def test_preceptee_evaluates_the_programme_once(programme):
    done = EnrolmentFactory(programme=programme, completed=True)
    url = reverse("programmes:evaluation", args=[done.pk])
    client = _client(done.preceptee)
    response = client.post(url, {"support_received": "9", "would_recommend": "yes"})
    assert "Choose a score from 1 to 5" in response.content.decode()
    answers = {"support_received": "4", "confidence_now": "5", "protected_time": "2", "would_recommend": "maybe",
               "comments": "More study days please."}
    assert client.post(url, answers).status_code == HTTPStatus.FOUND
    evaluation = Evaluation.objects.get()
    assert (evaluation.support_received, evaluation.protected_time) == (4, 2)
    assert client.get(url).status_code == HTTPStatus.FOUND
    assert _client(done.mentor).get(url).status_code == HTTPStatus.FORBIDDEN


def test_lead_sees_evaluations_only_in_aggregate_of_five(programme, lead):
    for _ in range(4):
        EvaluationFactory(enrolment=EnrolmentFactory(programme=programme, completed=True),
                          comments="A very personal remark")
    body = _client(lead).get(programme.get_absolute_url()).content.decode()
    assert "Results are shown once at least 5 have answered" in body
    EvaluationFactory(enrolment=EnrolmentFactory(programme=programme, completed=True))
    body = _client(lead).get(programme.get_absolute_url()).content.decode()
    assert "Would recommend it" in body and "100%" in body
    assert "A very personal remark" not in body


# Mentors, navigation and home panels


def test_mentor_page_shows_load_against_capacity(lead, programme, people, django_assert_num_queries):
    client = _client(lead)
    for size in (1, 5):
        while Enrolment.objects.filter(mentor=people["mentor"]).count() < size:
            EnrolmentFactory(programme=programme, mentor=people["mentor"])
        # session, user, memberships (access), count (paginator), mentors with their loads and
        # capacities, unread notifications (header)
        with django_assert_num_queries(6):
            response = client.get(reverse("programmes:mentor-list"))
        mentor = next(m for m in response.context["mentors"] if m.pk == people["mentor"].pk)
        assert (mentor.current_load, mentor.capacity) == (size, 4)
    assert "Over capacity" in response.content.decode()


def test_lead_navigation_marks_only_the_current_page(lead):
    response = _client(lead).get(reverse("programmes:enrolment-list"))
    current = [item["label"] for item in response.context["nav_items"] if item["current"]]
    labels = [item["label"] for item in response.context["nav_items"]]
    assert current == ["Enrolments"]
    assert {"Programmes", "Enrolments", "Mentors"} <= set(labels)


def test_practitioner_home_shows_their_own_timeline(enrolment):
    body = _client(enrolment.preceptee).get(reverse("home")).content.decode()
    assert "Your preceptorship" in body and "Review 1 due" in body


def test_line_manager_home_lists_completions_to_confirm(completing):
    CompletionConfirmationFactory(enrolment=completing, role=CompletionConfirmation.Role.MENTOR)
    body = _client(completing.line_manager).get(reverse("home")).content.decode()
    assert "Completions to confirm" in body
    assert reverse("programmes:completion-confirm", args=[completing.pk]) in body
    assert "Completions to confirm" not in _client(completing.mentor).get(reverse("home")).content.decode()


def test_extreme_input_is_a_message_never_a_server_error(lead, programme, people, enrolment):
    client = _client(lead)
    client.raise_request_exception = False
    far = datetime.date(9999, 12, 31)
    posts = [
        (reverse("programmes:programme-enrol", args=[programme.pk]), _enrol_data(people, "first", **_date(
            "start_date", far))),
        (reverse("programmes:programme-create"), _programme_data(programme.organisation, length_months="32767",
                                                                 review_interval_months="3")),
        (reverse("programmes:programme-create"), _programme_data(programme.organisation,
                                                                 protected_hours_per_month="1e400")),
        (reverse("programmes:enrolment-pause", args=[enrolment.pk]),
         {"reason": Pause.Reason.SICKNESS, **_date("start_date", _today()), **_date("end_date", far)}),
        (reverse("programmes:enrolment-withdraw", args=[enrolment.pk]),
         {**_date("on", far), "reason": "not-a-reason"}),
        (reverse("programmes:completion-outcome", args=[enrolment.pk]),
         {"outcome": "x" * 500, **_date("completed_on", far)}),
    ]
    for url, data in posts:
        response = client.post(url, data)
        assert response.status_code == HTTPStatus.OK, url
        assert "There is a problem" in response.content.decode(), url


def test_programme_page_query_count_is_constant(lead, programme, django_assert_num_queries):
    client = _client(lead)
    for size in (1, 6):
        while Enrolment.objects.filter(programme=programme).count() < size:
            EnrolmentFactory(programme=programme)
        # session, user, memberships (access), the programme, professions, enrolments with people,
        # their count, any enrolment at all (may it be deleted?), evaluations summary, unread notifications,
        # the organisation's standard sets and their criteria (the set-up warnings)
        with django_assert_num_queries(12):
            response = client.get(programme.get_absolute_url())
        assert len(response.context["enrolments"]) == size


def _filter_form(page: str) -> str:
    return page[page.index('<form method="get"'):].split("</form>")[0]


def test_enrolment_list_filter_offers_each_programme_and_keeps_the_chosen_status(lead, programme):
    EnrolmentFactory(programme=programme)
    client = _client(lead)
    url = reverse("programmes:enrolment-list")
    assert f">{programme.name}</option>" in _filter_form(client.get(url).content.decode())
    assert '<option value="active" selected>' in client.get(url, {"status": "active"}).content.decode()
    ProgrammeFactory(organisation=programme.organisation, name="Return to practice")
    assert ">Return to practice</option>" in _filter_form(client.get(url).content.decode())


@pytest.mark.parametrize(("status", "tag"), [("active", "nhsuk-tag--blue\">Active"), ("paused", "nhsuk-tag--yellow\">Paused"),
                                            ("completed", "nhsuk-tag--green\">Completed"),
                                            ("withdrawn", "nhsuk-tag--grey\">Withdrawn")])
def test_each_status_reads_as_its_own_coloured_tag(status, tag):
    from programmes.templatetags.practice_tags import status_tag

    assert tag in status_tag(Enrolment(status=status))


@pytest.mark.parametrize(("first", "last", "email"), [("Ann", "Smith", "ann@example.org"), ("", "", "x@example.org"),
                                                       ("Ann", "", "a@example.org"), ("", "Smith", "s@example.org")])
def test_the_lead_lists_rows_name_people_and_statuses_as_the_models_do(first, last, email):
    from preceptorship.models import User
    from programmes.templatetags.practice_tags import status_tag, status_value_tag

    person = User(first_name=first, last_name=last, email=email)
    assert User.name_from(first, last, email) == str(person) == (person.get_full_name() or email)
    for status in Enrolment.Status.values:
        assert status_value_tag(status) == status_tag(Enrolment(status=status))
