"""Programme services (set up, change, close, delete) and the programmes demo."""

from __future__ import annotations

import datetime
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.core.management import call_command
from django.utils import timezone

from bench.demo import enrolments as demo
from preceptorship.models import AuditEntry, Membership, Profession, User
from preceptorship.tests.factories import person
from programmes import services
from programmes.models import CompletionConfirmation, Enrolment, Evaluation, Programme, ReviewMeeting, Transition
from programmes.services import TransitionError
from programmes.tests.factories import EnrolmentFactory, ProgrammeFactory

Role = Membership.Role
pytestmark = pytest.mark.django_db


@pytest.fixture
def lead(organisation):
    return person(organisation, Role.PROGRAMME_LEAD)


def _fields(organisation, **overrides):
    return {
        "name": "Physiotherapy preceptorship", "organisation": organisation,
        "transitions": [Transition.NEWLY_REGISTERED], "length_months": 12, "review_interval_months": 3,
        "protected_hours_per_month": Decimal("6"), "mentor_capacity": 2,
    } | overrides


def test_programme_create_sets_professions_and_audits(lead, organisation):
    physio = Profession.objects.get(slug="physiotherapy")
    programme = services.programme_create(actor=lead, professions=[physio], **_fields(organisation))
    assert list(programme.professions.all()) == [physio]
    assert programme.status == Programme.Status.OPEN
    entry = AuditEntry.objects.get(action="programme.create")
    assert entry.actor == lead


@pytest.mark.parametrize(
    ("overrides", "field"),
    [({"length_months": 0}, "length_months"), ({"length_months": 30000}, "length_months"), ({"review_interval_months": 24}, "review_interval_months"),
     ({"name": ""}, "name"), ({"mentor_capacity": 0}, "mentor_capacity")],
)
def test_programme_create_rejects_impossible_rules(lead, organisation, overrides, field):
    with pytest.raises(ValidationError) as error:
        services.programme_create(actor=lead, professions=[], **_fields(organisation, **overrides))
    assert field in error.value.message_dict
    assert not Programme.objects.exists()


def test_length_cannot_change_under_running_enrolments(lead, organisation):
    programme = ProgrammeFactory(organisation=organisation)
    EnrolmentFactory(programme=programme)
    with pytest.raises(ValidationError) as error:
        services.programme_update(actor=lead, programme=programme, length_months=12)
    assert "can no longer change" in error.value.message_dict["length_months"][0]
    services.programme_update(actor=lead, programme=programme, name="Renamed", length_months=18)
    programme.refresh_from_db()
    assert (programme.name, programme.length_months) == ("Renamed", 18)


def test_close_then_close_again_is_an_error(lead, organisation):
    programme = ProgrammeFactory(organisation=organisation)
    services.programme_close(actor=lead, programme=programme)
    with pytest.raises(TransitionError):
        services.programme_close(actor=lead, programme=programme)


def test_closed_programme_takes_no_new_enrolments(lead, organisation):
    programme = ProgrammeFactory(organisation=organisation)
    services.programme_close(actor=lead, programme=programme)
    with pytest.raises(TransitionError, match="closed to new enrolments"):
        services.enrolment_create(
            actor=lead, programme=programme, preceptee=person(organisation, Role.PRACTITIONER),
            start_date=timezone.localdate(), transition=Transition.NEWLY_REGISTERED,
            mentor=person(organisation, Role.MENTOR),
        )


def test_delete_only_without_enrolments(lead, organisation):
    kept = ProgrammeFactory(organisation=organisation)
    EnrolmentFactory(programme=kept, withdrawn=True)
    with pytest.raises(TransitionError, match="Close it instead"):
        services.programme_delete(actor=lead, programme=kept)
    empty = ProgrammeFactory(organisation=organisation)
    services.programme_delete(actor=lead, programme=empty)
    assert list(Programme.objects.all()) == [kept]


# The demo


def test_demo_shows_every_state_and_is_safe_to_run_twice():
    call_command("seed_demo", password="demo-password-2", stdout=open("/dev/null", "w"))  # noqa: SIM115
    counts = (Programme.objects.count(), Enrolment.objects.count(), Evaluation.objects.count())
    call_command("seed_demo", password="demo-password-2", stdout=open("/dev/null", "w"))  # noqa: SIM115
    assert (Programme.objects.count(), Enrolment.objects.count(), Evaluation.objects.count()) == counts

    def enrolment(email_start: str) -> Enrolment:
        return Enrolment.objects.get(preceptee__email__startswith=email_start)

    today = timezone.localdate()
    assert enrolment("ellie.turner").start_date > today - datetime.timedelta(days=31)
    assert enrolment("jordan.hayes").review_overdue(today) or enrolment("jordan.hayes").reviews_held
    assert services.completion_open(enrolment("chloe.adams"), today)
    done = enrolment("ben.carter")
    assert done.status == Enrolment.Status.COMPLETED and done.outcome == "Progressed to Level 2"
    assert done.confirmations.filter(confirmed=True).count() == 2
    assert Evaluation.objects.filter(enrolment=done).exists()
    assert enrolment("aisha.rahman").status == Enrolment.Status.PAUSED
    assert enrolment("luke.morgan").withdrawal_reason == Enrolment.WithdrawalReason.LEFT_ORGANISATION
    podiatry = enrolment("oliver.grant")
    assert podiatry.mentor.memberships.get().organisation != podiatry.organisation
    assert podiatry.programme.professions.count() > 1
    # Only completed preceptorships have confirmations: month 17 still waits for both answers.
    assert not CompletionConfirmation.objects.exclude(enrolment__status=Enrolment.Status.COMPLETED).exists()
    assert enrolment("aisha.rahman").extensions.exists()
    # The ended preceptorships keep what happened while they ran.
    assert done.reviews.filter(status=ReviewMeeting.Status.HELD).count() == 5 and done.goals.count() == 3
    assert enrolment("luke.morgan").reviews.exists() and enrolment("luke.morgan").goals.exists()
    assert ReviewMeeting.objects.filter(status=ReviewMeeting.Status.CANCELLED, enrolment=podiatry).exists()
    late = enrolment("chloe.adams")
    assert late.goals.filter(competencies__isnull=False).exists()
    assert late.reflections.filter(competencies__isnull=False, goals__isnull=False, shared_at__isnull=False).exists()
    # The names are fictional: no e-mail address outside the demo's example domains.
    assert not User.objects.exclude(email__endswith=".example").exists()


def test_demo_build_returns_every_enrolment_on_a_second_run():
    call_command("seed_demo", password="demo-password-3", stdout=open("/dev/null", "w"))  # noqa: SIM115
    from bench.demo import directory as directory_demo

    today = timezone.localdate()
    directory = directory_demo.build(password="demo-password-3", today=today)
    again = demo.build(directory=directory, today=today)
    assert set(again) >= {"preceptee_ot_new", "preceptee_ot_done", "preceptee_podiatry"}
