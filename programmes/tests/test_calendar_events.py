"""A review meeting people were invited to is withdrawn from their calendars when it is off.

Pausing (when it moves the meeting), withdrawing and completing an enrolment send each person who
received the invitation one cancellation of the same event; the next invitation puts it back."""

from __future__ import annotations

import datetime

import pytest
from django.core import mail
from django.utils import timezone
from icalendar import Calendar

from preceptorship import reminders
from preceptorship.models import Notification
from programmes import services
from programmes.calendar_events import review_invitations_cancel, review_invitations_restore
from programmes.models import Enrolment
from programmes.tests.factories import CompletionConfirmationFactory, EnrolmentFactory, ProgrammeFactory

pytestmark = pytest.mark.django_db
DAY = datetime.timedelta(days=1)


@pytest.fixture
def send(django_capture_on_commit_callbacks):
    """Run a block and deliver what it recorded, as the worker would once the transaction commits."""
    return lambda: django_capture_on_commit_callbacks(execute=True)


@pytest.fixture
def invited(organisation, send):
    """An enrolment whose preceptee, mentor and line manager were sent the invitation to review 1, 14 days
    ahead.

    Review 1 (three months from the start) is 14 to 17 days from today, by the months' lengths: never
    sooner, so a pause from today ends before the reminder for the moved date is due."""
    today = timezone.localdate()
    e = EnrolmentFactory(programme=ProgrammeFactory(organisation=organisation, name="Physiotherapy preceptorship"),
                         start_date=today - 75 * DAY)
    Enrolment.objects.filter(pk=e.pk).update(updated_at=timezone.now() - datetime.timedelta(hours=1))
    with send():
        reminders.sweep(today=e.next_review_due - 14 * DAY)
    e.refresh_from_db()
    mail.outbox.clear()
    return e


def events(kind, **filters):
    """{recipient id: (calendar method, the event)} of the delivered notifications of this kind."""
    found = {}
    for n in Notification.objects.filter(kind=kind, status=Notification.Status.SENT, **filters).order_by("pk"):
        calendar = Calendar.from_ical(n.ics)
        found[n.recipient_id] = (str(calendar["method"]), calendar.walk("VEVENT")[0])
    return found


def three(e):
    """The people at a review: it is a three-way meeting."""
    return {e.preceptee_id, e.mentor_id, e.line_manager_id}


def calendar_parts(message):
    return [(content, mimetype) for content, mimetype in message.alternatives if mimetype.startswith("text/calendar")]


def test_withdrawing_cancels_the_invitation_for_the_three_people_once(invited, send, client):
    invitation = events("review_due_soon")
    assert set(invitation) == three(invited)
    attendees = {str(a) for a in invitation[invited.mentor_id][1]["attendee"]}
    assert attendees == {f"mailto:{who.email}" for who in (invited.preceptee, invited.mentor, invited.line_manager)}
    with send():
        services.enrolment_withdraw(actor=invited.mentor, enrolment=invited, on=timezone.localdate(),
                                    reason=Enrolment.WithdrawalReason.LEFT_ORGANISATION)
    cancelled = events("review_cancelled")
    assert set(cancelled) == three(invited)
    for who, (method, event) in cancelled.items():
        sent = invitation[who][1]
        assert method == "CANCEL" and event["status"] == "CANCELLED"
        assert event["uid"] == sent["uid"] and event.decoded("dtstart") == sent.decoded("dtstart")
        assert event["sequence"] > sent["sequence"]
    # One e-mail each, carrying the cancellation as a calendar part, with the same UID.
    assert sorted(m.to[0] for m in mail.outbox) == sorted(
        [invited.preceptee.email, invited.mentor.email, invited.line_manager.email])
    for message in mail.outbox:
        [(ics, mimetype)] = calendar_parts(message)
        assert mimetype == "text/calendar; method=CANCEL"
        assert "METHOD:CANCEL" in ics and f"UID:{invitation[invited.mentor_id][1]['uid']}" in ics
        assert "removes the meeting from your calendar" in message.body
        assert "removes the meeting from your calendar" in message.alternatives[0][0]
        assert "puts the date in your calendar" not in message.body
        assert "will not take place on this day" in ics.replace("\r\n ", "")
    preceptee = Notification.objects.get(kind="review_cancelled", recipient=invited.preceptee)
    assert preceptee.body.startswith("Your preceptorship (Physiotherapy preceptorship) has ended early")
    assert preceptee.url == invited.get_absolute_url()
    for notification in Notification.objects.filter(kind="review_cancelled"):
        client.force_login(notification.recipient)
        assert client.get(notification.url).status_code == 200  # the ended enrolment is still theirs to see
    # Asking again sends nothing more.
    with send():
        assert review_invitations_cancel(enrolment=invited) == 0
    assert len(mail.outbox) == 3


