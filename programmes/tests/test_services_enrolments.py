"""Enrolment services: enrolling one person or a cohort, capacity, permitted mentors, and the
changes to a running enrolment (pause, resume, extend, withdraw, change of people)."""

from __future__ import annotations

import datetime

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from preceptorship.models import AuditEntry, Membership, Profession, User
from preceptorship.tests.factories import OrganisationFactory, person
from programmes import selectors, services
from programmes.models import Enrolment, Pause, Transition
from programmes.reporting import measures
from programmes.schedule import add_months
from programmes.services import OverCapacity, TransitionError
from programmes.tests.factories import EnrolmentFactory, ExtensionFactory, PauseFactory, ProgrammeFactory

Role = Membership.Role
pytestmark = pytest.mark.django_db
DAY = datetime.timedelta(days=1)


def _today() -> datetime.date:
    return timezone.localdate()


@pytest.fixture
def ot():
    return Profession.objects.get(slug="occupational-therapy")


@pytest.fixture
def cast(organisation, team, ot):
    return {
        "lead": person(organisation, Role.PROGRAMME_LEAD),
        "programme": ProgrammeFactory(organisation=organisation, mentor_capacity=2, professions=[ot]),
        "mentor": person(organisation, Role.MENTOR, profession=ot),
        "manager": person(organisation, Role.LINE_MANAGER, team=team),
        "people": [person(organisation, Role.PRACTITIONER, team=team, profession=ot) for _ in range(3)],
    }


def _enrol(cast, preceptees, **overrides):
    arguments = {
        "actor": cast["lead"], "programme": cast["programme"], "preceptees": preceptees, "start_date": _today(),
        "transition": Transition.NEWLY_REGISTERED, "mentor": cast["mentor"], "line_manager": cast["manager"],
    } | overrides
    return services.enrolment_cohort_create(**arguments)


def test_cohort_enrolment_derives_the_schedule_and_audits(cast, team):
    start = _today() - datetime.timedelta(days=40)
    enrolments = _enrol(cast, cast["people"][:2], start_date=start)
    assert len(enrolments) == 2
    for enrolment in enrolments:
        assert enrolment.team == team
        assert enrolment.next_review_due == add_months(start, 3)
        assert enrolment.completion_due == add_months(start, 18)
    assert AuditEntry.objects.filter(action="enrolment.create").count() == 2


def test_over_capacity_raises_with_the_numbers_and_writes_nothing(cast):
    EnrolmentFactory(mentor=cast["mentor"])
    with pytest.raises(OverCapacity) as over:
        _enrol(cast, cast["people"][:2])
    warning = over.value.warning
    assert (warning.current, warning.adding, warning.capacity) == (1, 2, 2)
    assert "makes 3, over their capacity of 2" in str(warning)
    assert not Enrolment.objects.filter(programme=cast["programme"]).exists()
    assert len(_enrol(cast, cast["people"][:2], confirm_over_capacity=True)) == 2


def test_capacity_is_the_lowest_of_the_mentors_programmes_everywhere(cast, organisation, ot):
    """One rule for the service, the mentor list and the dashboard: a mentor on a programme of
    capacity 2 is full at 2, even when the next preceptee joins a programme of capacity 6."""
    roomy = ProgrammeFactory(organisation=organisation, mentor_capacity=6, professions=[ot])
    EnrolmentFactory(programme=cast["programme"], mentor=cast["mentor"])
    EnrolmentFactory(programme=cast["programme"], mentor=cast["mentor"])
    with pytest.raises(OverCapacity) as over:
        _enrol(cast, cast["people"][:1], programme=roomy)
    assert (over.value.warning.current, over.value.warning.capacity) == (2, 2)
    listed = selectors.with_mentor_load(User.objects.filter(pk=cast["mentor"].pk)).get()
    shown = measures.mentors([organisation.pk]).get(user=cast["mentor"])
    assert (listed.current_load, listed.capacity) == (shown.load, shown.capacity) == (2, 2)
    idle = person(organisation, Role.MENTOR, profession=ot)
    assert services.capacity_warning(programme=roomy, mentor=idle, adding=6) is None  # the programme's own
    assert services.capacity_warning(programme=roomy, mentor=idle, adding=7).capacity == 6


def test_withdrawn_and_completed_enrolments_do_not_count_towards_capacity(cast):
    EnrolmentFactory(mentor=cast["mentor"], withdrawn=True)
    EnrolmentFactory(mentor=cast["mentor"], completed=True)
    assert len(_enrol(cast, cast["people"][:2])) == 2


