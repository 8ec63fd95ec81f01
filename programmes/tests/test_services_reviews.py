"""Review meetings through the services: recording, correcting for 7 days, addenda, acknowledging,
meetings not held."""

from __future__ import annotations

import datetime

import pytest
from django.core.exceptions import ValidationError
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from preceptorship.models import AuditEntry, Notification
from programmes import services
from programmes.models import Enrolment, GoalUpdate, ReviewAction, ReviewMeeting
from programmes.schedule import add_months
from programmes.services import ActionItem, TransitionError
from programmes.tests.factories import PauseFactory
from programmes.tests.factories_practice import GoalFactory, ReviewFactory, make_cast

pytestmark = pytest.mark.django_db


@pytest.fixture
def cast(organisation, other_organisation):
    return make_cast(organisation, other_organisation)


def record(cast, today: datetime.date, **changes):
    values = {
        "actor": cast.mentor, "enrolment": cast.enrolment, "held_on": today - datetime.timedelta(days=2),
        "discussion": "Caseload, supervision and a difficult discharge.", "wellbeing": 4, "confidence": 3,
    }
    return services.review_record(**{**values, **changes})


def test_recording_a_meeting_moves_the_schedule_on_and_tells_the_preceptee(cast, today):
    goal = GoalFactory(enrolment=cast.enrolment)
    review = record(
        cast, today, attended_line_manager=True, attended_others="Practice educator", protected_time_received="partly",
        goal_progress={goal.pk: "Two of three assessments done."},
        actions=[ActionItem("Book moving and handling refresher", "preceptee", today + datetime.timedelta(days=30))],
    )
    enrolment = Enrolment.objects.get(pk=cast.enrolment.pk)
    assert (review.number, review.status, enrolment.reviews_held) == (1, ReviewMeeting.Status.HELD, 1)
    # The next meeting is planned the programme's interval (3 months) after the day this one was held.
    assert review.next_meeting_on == add_months(review.held_on, 3) == enrolment.next_review_due
    assert GoalUpdate.objects.get(goal=goal).review == review
    assert ReviewAction.objects.get(review=review).owner == "preceptee"
    assert Notification.objects.filter(recipient=cast.preceptee, kind="review_recorded").count() == 1
    assert AuditEntry.objects.filter(action="review.record", object_id=str(review.pk)).exists()


def test_a_chosen_next_meeting_date_becomes_the_next_review_due(cast, today):
    chosen = today + datetime.timedelta(days=40)
    record(cast, today, next_meeting_on=chosen)
    assert Enrolment.objects.get(pk=cast.enrolment.pk).next_review_due == chosen


@pytest.mark.parametrize(("changes", "field"), [
    (lambda today: {"held_on": today + datetime.timedelta(days=1)}, "held_on"),
    (lambda today: {"held_on": today - datetime.timedelta(days=400)}, "held_on"),
    (lambda today: {"wellbeing": 6}, "wellbeing"),
    (lambda today: {"confidence": 0}, "confidence"),
    (lambda today: {"next_meeting_on": today - datetime.timedelta(days=5)}, "next_meeting_on"),
])
def test_bad_meetings_are_refused_beside_the_field(cast, changes, field, today):
    with pytest.raises(ValidationError) as caught:
        record(cast, today, **changes(today))
    assert field in caught.value.message_dict
    assert not ReviewMeeting.objects.exists()


def test_no_review_for_a_withdrawn_enrolment(cast, today):
    Enrolment.objects.filter(pk=cast.enrolment.pk).update(
        status=Enrolment.Status.WITHDRAWN, withdrawn_on=today, withdrawal_reason="other"
    )
    with pytest.raises(TransitionError):
        record(cast, today)


def test_the_mentor_corrects_within_seven_days_then_only_adds_addenda(cast, today):
    review = record(cast, today)
    services.review_correct(actor=cast.mentor, review=review, discussion="Corrected discussion", wellbeing=5)
    review.refresh_from_db()
    assert (review.discussion, review.wellbeing) == ("Corrected discussion", 5)
    with pytest.raises(TransitionError):
        services.review_add_addendum(actor=cast.mentor, review=review, text="Too early")

    ReviewMeeting.objects.filter(pk=review.pk).update(recorded_at=timezone.now() - datetime.timedelta(days=8))
    with pytest.raises(TransitionError, match="locked"):
        services.review_correct(actor=cast.mentor, review=review, discussion="Rewritten")
    addendum = services.review_add_addendum(actor=cast.mentor, review=review, text="The date of the visit was 3rd.")
    assert review.addenda.get() == addendum
    assert ReviewMeeting.objects.get(pk=review.pk).discussion == "Corrected discussion"
    with pytest.raises(ValidationError):
        services.review_add_addendum(actor=cast.mentor, review=review, text="   ")


def test_a_correction_cannot_break_the_rules_either(cast, today):
    review = record(cast, today)
    with pytest.raises(ValidationError) as caught:
        services.review_correct(actor=cast.mentor, review=review, held_on=today + datetime.timedelta(days=3))
    assert "held_on" in caught.value.message_dict
    with pytest.raises(ValueError, match="cannot be corrected"):
        services.review_correct(actor=cast.mentor, review=review, number=4)


