"""Offering preceptorship to all (programmes/offer.py, programmes/services/offer.py): who should be
offered preceptorship and why, who is left out, marking a transition, declining and undoing it."""

from __future__ import annotations

import datetime
from typing import Any

import pytest
from django.core.exceptions import ValidationError

from preceptorship.errors import TransitionError
from preceptorship.models import AuditEntry, Membership
from preceptorship.tests.factories import TeamFactory, person, profession
from programmes import offer, services
from programmes.models import Enrolment, OfferDecline, OfferPerson, Transition, TransitionMark
from programmes.reporting.offer import preceptorship_offer
from programmes.reporting.period import Period
from programmes.schedule import add_months
from programmes.tests.factories import EnrolmentFactory, ProgrammeFactory
from programmes.tests.factories_reports import rebuild_figures

Role = Membership.Role
pytestmark = pytest.mark.django_db


def practitioner(organisation: Any, team: Any = None, *, registered: datetime.date | None = None,
                 started: datetime.date | None = None, slug: str = "occupational-therapy", **fields: Any) -> Any:
    return person(organisation, Role.PRACTITIONER, team=team, profession=profession(slug),
                  first_registered_on=registered, started_in_post_on=started, **fields)


def place(user: Any, organisation: Any) -> OfferPerson:
    return OfferPerson.objects.select_related("user", "organisation").get(
        user=user, organisation=organisation, role=Role.PRACTITIONER)


def listed(viewer: Any, today: datetime.date) -> dict[str, set[str]]:
    """Each listed person's last name, with the reasons that hold."""
    rows = list(offer.waiting(viewer, today).select_related("user"))
    marks = offer.marks_for(rows)
    return {row.user.last_name: {r.value for r in offer.reasons_of(row, marks.get((row.user_id, row.organisation_id), []))}
            for row in rows}


@pytest.fixture
def lead(organisation: Any) -> Any:
    return person(organisation, Role.PROGRAMME_LEAD, last_name="Leadbetter")


class TestWhoIsListed:
    def test_newly_registered_from_the_staff_record(self, organisation: Any, lead: Any, today: datetime.date) -> None:
        practitioner(organisation, registered=today - datetime.timedelta(days=40), last_name="Newly")
        practitioner(organisation, registered=add_months(today, -13), last_name="Seasoned")
        practitioner(organisation, registered=today + datetime.timedelta(days=5), last_name="Future")
        assert listed(lead, today) == {"Newly": {Transition.NEWLY_REGISTERED}}

    def test_new_in_post_from_the_staff_record(self, organisation: Any, lead: Any, today: datetime.date) -> None:
        practitioner(organisation, registered=add_months(today, -60), started=add_months(today, -2), last_name="Mover")
        practitioner(organisation, started=add_months(today, -7), last_name="Settled")
        assert listed(lead, today) == {"Mover": {offer.NEW_IN_POST}}

    @pytest.mark.parametrize("transition", TransitionMark.MARKABLE)
    def test_marked_transitions_say_who_marked_them(self, transition: str, organisation: Any, lead: Any,
                                                    today: datetime.date) -> None:
        returner = practitioner(organisation, registered=add_months(today, -80), last_name="Marked")
        assert listed(lead, today) == {}
        services.transition_mark_record(actor=lead, person=place(returner, organisation), transition=transition)
        assert listed(lead, today) == {"Marked": {transition}}
        row = offer.waiting(lead, today).select_related("user").get()
        reasons = offer.reasons_of(row, offer.marks_for([row])[(row.user_id, row.organisation_id)])
        assert reasons[0].how.startswith("Marked by") and "Leadbetter" in reasons[0].how
        assert AuditEntry.objects.filter(action="offer.mark_transition", subject=returner).exists()

    def test_line_manager_sees_only_their_team(self, organisation: Any, today: datetime.date) -> None:
        mine, theirs = TeamFactory(organisation=organisation), TeamFactory(organisation=organisation)
        manager = person(organisation, Role.LINE_MANAGER, team=mine)
        practitioner(organisation, mine, registered=today, last_name="Mine")
        practitioner(organisation, theirs, registered=today, last_name="Theirs")
        practitioner(organisation, None, registered=today, last_name="Teamless")
        assert set(listed(manager, today)) == {"Mine"}