def test_completing_cancels_the_invitation(invited, send):
    CompletionConfirmationFactory(enrolment=invited)
    CompletionConfirmationFactory(enrolment=invited, role="line_manager")
    with send():
        services.completion_record_outcome(actor=invited.mentor, enrolment=invited, outcome="Progressed to Level 2",
                                           completed_on=timezone.localdate())
    cancelled = events("review_cancelled")
    assert set(cancelled) == three(invited)
    assert {method for method, _ in cancelled.values()} == {"CANCEL"}
    mentor = Notification.objects.get(kind="review_cancelled", recipient=invited.mentor)
    assert mentor.body.startswith(f"{invited.preceptee}'s preceptorship (Physiotherapy preceptorship) is complete")


def test_a_pause_from_today_cancels_it_and_the_next_reminder_puts_the_moved_meeting_back(invited, send, monkeypatch):
    today = timezone.localdate()
    sent = events("review_due_soon")[invited.mentor_id][1]
    with send():
        services.enrolment_pause(actor=invited.mentor, enrolment=invited, reason="sickness", start_date=today,
                                 end_date=today + 27 * DAY)
    invited.refresh_from_db()
    assert invited.status == Enrolment.Status.PAUSED
    method, cancel = events("review_cancelled")[invited.mentor_id]
    assert method == "CANCEL" and cancel["uid"] == sent["uid"]
    assert cancel.decoded("dtstart") == sent.decoded("dtstart")  # the date that is off
    assert "is paused" in Notification.objects.get(kind="review_cancelled", recipient=invited.mentor).body
    # Back from leave: the reminder before the new date carries the same event, with a higher SEQUENCE
    # than the cancellation, so calendars show the meeting again on its new date.
    back = datetime.datetime.combine(today + 28 * DAY, datetime.time(9), tzinfo=timezone.get_default_timezone())
    monkeypatch.setattr(timezone, "now", lambda: back)
    services.enrolment_resume(actor=invited.mentor, enrolment=invited)
    invited.refresh_from_db()
    assert invited.next_review_due == sent.decoded("dtstart") + 28 * DAY
    with send():
        reminders.sweep(today=invited.next_review_due - 14 * DAY)
    method, again = events("review_due_soon", due_on=invited.next_review_due)[invited.mentor_id]
    assert method == "REQUEST" and again["uid"] == sent["uid"]
    assert again.decoded("dtstart") == invited.next_review_due
    assert again["sequence"] > cancel["sequence"] > sent["sequence"]


def test_a_pause_ahead_that_moves_the_meeting_cancels_the_old_date(invited, send):
    today = timezone.localdate()
    old = invited.next_review_due
    with send():
        services.enrolment_pause(actor=invited.mentor, enrolment=invited, reason="sickness",
                                 start_date=today + 2 * DAY, end_date=today + 8 * DAY)
    invited.refresh_from_db()
    assert invited.status == Enrolment.Status.ACTIVE and invited.next_review_due == old + 7 * DAY
    cancelled = events("review_cancelled")
    assert set(cancelled) == three(invited)
    assert {event.decoded("dtstart") for _, event in cancelled.values()} == {old}
    body = Notification.objects.get(kind="review_cancelled", recipient=invited.preceptee).body
    assert f"moves review meeting 1 to {invited.next_review_due:%A %-d %B %Y}" in body
    # A second pause before any new invitation sends nothing more: the old date is already withdrawn.
    with send():
        services.enrolment_pause(actor=invited.mentor, enrolment=invited, reason="sickness",
                                 start_date=today + 10 * DAY, end_date=today + 11 * DAY)
    assert Notification.objects.filter(kind="review_cancelled").count() == 3


def test_a_pause_after_the_meeting_leaves_the_invitation_alone(invited, send):
    today = timezone.localdate()
    with send():
        services.enrolment_pause(actor=invited.mentor, enrolment=invited, reason="sickness",
                                 start_date=today + 40 * DAY, end_date=today + 50 * DAY)
    assert not Notification.objects.filter(kind="review_cancelled").exists()
    assert mail.outbox == []


def test_no_cancellation_for_an_enrolment_nobody_was_invited_for(organisation, send):
    e = EnrolmentFactory(programme=ProgrammeFactory(organisation=organisation))
    with send():
        services.enrolment_withdraw(actor=e.mentor, enrolment=e, on=timezone.localdate(),
                                    reason=Enrolment.WithdrawalReason.MOVED_ROLE)
    assert not Notification.objects.filter(kind="review_cancelled").exists()
    assert mail.outbox == []