def test_no_second_active_enrolment_on_the_same_programme(cast):
    _enrol(cast, cast["people"][:1])
    with pytest.raises(ValidationError) as error:
        _enrol(cast, cast["people"][:1])
    assert "already enrolled on this programme" in error.value.message_dict["preceptee"][0]


def test_a_withdrawn_person_can_be_enrolled_again(cast):
    EnrolmentFactory(programme=cast["programme"], preceptee=cast["people"][0], withdrawn=True)
    assert _enrol(cast, cast["people"][:1])


def test_a_cohort_with_one_problem_enrols_nobody(cast):
    _enrol(cast, cast["people"][:1])
    with pytest.raises(ValidationError) as error:
        _enrol(cast, cast["people"], confirm_over_capacity=True)
    assert len(error.value.message_dict["preceptees"]) == 1
    assert Enrolment.objects.count() == 1


def test_mentor_of_the_same_profession_in_another_organisation_of_the_ics(cast, other_organisation, ot):
    mentor = person(other_organisation, Role.MENTOR, profession=ot)
    (enrolment,) = _enrol(cast, cast["people"][:1], mentor=mentor)
    assert enrolment.mentor == mentor
    assert enrolment.organisation == cast["programme"].organisation


@pytest.mark.parametrize("where", ["other profession, same ICS", "same profession, other ICS", "not a mentor"])
def test_mentors_who_are_not_permitted(cast, other_organisation, where):
    physio = Profession.objects.get(slug="physiotherapy")
    ot = cast["people"][0].profession
    mentor = {
        "other profession, same ICS": lambda: person(other_organisation, Role.MENTOR, profession=physio),
        "same profession, other ICS": lambda: person(OrganisationFactory(), Role.MENTOR, profession=ot),
        "not a mentor": lambda: person(cast["programme"].organisation, Role.PRACTITIONER, profession=ot),
    }[where]()
    with pytest.raises(ValidationError) as error:
        _enrol(cast, cast["people"][:1], mentor=mentor)
    assert "is not a mentor in" in error.value.message_dict["mentor"][0]


def test_line_manager_must_manage_in_the_preceptees_organisation(cast, other_organisation):
    outsider = person(other_organisation, Role.LINE_MANAGER)
    with pytest.raises(ValidationError) as error:
        _enrol(cast, cast["people"][:1], line_manager=outsider)
    assert "is not a line manager in" in error.value.message_dict["line_manager"][0]


def test_someone_outside_the_programmes_organisations_cannot_be_enrolled(cast, other_organisation):
    stranger = person(other_organisation, Role.PRACTITIONER)
    with pytest.raises(ValidationError) as error:
        _enrol(cast, [stranger])
    assert "does not work for an organisation this programme serves" in error.value.message_dict["preceptee"][0]


def test_a_programme_open_to_the_ics_enrols_from_another_organisation(cast, other_organisation):
    cast["programme"].shared_with_ics = True
    cast["programme"].save()
    preceptee = person(other_organisation, Role.PRACTITIONER)
    manager = person(other_organisation, Role.LINE_MANAGER)
    mentor = person(other_organisation, Role.MENTOR)
    (enrolment,) = _enrol(cast, [preceptee], mentor=mentor, line_manager=manager)
    assert enrolment.organisation == other_organisation


@pytest.mark.parametrize("start", [datetime.date(2001, 1, 1), datetime.date(9999, 12, 31)])
def test_start_dates_far_in_the_past_or_future_are_refused(cast, start):
    with pytest.raises(ValidationError) as error:
        _enrol(cast, cast["people"][:1], start_date=start)
    assert "start_date" in error.value.message_dict


# Changes to a running enrolment


@pytest.fixture
def enrolment(cast):
    return EnrolmentFactory(
        programme=cast["programme"], preceptee=cast["people"][0], mentor=cast["mentor"],
        line_manager=cast["manager"], start_date=_today() - datetime.timedelta(days=60),
    )


def test_pause_moves_every_later_date_and_pauses_today(enrolment, cast):
    before_review, before_end = enrolment.next_review_due, enrolment.completion_due
    services.enrolment_pause(actor=cast["manager"], enrolment=enrolment, reason=Pause.Reason.SICKNESS,
                             start_date=_today() - 4 * DAY, end_date=_today() + 5 * DAY)
    enrolment.refresh_from_db()
    assert enrolment.status == Enrolment.Status.PAUSED
    assert enrolment.next_review_due == before_review + 10 * DAY
    assert enrolment.completion_due == before_end + 10 * DAY