class TestWhoIsLeftOut:
    def test_enrolled_completed_declined_unregistered_and_elsewhere(
        self, organisation: Any, other_organisation: Any, lead: Any, today: datetime.date,
    ) -> None:
        recent = today - datetime.timedelta(days=30)
        practitioner(organisation, registered=recent, last_name="Waiting")
        enrolled = practitioner(organisation, registered=recent, last_name="Enrolled")
        EnrolmentFactory(programme=ProgrammeFactory(organisation=organisation), organisation=organisation,
                         preceptee=enrolled)
        completed = practitioner(organisation, registered=recent, last_name="Completed")
        EnrolmentFactory(programme=ProgrammeFactory(organisation=organisation), organisation=organisation,
                         preceptee=completed, completed=True)
        declined = practitioner(organisation, registered=recent, last_name="Declined")
        services.offer_decline(actor=lead, person=place(declined, organisation), reason="Has a mentor elsewhere")
        practitioner(organisation, registered=recent, slug="ahp-support-worker", last_name="Support")
        person(organisation, Role.PRACTITIONER, first_registered_on=recent, last_name="NoProfession")
        practitioner(other_organisation, registered=recent, last_name="Elsewhere")
        assert set(listed(lead, today)) == {"Waiting"}
        assert offer.waiting_count(offer.lead_organisation_ids(lead), today) == 1  # the dashboard's count leaves out the same people

    def test_withdrawn_is_offered_again_and_a_completed_other_transition_does_not_count(
        self, organisation: Any, lead: Any, today: datetime.date,
    ) -> None:
        withdrawn = practitioner(organisation, registered=today - datetime.timedelta(days=30), last_name="Withdrawn")
        EnrolmentFactory(programme=ProgrammeFactory(organisation=organisation), organisation=organisation,
                         preceptee=withdrawn, withdrawn=True)
        returner = practitioner(organisation, registered=add_months(today, -100), last_name="Returner")
        EnrolmentFactory(programme=ProgrammeFactory(organisation=organisation), organisation=organisation,
                         preceptee=returner, completed=True, start_date=add_months(today, -30))
        services.transition_mark_record(actor=lead, person=place(returner, organisation),
                                        transition=Transition.RETURN_TO_PRACTICE)
        recruited = practitioner(organisation, registered=add_months(today, -100), last_name="Recruited")
        EnrolmentFactory(programme=ProgrammeFactory(organisation=organisation), organisation=organisation,
                         preceptee=recruited, completed=True, start_date=add_months(today, -30),
                         transition=Transition.INTERNATIONAL)
        services.transition_mark_record(actor=lead, person=place(recruited, organisation),
                                        transition=Transition.INTERNATIONAL)
        assert set(listed(lead, today)) == {"Withdrawn", "Returner"}
        assert offer.waiting_count(offer.lead_organisation_ids(lead), today) == 2

    def test_the_dashboard_count_is_the_leads_list(self, organisation: Any, lead: Any, today: datetime.date) -> None:
        for n in range(3):
            practitioner(organisation, registered=today, last_name=f"New{n}")
        assert offer.waiting_count(offer.lead_organisation_ids(lead), today) == 3
        manager = person(organisation, Role.LINE_MANAGER, team=TeamFactory(organisation=organisation))
        assert offer.waiting_count(offer.lead_organisation_ids(manager), today) == 0  # the count is the lead's