def test_only_people_who_received_the_invitation_get_the_cancellation(organisation, send):
    today = timezone.localdate()
    e = EnrolmentFactory(programme=ProgrammeFactory(organisation=organisation), start_date=today - 76 * DAY)
    e.preceptee.email_reminders = False  # the reminder, and so its invitation, was not e-mailed to them
    e.preceptee.save(update_fields=["email_reminders"])
    with send():
        reminders.sweep(today=e.next_review_due - 14 * DAY)
    assert Notification.objects.get(kind="review_due_soon", recipient=e.preceptee).status == "skipped"
    with send():
        services.enrolment_withdraw(actor=e.mentor, enrolment=e, on=today,
                                    reason=Enrolment.WithdrawalReason.MOVED_ROLE)
    assert set(Notification.objects.filter(kind="review_cancelled").values_list("recipient_id", flat=True)) == {
        e.mentor_id, e.line_manager_id
    }


def test_a_cancellation_goes_even_to_someone_who_has_since_turned_reminder_e_mails_off(invited, send):
    invited.mentor.email_reminders = False
    invited.mentor.save(update_fields=["email_reminders"])
    with send():
        services.enrolment_withdraw(actor=invited.mentor, enrolment=invited, on=timezone.localdate(),
                                    reason=Enrolment.WithdrawalReason.MOVED_ROLE)
    assert invited.mentor.email in [m.to[0] for m in mail.outbox]


def test_a_held_review_stays_in_the_calendar(invited, send):
    today = timezone.localdate()
    with send():
        services.review_record(actor=invited.mentor, enrolment=invited, held_on=today, discussion="Settling in.",
                               wellbeing=4, confidence=3)
        services.enrolment_withdraw(actor=invited.mentor, enrolment=invited, on=today,
                                    reason=Enrolment.WithdrawalReason.MOVED_ROLE)
    assert not Notification.objects.filter(kind="review_cancelled").exists()


def test_a_meeting_moved_after_a_cancellation_is_sent_with_a_higher_sequence(invited, send):
    today = timezone.localdate()
    with send():
        services.enrolment_pause(actor=invited.mentor, enrolment=invited, reason="sickness",
                                 start_date=today + 2 * DAY, end_date=today + 8 * DAY)
    _, cancel = events("review_cancelled")[invited.mentor_id]
    invited.refresh_from_db()
    with send():
        services.review_mark_not_held(actor=invited.mentor, enrolment=invited, status="cancelled",
                                      reason="Clinic moved.", new_date=today + 30 * DAY)
    method, moved = events("review_moved")[invited.mentor_id]
    assert method == "REQUEST" and moved["uid"] == cancel["uid"] and moved["sequence"] > cancel["sequence"]
    # And withdrawing now cancels the moved meeting: a new invitation, so a new cancellation.
    with send():
        services.enrolment_withdraw(actor=invited.mentor, enrolment=invited, on=today,
                                    reason=Enrolment.WithdrawalReason.MOVED_ROLE)
    latest = Notification.objects.filter(kind="review_cancelled", recipient=invited.mentor).order_by("-pk").first()
    assert latest.due_on == today + 30 * DAY
    assert Notification.objects.filter(kind="review_cancelled").count() == 6  # three people, twice


def test_a_replaced_mentor_has_the_meeting_withdrawn_and_the_new_one_is_invited(invited, send, organisation):
    from preceptorship.models import Membership
    from preceptorship.tests.factories import person

    new_mentor = person(organisation, Membership.Role.MENTOR)
    old_mentor = invited.mentor
    with send():
        services.enrolment_change_people(actor=old_mentor, enrolment=invited, mentor=new_mentor,
                                         line_manager=invited.line_manager, confirm_over_capacity=True)
    [cancellation] = Notification.objects.filter(kind="review_cancelled")
    assert cancellation.recipient == old_mentor
    assert cancellation.body.startswith(f"You are no longer {invited.preceptee}'s mentor")
    # The new mentor is sent the same event the preceptee has, without waiting for a reminder.
    method, handed = events("review_handed_over")[new_mentor.pk]
    _, preceptees = events("review_due_soon")[invited.preceptee_id]
    assert method == "REQUEST" and handed["uid"] == preceptees["uid"]
    assert handed.decoded("dtstart") == preceptees.decoded("dtstart")
    assert sorted(m.to[0] for m in mail.outbox) == sorted([old_mentor.email, new_mentor.email])
    # The line manager leaving takes the meeting out of their calendar; a new one is invited to it.
    old_manager = invited.line_manager
    with send():
        services.enrolment_change_people(actor=old_mentor, enrolment=invited, mentor=new_mentor, line_manager=None)
    assert Notification.objects.get(kind="review_cancelled", recipient=old_manager).body.startswith(
        f"You are no longer {invited.preceptee}'s mentor or line manager")
    new_manager = person(organisation, Membership.Role.LINE_MANAGER)
    with send():
        services.enrolment_change_people(actor=old_mentor, enrolment=invited, mentor=new_mentor,
                                         line_manager=new_manager)
    method, handed = events("review_handed_over")[new_manager.pk]
    assert method == "REQUEST" and handed["uid"] == preceptees["uid"]
    assert "line manager" in Notification.objects.get(kind="review_handed_over", recipient=new_manager).body
    # Nothing more for anyone else: 2 cancellations, 2 hand-overs.
    assert Notification.objects.filter(kind__in=["review_cancelled", "review_handed_over"]).count() == 4


