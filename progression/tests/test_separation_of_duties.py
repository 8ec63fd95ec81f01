"""Separation of duties: on one case nobody takes two of submission, recommendation, sign-off and
the HR record; the Head of Service named on the case decides, or a delegate they recorded; the
two completion confirmations of an enrolment come from two different people."""

from __future__ import annotations

import datetime
from http import HTTPStatus

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from preceptorship.models import AuditEntry, Membership
from preceptorship.tests.factories import person
from programmes import services as programme_services
from programmes.schedule import add_months
from programmes.services import TransitionError as EnrolmentTransitionError
from programmes.tests.factories import EnrolmentFactory
from progression import services
from progression.models import Decision, Delegation, ProgressionCase
from progression.services import TransitionError
from progression.tests.factories import agree, mark_required, small_framework

pytestmark = pytest.mark.django_db
Role = Membership.Role
Stage = ProgressionCase.Stage
DAY = datetime.timedelta(days=1)


@pytest.fixture
def everyone(organisation, team):
    """One person holding every role of the chain (as a staff import once let a lead grant herself),
    the practitioner, and one ordinary holder of each role."""

    class People:
        all_roles = person(organisation, Role.LINE_MANAGER, Role.HEAD_OF_SERVICE, Role.OPERATIONAL_DIRECTOR,
                           Role.HR, team=team, email="all.roles@example.org")
        practitioner = person(organisation, Role.PRACTITIONER, team=team, email="worker@example.org")
        manager = person(organisation, Role.LINE_MANAGER, team=team, email="manager@example.org")
        hos = person(organisation, Role.HEAD_OF_SERVICE, team=team, email="hos@example.org")
        other_hos = person(organisation, Role.HEAD_OF_SERVICE, team=team, email="other.hos@example.org")
        director = person(organisation, Role.OPERATIONAL_DIRECTOR, email="director@example.org")
        hr = person(organisation, Role.HR, email="hr@example.org")

    return People


def open_case(people, organisation, team, *, manager, head_of_service) -> ProgressionCase:
    case = services.progression_case_open(
        actor=manager, practitioner=people.practitioner, framework=small_framework(),
        target_role="Advanced Practitioner, Range 7", head_of_service=head_of_service,
        organisation=organisation, team=team,
    )
    mark_required(case, manager)
    return case


def test_one_person_holding_every_role_cannot_take_every_step(everyone, organisation, team):
    case = open_case(everyone, organisation, team, manager=everyone.all_roles, head_of_service=everyone.hos)
    case = services.progression_case_submit(actor=everyone.all_roles, case=case)
    case = services.progression_case_hos_decide(actor=everyone.hos, case=case, recommend=True)
    with pytest.raises(TransitionError, match="You submitted this case, so someone else must take the Operational"):
        services.progression_case_od_decide(actor=everyone.all_roles, case=case, decision="sign_off")
    case.refresh_from_db()
    assert case.stage == Stage.RECOMMENDED
    case = services.progression_case_od_decide(actor=everyone.director, case=case, decision="sign_off")
    with pytest.raises(TransitionError, match="You submitted this case, so someone else must record the HR process"):
        services.progression_case_hr_record(actor=everyone.all_roles, case=case, hr_reference="PAY-1",
                                            effective_date=timezone.localdate())
    case = services.progression_case_hr_record(actor=everyone.hr, case=case, hr_reference="PAY-1",
                                               effective_date=timezone.localdate())
    assert case.stage == Stage.HR_RECORDED
    deciders = {d.decision: d.actor_id for d in case.decisions.all()}
    chain = [deciders[kind] for kind in (Decision.Kind.SUBMITTED, Decision.Kind.RECOMMENDED,
                                         Decision.Kind.SIGNED_OFF, Decision.Kind.HR_RECORDED)]
    assert len(set(chain)) == 4