def test_the_preceptee_acknowledges_once_with_a_comment(cast, today):
    review = record(cast, today)
    asked = Notification.objects.get(recipient=cast.preceptee, kind="review_recorded")
    assert asked.read_at is None
    services.review_acknowledge(actor=cast.preceptee, review=review, comment="I would add the OT forum.")
    asked.refresh_from_db()
    assert asked.read_at is not None  # the to-do is done: it leaves the list
    review.refresh_from_db()
    assert review.acknowledged_at is not None and review.preceptee_comment == "I would add the OT forum."
    with pytest.raises(TransitionError, match="already acknowledged"):
        services.review_acknowledge(actor=cast.preceptee, review=review)


def test_a_meeting_not_held_records_why_and_the_new_date(cast, today):
    new_date = today + datetime.timedelta(days=14)
    review = services.review_mark_not_held(
        actor=cast.mentor, enrolment=cast.enrolment, status="cancelled", reason="Mentor off sick", new_date=new_date
    )
    enrolment = Enrolment.objects.get(pk=cast.enrolment.pk)
    assert (review.status, review.number, enrolment.reviews_held) == ("cancelled", 1, 0)
    assert enrolment.next_review_due == new_date
    # The meeting itself, once held, is still review 1.
    assert record(cast, today).number == 1
    with pytest.raises(TransitionError):
        services.review_acknowledge(actor=cast.preceptee, review=review)


@pytest.mark.parametrize(("changes", "field"), [
    (lambda today: {"reason": " "}, "reason"),
    (lambda today: {"new_date": today - datetime.timedelta(days=1)}, "new_date"),
    (lambda today: {"status": "held"}, "status"),
])
def test_a_meeting_not_held_needs_a_reason_a_future_date_and_a_status(cast, today, changes, field):
    values = {"status": "missed", "reason": "Preceptee on a course", "new_date": today}
    with pytest.raises(ValidationError) as caught:
        services.review_mark_not_held(actor=cast.mentor, enrolment=cast.enrolment, **{**values, **changes(today)})
    assert field in caught.value.message_dict


def test_the_lock_is_seven_days_after_recording(cast):
    review = ReviewFactory(enrolment=cast.enrolment)
    assert not review.is_locked()
    assert review.is_locked(timezone.now() + datetime.timedelta(days=7, seconds=1))


def test_behind_the_schedule_the_next_meeting_is_planned_from_the_day_held(cast, today):
    enrolment = cast.enrolment
    enrolment.start_date = add_months(today, -8)  # reviews 1 (month 3) and 2 (month 6) not held
    enrolment.save()
    assert services.default_next_meeting(enrolment, after_number=1) == add_months(today, 3)
    review = record(cast, today)
    enrolment.refresh_from_db()
    # Held two days ago: month 11 of 18, not month 6's date already gone nor month 9's crowding it.
    assert review.number == 1 and review.next_meeting_on == add_months(review.held_on, 3) == enrolment.next_review_due
    assert not enrolment.review_overdue(today), "a meeting just held is not followed at once by one overdue"


def test_the_next_meeting_never_falls_after_the_completion_and_moves_for_a_pause_in_between(cast, today):
    enrolment = cast.enrolment
    enrolment.start_date = add_months(today, -17)  # completion due in a month, one review still to come
    enrolment.reviews_held = 4
    enrolment.save()
    completion = add_months(enrolment.start_date, 18)
    assert services.default_next_meeting(enrolment, after_number=5, held_on=today) == completion
    # A pause booked after the meeting moves the planned date by its length.
    enrolment.start_date = add_months(today, -6)
    enrolment.save()
    PauseFactory(enrolment=enrolment, start_date=today + datetime.timedelta(days=10),
                 end_date=today + datetime.timedelta(days=19))
    assert services.default_next_meeting(enrolment, after_number=2, held_on=today) == (
        add_months(today, 3) + datetime.timedelta(days=10))


def test_an_action_due_before_the_meeting_is_refused_beside_its_date(cast, today):
    held = today - datetime.timedelta(days=2)
    with pytest.raises(ValidationError) as caught:
        record(cast, today, held_on=held, actions=[
            ActionItem("Read the discharge policy", "preceptee", today, row=1),
            ActionItem("Book a shadowing day", "mentor", held - datetime.timedelta(days=1), row=3),
        ])
    assert caught.value.message_dict == {
        "action_3_due": [f"Action 3 must be due on or after the meeting ({held:%-d %B %Y})"]}
    assert not ReviewMeeting.objects.exists() and not ReviewAction.objects.exists()
    assert Enrolment.objects.get(pk=cast.enrolment.pk).reviews_held == 0


def test_the_record_form_behind_the_schedule_saves_with_its_own_default(cast, today):
    enrolment = cast.enrolment
    enrolment.start_date = add_months(today, -8)
    enrolment.save()
    client = Client()
    client.force_login(cast.mentor)
    url = reverse("programmes:review-record", args=[enrolment.pk])
    form = client.get(url).context["form"]
    default = form["next_meeting_on"].value()
    assert default == add_months(today, 3)
    assert form["attended"].value() in (None, []), "nobody is ticked as present until the mentor says so"
    response = client.post(url, {
        "held_on_0": today.day, "held_on_1": today.month, "held_on_2": today.year, "attended": ["preceptee", "mentor"],
        "discussion": "Catching up.", "wellbeing": "3", "confidence": "3",
        "next_meeting_on_0": default.day, "next_meeting_on_1": default.month, "next_meeting_on_2": default.year,
    })
    assert response.status_code == 302