class TestDecline:
    def test_decline_is_recorded_audited_and_undone(self, organisation: Any, lead: Any, today: datetime.date) -> None:
        someone = practitioner(organisation, registered=today, last_name="Someone")
        decline = services.offer_decline(actor=lead, person=place(someone, organisation),
                                         reason="  Prefers the university's alumni scheme  ")
        assert decline.reason == "Prefers the university's alumni scheme" and decline.declined_on == today
        assert listed(lead, today) == {}
        entry = AuditEntry.objects.get(action="offer.decline")
        assert entry.subject_id == someone.pk and entry.organisation_id == organisation.pk
        assert "alumni" not in entry.summary  # the reason stays on the record
        with pytest.raises(TransitionError):
            services.offer_decline(actor=lead, person=place(someone, organisation), reason="Again")

        services.offer_decline_undo(actor=lead, decline=decline)
        assert set(listed(lead, today)) == {"Someone"}
        decline.refresh_from_db()
        assert decline.undone_by == lead and not decline.standing
        assert AuditEntry.objects.filter(action="offer.decline_undo", subject=someone).exists()
        with pytest.raises(TransitionError):
            services.offer_decline_undo(actor=lead, decline=decline)
        # Declined again after the undo: a second record, the first kept.
        services.offer_decline(actor=lead, person=place(someone, organisation), reason="Changed their mind")
        assert OfferDecline.objects.filter(person=someone).count() == 2

    @pytest.mark.parametrize(("fields", "field"), [
        ({"reason": "   "}, "reason"),
        ({"reason": "x" * 2001}, "reason"),
        ({"reason": "Fine", "declined_on": datetime.date(2100, 1, 1)}, "declined_on"),
    ])
    def test_bad_input_is_named_by_field(self, fields: dict, field: str, organisation: Any, lead: Any,
                                         today: datetime.date) -> None:
        someone = practitioner(organisation, registered=today)
        with pytest.raises(ValidationError) as raised:
            services.offer_decline(actor=lead, person=place(someone, organisation), **fields)
        assert field in raised.value.message_dict
        assert not OfferDecline.objects.exists()

    def test_a_mark_only_once_and_only_of_the_markable(self, organisation: Any, lead: Any,
                                                        today: datetime.date) -> None:
        someone = practitioner(organisation)
        services.transition_mark_record(actor=lead, person=place(someone, organisation),
                                        transition=Transition.INTERNATIONAL)
        for transition in (Transition.INTERNATIONAL, Transition.NEWLY_REGISTERED, "nonsense"):
            with pytest.raises(ValidationError) as raised:
                services.transition_mark_record(actor=lead, person=place(someone, organisation), transition=transition)
            assert "transition" in raised.value.message_dict
        mark = TransitionMark.objects.get()
        services.transition_mark_remove(actor=lead, mark=mark)
        assert not TransitionMark.objects.exists()
        assert AuditEntry.objects.filter(action="offer.unmark_transition", subject=someone).exists()

    def test_enrolment_takes_them_off_the_list(self, organisation: Any, lead: Any, today: datetime.date) -> None:
        someone = practitioner(organisation, registered=today)
        programme = ProgrammeFactory(organisation=organisation, professions=[profession()])
        mentor = person(organisation, Role.MENTOR)
        services.enrolment_create(actor=lead, programme=programme, preceptee=someone, start_date=today,
                                  transition=Transition.NEWLY_REGISTERED, mentor=mentor)
        assert Enrolment.objects.filter(preceptee=someone).exists()
        assert listed(lead, today) == {}


def test_the_list_agrees_with_the_offer_figure(organisation: Any, lead: Any, today: datetime.date) -> None:
    """The ICS dashboard's "offered to all, some or none" (programmes/reporting/offer.py) counts the
    newly registered AHPs and those with an enrolment: without withdrawals or declines, those not
    offered are the people this list shows as newly registered."""
    for days in (30, 60, 90, 120, 150):
        practitioner(organisation, registered=today - datetime.timedelta(days=days), last_name=f"New{days}")
    programme = ProgrammeFactory(organisation=organisation)
    EnrolmentFactory(programme=programme, organisation=organisation,
                     preceptee=Membership.objects.get(user__last_name="New30").user)
    EnrolmentFactory(programme=programme, organisation=organisation, completed=True,
                     preceptee=Membership.objects.get(user__last_name="New60").user)
    practitioner(organisation, registered=add_months(today, -30), last_name="Longago")
    rebuild_figures(today)
    [row] = preceptorship_offer([organisation.pk], Period.last_months(12, today))
    waiting = [name for name, reasons in listed(lead, today).items() if Transition.NEWLY_REGISTERED in reasons]
    assert (row.newly_registered.value, row.offered.value) == (5, 2)
    assert len(waiting) == row.newly_registered.value - row.offered.value == 3
    assert row.offer == "some"