def test_the_director_who_signed_off_cannot_record_hr_and_the_hos_cannot_sign_off(everyone, organisation, team):
    both = person(organisation, Role.OPERATIONAL_DIRECTOR, Role.HR, email="od.hr@example.org")
    hos_and_od = person(organisation, Role.HEAD_OF_SERVICE, Role.OPERATIONAL_DIRECTOR, team=team,
                        email="hos.od@example.org")
    case = open_case(everyone, organisation, team, manager=everyone.manager, head_of_service=hos_and_od)
    case = services.progression_case_submit(actor=everyone.manager, case=case)
    case = services.progression_case_hos_decide(actor=hos_and_od, case=case, recommend=True)
    with pytest.raises(TransitionError, match="took the Head of Service's decision on this case"):
        services.progression_case_od_decide(actor=hos_and_od, case=case, decision="sign_off")
    case = services.progression_case_od_decide(actor=both, case=case, decision="sign_off")
    with pytest.raises(TransitionError, match="took the Operational Director's decision"):
        services.progression_case_hr_record(actor=both, case=case, hr_reference="PAY-2",
                                            effective_date=timezone.localdate())


def test_a_line_manager_named_as_head_of_service_cannot_submit(everyone, organisation, team):
    case = open_case(everyone, organisation, team, manager=everyone.all_roles, head_of_service=everyone.all_roles)
    with pytest.raises(TransitionError, match="named as the Head of Service on this case"):
        services.progression_case_submit(actor=everyone.all_roles, case=case)


def test_a_return_and_resubmission_keeps_everyone_at_their_own_step(everyone, organisation, team):
    case = open_case(everyone, organisation, team, manager=everyone.manager, head_of_service=everyone.hos)
    case = services.progression_case_submit(actor=everyone.manager, case=case)
    case = services.progression_case_hos_decide(actor=everyone.hos, case=case, recommend=False,
                                                comment="Add the audit outcome.")
    case = agree(case)  # the return asked the practitioner again
    case = services.progression_case_submit(actor=everyone.manager, case=case)  # the same step again: fine
    case = services.progression_case_hos_decide(actor=everyone.hos, case=case, recommend=True)
    assert case.stage == Stage.RECOMMENDED


def test_only_the_named_head_of_service_decides(everyone, organisation, team):
    case = open_case(everyone, organisation, team, manager=everyone.manager, head_of_service=everyone.hos)
    case = services.progression_case_submit(actor=everyone.manager, case=case)
    with pytest.raises(TransitionError, match="Only the Head of Service named on the case"):
        services.progression_case_hos_decide(actor=everyone.other_hos, case=case, recommend=True)
    case.refresh_from_db()
    assert case.stage == Stage.SUBMITTED


def test_a_delegate_decides_for_the_named_head_of_service_while_the_delegation_is_in_force(
    everyone, organisation, team, time_machine
):
    today = timezone.localdate()
    case = open_case(everyone, organisation, team, manager=everyone.manager, head_of_service=everyone.hos)
    case = services.progression_case_submit(actor=everyone.manager, case=case)
    delegation = services.delegation_create(actor=everyone.hos, delegate=everyone.other_hos, starts_on=today + DAY,
                                            ends_on=today + 5 * DAY, reason="Annual leave")
    with pytest.raises(TransitionError, match="Only the Head of Service named"):  # not in force yet
        services.progression_case_hos_decide(actor=everyone.other_hos, case=case, recommend=True)
    time_machine.move_to(timezone.now() + DAY)
    case = services.progression_case_hos_decide(actor=everyone.other_hos, case=case, recommend=True)
    decision = case.decisions.get(decision=Decision.Kind.RECOMMENDED)
    assert (decision.actor, decision.on_behalf_of) == (everyone.other_hos, everyone.hos)
    entry = AuditEntry.objects.filter(action="progression_case.recommended").latest("pk")
    assert f"for {everyone.hos}, who delegated their decisions until" in entry.summary
    assert AuditEntry.objects.filter(action="delegation.create", object_id=str(delegation.pk)).exists()


def test_a_withdrawn_or_ended_delegation_no_longer_lets_the_delegate_decide(everyone, organisation, team,
                                                                           time_machine):
    today = timezone.localdate()
    case = open_case(everyone, organisation, team, manager=everyone.manager, head_of_service=everyone.hos)
    case = services.progression_case_submit(actor=everyone.manager, case=case)
    withdrawn = services.delegation_create(actor=everyone.hos, delegate=everyone.other_hos, starts_on=today,
                                           ends_on=today + 3 * DAY)
    services.delegation_withdraw(actor=everyone.hos, delegation=withdrawn)
    with pytest.raises(TransitionError):
        services.progression_case_hos_decide(actor=everyone.other_hos, case=case, recommend=True)
    services.delegation_create(actor=everyone.hos, delegate=everyone.other_hos, starts_on=today, ends_on=today)
    time_machine.move_to(timezone.now() + DAY)
    with pytest.raises(TransitionError):
        services.progression_case_hos_decide(actor=everyone.other_hos, case=case, recommend=True)