def test_a_future_pause_keeps_the_enrolment_active(enrolment, cast):
    services.enrolment_pause(actor=cast["lead"], enrolment=enrolment, reason=Pause.Reason.MATERNITY,
                             start_date=_today() + 10 * DAY, end_date=_today() + 100 * DAY)
    enrolment.refresh_from_db()
    assert enrolment.status == Enrolment.Status.ACTIVE


@pytest.mark.parametrize(
    ("start", "end", "field"),
    [(5, 0, "end_date"), (-100, -90, "start_date"), (-10, 10, "start_date"), (0, 3000, "end_date"),
     (400, 410, "start_date")],
)
def test_pause_rules(enrolment, cast, start, end, field):
    PauseFactory(enrolment=enrolment, start_date=_today() - 20 * DAY, end_date=_today() - 5 * DAY)
    with pytest.raises(ValidationError) as error:
        services.enrolment_pause(actor=cast["lead"], enrolment=enrolment, reason=Pause.Reason.CARER,
                                 start_date=_today() + start * DAY, end_date=_today() + end * DAY)
    assert field in error.value.message_dict
    assert enrolment.pauses.count() == 1


def test_resume_ends_the_pause_yesterday(enrolment, cast):
    services.enrolment_pause(actor=cast["lead"], enrolment=enrolment, reason=Pause.Reason.SICKNESS,
                             start_date=_today() - 10 * DAY, end_date=_today() + 50 * DAY)
    services.enrolment_resume(actor=cast["lead"], enrolment=enrolment)
    enrolment.refresh_from_db()
    assert enrolment.status == Enrolment.Status.ACTIVE
    assert enrolment.completion_due == add_months(enrolment.start_date, 18) + 10 * DAY
    with pytest.raises(TransitionError, match="Only a paused enrolment"):
        services.enrolment_resume(actor=cast["lead"], enrolment=enrolment)


def test_extensions_add_up_and_move_only_the_end(enrolment, cast):
    ExtensionFactory(enrolment=enrolment, months=2)
    services.enrolment_extend(actor=cast["lead"], enrolment=enrolment, months=3, reason="Long sickness.")
    enrolment.refresh_from_db()
    assert enrolment.completion_due == add_months(enrolment.start_date, 23)
    assert enrolment.next_review_due == add_months(enrolment.start_date, 3)
    with pytest.raises(ValidationError):
        services.enrolment_extend(actor=cast["lead"], enrolment=enrolment, months=0, reason="")


def test_withdrawal_records_date_and_reason_and_is_final(enrolment, cast):
    with pytest.raises(ValidationError) as error:
        services.enrolment_withdraw(actor=cast["lead"], enrolment=enrolment, on=_today() + DAY,
                                    reason=Enrolment.WithdrawalReason.MOVED_ROLE)
    assert "on" in error.value.message_dict
    services.enrolment_withdraw(actor=cast["lead"], enrolment=enrolment, on=_today(),
                                reason=Enrolment.WithdrawalReason.MOVED_ROLE)
    enrolment.refresh_from_db()
    assert (enrolment.status, enrolment.next_review_due) == (Enrolment.Status.WITHDRAWN, None)
    with pytest.raises(TransitionError):
        services.enrolment_pause(actor=cast["lead"], enrolment=enrolment, reason=Pause.Reason.CARER,
                                 start_date=_today(), end_date=_today())


def test_change_of_mentor_checks_capacity_and_permission(enrolment, cast, organisation, other_organisation):
    busy = person(organisation, Role.MENTOR)
    EnrolmentFactory.create_batch(2, mentor=busy)
    with pytest.raises(OverCapacity):
        services.enrolment_change_people(actor=cast["lead"], enrolment=enrolment, mentor=busy,
                                         line_manager=cast["manager"])
    with pytest.raises(ValidationError):
        services.enrolment_change_people(actor=cast["lead"], enrolment=enrolment,
                                         mentor=person(other_organisation, Role.MENTOR), line_manager=None)
    services.enrolment_change_people(actor=cast["lead"], enrolment=enrolment, mentor=busy, line_manager=None,
                                     confirm_over_capacity=True)
    enrolment.refresh_from_db()
    assert (enrolment.mentor, enrolment.line_manager) == (busy, None)
    entry = AuditEntry.objects.get(action="enrolment.change_people")
    assert entry.before and entry.after
