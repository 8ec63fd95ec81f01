"""Issue 5's table: "progression case outcome | returned, declined, signed off, done | line manager,
practitioner". Each outcome tells both, once, and the practitioner hears of a sign-off in words
that leave the news itself to their manager."""

from __future__ import annotations

import datetime

import pytest
from django.core import mail
from django.utils import timezone

from preceptorship.models import Notification
from progression import services
from progression.tests.factories import mark_required

pytestmark = pytest.mark.django_db


def _submitted(cast):
    case = cast.open_case()
    mark_required(case, cast.manager)
    return services.progression_case_submit(actor=cast.manager, case=case)


def _recommended(cast):
    return services.progression_case_hos_decide(actor=cast.hos, case=_submitted(cast), recommend=True)


def _returned_by_hos(cast):
    services.progression_case_hos_decide(actor=cast.hos, case=_submitted(cast), recommend=False, comment="Add K2.")
    return "progression_case_returned"


def _returned_by_od(cast):
    services.progression_case_od_decide(actor=cast.director, case=_recommended(cast), decision="return",
                                        comment="More on K3.")
    return "progression_case_returned"


def _declined(cast):
    services.progression_case_od_decide(actor=cast.director, case=_recommended(cast), decision="decline",
                                        comment="Not yet.")
    return "progression_case_declined"


def _signed_off(cast):
    services.progression_case_od_decide(actor=cast.director, case=_recommended(cast), decision="sign_off")
    return "progression_case_signed_off"


def _done(cast, confirmed_by="hr"):
    case = services.progression_case_od_decide(actor=cast.director, case=_recommended(cast), decision="sign_off")
    case = services.progression_case_hr_record(actor=cast.hr, case=case, hr_reference="PAY-1",
                                               effective_date=datetime.date(2026, 4, 1))
    case = services.progression_case_record_told(actor=cast.manager, case=case, told_on=timezone.localdate(),
                                                 told_by=cast.manager)
    services.progression_case_confirm(actor=getattr(cast, confirmed_by), case=case)
    return "progression_case_confirmed"


OUTCOMES = {
    "returned by the Head of Service": _returned_by_hos,
    "returned by the Operational Director": _returned_by_od,
    "declined": _declined,
    "signed off": _signed_off,
    "done (confirmed in writing)": _done,
}


@pytest.mark.parametrize("outcome", OUTCOMES.values(), ids=OUTCOMES.keys())
def test_each_outcome_tells_the_line_manager_and_the_practitioner_once(cast, outcome):
    kind = outcome(cast)
    told = list(Notification.objects.filter(kind=kind).values_list("recipient_id", flat=True))
    assert {cast.manager.pk, cast.practitioner.pk} <= set(told)
    assert len(told) == len(set(told))
    practitioner = Notification.objects.get(kind=kind, recipient=cast.practitioner)
    assert practitioner.url == f"/progression/cases/{practitioner.key.split(':')[2]}/"
    assert practitioner.essential


def test_the_practitioner_hears_of_the_sign_off_from_their_manager_first(cast, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        _signed_off(cast)
    notice = Notification.objects.get(kind="progression_case_signed_off", recipient=cast.practitioner)
    assert notice.subject == "Your progression case has been signed off"
    assert "Your manager will talk to you about it" in notice.body
    # The others keep their own wording, and each person gets one e-mail.
    manager = Notification.objects.get(kind="progression_case_signed_off", recipient=cast.manager)
    assert manager.subject == f"Progression case for {cast.practitioner} is signed off"
    to = [message.to[0] for message in mail.outbox if "signed off" in message.subject]
    assert sorted(to) == sorted({cast.practitioner.email, cast.manager.email, cast.hos.email, cast.hr.email})


def test_a_signed_off_practitioner_who_also_works_in_hr_is_told_once_in_their_own_words(cast):
    from preceptorship.models import Membership

    Membership.objects.create(user=cast.practitioner, organisation=cast.organisation, role=Membership.Role.HR)
    _signed_off(cast)
    notice = Notification.objects.get(kind="progression_case_signed_off", recipient=cast.practitioner)
    assert notice.subject == "Your progression case has been signed off"


def test_a_line_manager_who_produces_the_letter_is_not_told_of_their_own_step(cast):
    _done(cast, confirmed_by="manager")
    assert set(Notification.objects.filter(kind="progression_case_confirmed").values_list("recipient_id", flat=True)) \
        == {cast.practitioner.pk}