def test_a_delegate_who_submitted_the_case_still_cannot_recommend_it(everyone, organisation, team):
    today = timezone.localdate()
    case = open_case(everyone, organisation, team, manager=everyone.all_roles, head_of_service=everyone.hos)
    case = services.progression_case_submit(actor=everyone.all_roles, case=case)
    services.delegation_create(actor=everyone.hos, delegate=everyone.all_roles, starts_on=today, ends_on=today)
    with pytest.raises(TransitionError, match="You submitted this case"):
        services.progression_case_hos_decide(actor=everyone.all_roles, case=case, recommend=True)


@pytest.mark.parametrize(("change", "field", "message"), [
    ({"delegate": "self"}, "delegate", "someone other than yourself"),
    ({"delegate": "director"}, "delegate", "Choose a Head of Service of"),
    ({"starts_on": -1}, "starts_on", "cannot be in the past"),
    ({"ends_on": -1}, "ends_on", "same as or after the first day"),
    ({"ends_on": 92}, "ends_on", "at most 92 days"),
])
def test_a_delegation_is_checked(everyone, change, field, message):
    today = timezone.localdate()
    people = {"self": everyone.hos, "director": everyone.director}
    arguments = {"delegate": everyone.other_hos, "starts_on": today, "ends_on": today + 7 * DAY}
    for key, value in change.items():
        arguments[key] = people[value] if key == "delegate" else today + value * DAY
    with pytest.raises(ValidationError) as refused:
        services.delegation_create(actor=everyone.hos, **arguments)
    assert message in " ".join(refused.value.message_dict[field])
    assert not Delegation.objects.exists()


def test_only_a_head_of_service_delegates_and_only_the_delegator_withdraws(everyone):
    today = timezone.localdate()
    with pytest.raises(PermissionDenied):
        services.delegation_create(actor=everyone.director, delegate=everyone.hos, starts_on=today, ends_on=today)
    delegation = services.delegation_create(actor=everyone.hos, delegate=everyone.other_hos, starts_on=today,
                                            ends_on=today)
    with pytest.raises(PermissionDenied):
        services.delegation_withdraw(actor=everyone.other_hos, delegation=delegation)


# Through the HTTP layer


def test_the_decision_page_refuses_a_director_who_submitted_and_says_why(everyone, organisation, team):
    case = open_case(everyone, organisation, team, manager=everyone.all_roles, head_of_service=everyone.hos)
    case = services.progression_case_submit(actor=everyone.all_roles, case=case)
    case = services.progression_case_hos_decide(actor=everyone.hos, case=case, recommend=True)
    client = Client()
    client.force_login(everyone.all_roles)
    url = reverse("progression:case-decide", args=[case.pk])
    response = client.post(url, {"decision": "sign_off", "comment": "", "revision": case.revision})
    assert response.status_code == HTTPStatus.OK
    assert "You submitted this case, so someone else must take the Operational Director" in response.content.decode()
    case.refresh_from_db()
    assert case.stage == Stage.RECOMMENDED


def test_a_head_of_service_not_named_on_the_case_is_refused_the_decision_page(everyone, organisation, team):
    case = open_case(everyone, organisation, team, manager=everyone.manager, head_of_service=everyone.hos)
    case = services.progression_case_submit(actor=everyone.manager, case=case)
    client = Client()
    client.force_login(everyone.other_hos)
    assert client.get(reverse("progression:case-detail", args=[case.pk])).status_code == HTTPStatus.OK
    assert client.get(reverse("progression:case-decide", args=[case.pk])).status_code == HTTPStatus.FORBIDDEN