def test_no_invitation_for_a_new_mentor_when_the_preceptee_has_none(organisation, send):
    from preceptorship.models import Membership
    from preceptorship.tests.factories import person

    e = EnrolmentFactory(programme=ProgrammeFactory(organisation=organisation))
    with send():
        services.enrolment_change_people(actor=e.mentor, enrolment=e, mentor=person(organisation, Membership.Role.MENTOR),
                                         line_manager=e.line_manager, confirm_over_capacity=True)
    assert mail.outbox == [] and not Notification.objects.exists()


def test_after_a_pause_ends_the_reminder_for_the_moved_date_comes_without_anyone_pressing_resume(
    invited, send, monkeypatch
):
    today, old = timezone.localdate(), invited.next_review_due
    with send():
        services.enrolment_pause(actor=invited.mentor, enrolment=invited, reason="sickness", start_date=today,
                                 end_date=today + 27 * DAY)
    invited.refresh_from_db()
    moved_to = invited.next_review_due
    assert invited.status == Enrolment.Status.PAUSED and moved_to == old + 28 * DAY
    # Fourteen days before the new date the pause is over, though the enrolment is still marked paused:
    # the reminder goes, with the meeting's invitation.
    assert moved_to - 14 * DAY > today + 27 * DAY
    later = datetime.datetime.combine(moved_to - 14 * DAY, datetime.time(9), tzinfo=timezone.get_default_timezone())
    monkeypatch.setattr(timezone, "now", lambda: later)
    with send():
        assert reminders.sweep()["review_due_soon"] == 3
    method, event = events("review_due_soon", due_on=moved_to)[invited.preceptee_id]
    assert method == "REQUEST" and event.decoded("dtstart") == moved_to


def test_an_unreadable_stored_invitation_never_stops_a_withdrawal(invited, send):
    Notification.objects.filter(kind="review_due_soon", recipient=invited.preceptee).update(ics="not a calendar")
    with send():
        services.enrolment_withdraw(actor=invited.mentor, enrolment=invited, on=timezone.localdate(),
                                    reason=Enrolment.WithdrawalReason.MOVED_ROLE)
    invited.refresh_from_db()
    assert invited.status == Enrolment.Status.WITHDRAWN
    assert set(Notification.objects.filter(kind="review_cancelled").values_list("recipient_id", flat=True)) == {
        invited.mentor_id, invited.line_manager_id
    }


def test_a_pause_undone_on_its_first_day_puts_the_meeting_straight_back(invited, send):
    today = timezone.localdate()
    sent = events("review_due_soon")[invited.mentor_id][1]
    with send():
        services.enrolment_pause(actor=invited.mentor, enrolment=invited, reason="sickness", start_date=today,
                                 end_date=today + 13 * DAY)
    _, cancel = events("review_cancelled")[invited.mentor_id]
    with send():
        services.enrolment_resume(actor=invited.mentor, enrolment=invited, on=today)
    invited.refresh_from_db()
    assert invited.next_review_due == sent.decoded("dtstart")  # no time was lost
    # The "due soon" reminder for that date went before the pause, so the invitation comes now.
    restored = events("review_restored")
    assert set(restored) == three(invited)
    for method, event in restored.values():
        assert method == "REQUEST" and event["uid"] == sent["uid"]
        assert event.decoded("dtstart") == invited.next_review_due and event["sequence"] > cancel["sequence"]
    assert [m.subject for m in mail.outbox[-3:]] == [
        f"Review meeting 1 is back on, due on {invited.next_review_due:%A %-d %B %Y}"] * 3
    # Asking again sends nothing: their last word on the event is now the invitation.
    with send():
        assert review_invitations_restore(enrolment=invited) == 0