def test_delegating_through_the_page_puts_the_case_on_the_delegates_waiting_list(everyone, organisation, team):
    today = timezone.localdate()
    case = open_case(everyone, organisation, team, manager=everyone.manager, head_of_service=everyone.hos)
    services.progression_case_submit(actor=everyone.manager, case=case)
    delegate_client = Client()
    delegate_client.force_login(everyone.other_hos)
    waiting = reverse("progression:case-waiting")
    assert everyone.practitioner.get_full_name() not in delegate_client.get(waiting).content.decode()

    client = Client()
    client.force_login(everyone.hos)
    page = reverse("progression:delegations")
    bad = client.post(page, {"delegate": everyone.other_hos.pk, "starts_on_0": today.day, "starts_on_1": today.month,
                             "starts_on_2": today.year, "ends_on_0": "31", "ends_on_1": "2", "ends_on_2": today.year,
                             "reason": "Annual leave"})
    assert bad.status_code == HTTPStatus.OK and "Annual leave" in bad.content.decode()  # nothing typed is lost
    ends = today + 3 * DAY
    response = client.post(page, {"delegate": everyone.other_hos.pk, "starts_on_0": today.day,
                                  "starts_on_1": today.month, "starts_on_2": today.year, "ends_on_0": ends.day,
                                  "ends_on_1": ends.month, "ends_on_2": ends.year, "reason": "Annual leave"})
    assert response.status_code == HTTPStatus.FOUND
    assert everyone.practitioner.get_full_name() in delegate_client.get(waiting).content.decode()
    assert "Annual leave" in client.get(page).content.decode()

    delegation = Delegation.objects.get()
    assert client.post(reverse("progression:delegation-withdraw", args=[delegation.pk])).status_code == HTTPStatus.FOUND
    assert everyone.practitioner.get_full_name() not in delegate_client.get(waiting).content.decode()


# Completion: two different people


@pytest.fixture
def due(organisation):
    return EnrolmentFactory(programme__organisation=organisation,
                            start_date=add_months(timezone.localdate(), -18) + datetime.timedelta(days=10))


def test_the_same_person_cannot_give_both_completion_confirmations(due, organisation):
    lead = person(organisation, Role.PROGRAMME_LEAD)
    first_line_manager = due.line_manager
    programme_services.completion_confirm(actor=first_line_manager, enrolment=due, confirmed=True,
                                          early_reason="Agreed at the final review.")
    # The line manager becomes the mentor too (a new line manager named), and tries to confirm again.
    Membership.objects.create(user=first_line_manager, organisation=organisation, role=Role.MENTOR)
    new_line_manager = person(organisation, Role.LINE_MANAGER)
    programme_services.enrolment_change_people(actor=lead, enrolment=due, mentor=first_line_manager,
                                               line_manager=new_line_manager, confirm_over_capacity=True)
    due.refresh_from_db()
    with pytest.raises(EnrolmentTransitionError, match="two different people"):
        programme_services.completion_confirm(actor=first_line_manager, enrolment=due, confirmed=True,
                                              early_reason="Agreed at the final review.")


def test_an_outcome_is_refused_when_the_mentor_is_also_the_line_manager(due, organisation):
    lead = person(organisation, Role.PROGRAMME_LEAD)
    Membership.objects.create(user=due.mentor, organisation=organisation, role=Role.LINE_MANAGER)
    due.line_manager = due.mentor
    due.save(update_fields=["line_manager"])
    programme_services.completion_confirm(actor=due.mentor, enrolment=due, confirmed=True,
                                          early_reason="Agreed at the final review.")
    with pytest.raises(EnrolmentTransitionError, match="mentor is also the line manager"):
        programme_services.completion_record_outcome(actor=lead, enrolment=due, outcome="Progressed to Level 2",
                                                     completed_on=timezone.localdate())


def test_the_case_history_says_whom_a_delegate_decided_for(everyone, organisation, team):
    today = timezone.localdate()
    case = open_case(everyone, organisation, team, manager=everyone.manager, head_of_service=everyone.hos)
    case = services.progression_case_submit(actor=everyone.manager, case=case)
    services.delegation_create(actor=everyone.hos, delegate=everyone.other_hos, starts_on=today, ends_on=today)
    services.progression_case_hos_decide(actor=everyone.other_hos, case=case, recommend=True)
    client = Client()
    client.force_login(everyone.manager)
    page = client.get(reverse("progression:case-detail", args=[case.pk])).content.decode()
    assert f"for {everyone.hos.get_full_name()}, who delegated their decisions" in page
