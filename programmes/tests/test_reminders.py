"""Enrolment reminders: who gets which, on which London day, and only once."""

from __future__ import annotations

import datetime

import pytest
from django.core import mail
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone
from icalendar import Calendar

from preceptorship import reminders
from preceptorship.models import Membership, Notification
from preceptorship.notifications import notification_deliver
from preceptorship.tests.factories import person
from programmes import services
from programmes.models import Enrolment, Reflection
from programmes.reminders import enrolment_reminders
from programmes.tests.factories import (
    CompletionConfirmationFactory,
    EnrolmentFactory,
    PauseFactory,
    ProgrammeFactory,
)

pytestmark = pytest.mark.django_db
Role = Membership.Role
D = datetime.date
DAY = datetime.timedelta(days=1)


@pytest.fixture
def wednesday() -> datetime.date:
    """The working day most tests here are about."""
    return D(2026, 6, 10)


@pytest.fixture(autouse=True)
def _on_the_fixed_day(request, time_machine):
    """Most tests here are about a Wednesday and build their enrolments with factories whose dates
    follow the clock, so the clock reads that Wednesday too, whatever ``--today`` says. A test that
    takes the ``today`` fixture runs on the suite's day instead."""
    if "today" not in request.fixturenames:
        day = request.getfixturevalue("wednesday")
        time_machine.move_to(datetime.datetime.combine(day, datetime.time(12), tzinfo=timezone.get_default_timezone()))


def due(today, kind=None):
    """{(kind, recipient id, due on)} the enrolment source yields today."""
    return {(r.kind, r.recipient_id, r.due_on) for r in enrolment_reminders(today) if kind in (None, r.kind)}


@pytest.fixture
def programme(organisation):
    return ProgrammeFactory(organisation=organisation, name="Occupational Therapy preceptorship")


@pytest.fixture
def lead(organisation):
    return person(organisation, Role.PROGRAMME_LEAD, email="lead@example.org")


def enrolment(programme, review=None, completion=None, **fields):
    return EnrolmentFactory(
        programme=programme, next_review_due=review,
        completion_due=completion or timezone.localdate() + 300 * DAY, **fields
    )


def at_london(year, month, day, hour, minute, monkeypatch):
    """Pretend the clock reads this UTC instant."""
    instant = datetime.datetime(year, month, day, hour, minute, tzinfo=datetime.UTC)
    monkeypatch.setattr(timezone, "now", lambda: instant)


# Review due soon and on the day


def invitations(kind, **about):
    """The calendar event each delivered notification of this kind carried, by recipient id."""
    return {n.recipient_id: Calendar.from_ical(n.ics).walk("VEVENT")[0]
            for n in Notification.objects.filter(kind=kind, status=Notification.Status.SENT, **about)}


def test_review_due_in_14_days_reminds_the_preceptee_mentor_and_line_manager_with_an_invitation(
    programme, django_capture_on_commit_callbacks, wednesday,
):
    e = enrolment(programme, review=wednesday + 14 * DAY)
    found = list(enrolment_reminders(wednesday))
    assert {(r.kind, r.recipient_id) for r in found} == {
        ("review_due_soon", e.preceptee_id), ("review_due_soon", e.mentor_id), ("review_due_soon", e.line_manager_id)
    }
    manager = next(r for r in found if r.recipient_id == e.line_manager_id)
    assert "three-way meeting" in manager.body and str(e.mentor) in manager.body
    assert all(r.due_on == wednesday + 14 * DAY and not r.essential for r in found)
    assert all(r.url == e.get_absolute_url() for r in found)
    with django_capture_on_commit_callbacks(execute=True):
        reminders.sweep(today=wednesday)
    # The invitation is built when the e-mail goes, the same event for the three of them.
    events = invitations("review_due_soon")
    assert set(events) == {e.preceptee_id, e.mentor_id, e.line_manager_id}
    event = events[e.mentor_id]
    assert str(event["uid"]).startswith(f"review-{e.pk}-1@") and events[e.preceptee_id]["uid"] == event["uid"]
    assert event.decoded("dtstart") == wednesday + 14 * DAY
    assert {str(a) for a in event["attendee"]} == {
        f"mailto:{e.preceptee.email}", f"mailto:{e.mentor.email}", f"mailto:{e.line_manager.email}"}
    # Without a line manager, the meeting is the preceptee's and the mentor's.
    alone = enrolment(programme, review=wednesday + 14 * DAY, line_manager=None)
    assert {r.recipient_id for r in enrolment_reminders(wednesday) if r.about.endswith(f":{alone.pk}")} == {
        alone.preceptee_id, alone.mentor_id}


def test_no_invitation_for_a_date_the_meeting_has_moved_from_before_the_e_mail_went(
    programme, django_capture_on_commit_callbacks, monkeypatch, wednesday,
):
    e = enrolment(programme, review=wednesday + 14 * DAY)
    monkeypatch.setattr("preceptorship.notifications._send_task", lambda task, ids: None)  # still queued
    reminders.sweep(today=wednesday)
    monkeypatch.undo()
    Enrolment.objects.filter(pk=e.pk).update(next_review_due=wednesday + 20 * DAY)
    for notification in Notification.objects.all():
        notification_deliver(notification_id=notification.pk)
    assert set(Notification.objects.values_list("status", "ics")) == {(Notification.Status.SENT, "")}
    assert all(not m.alternatives[1:] and not m.attachments for m in mail.outbox)


def test_review_due_soon_not_before_the_fourteenth_day(programme, wednesday):
    enrolment(programme, review=wednesday + 15 * DAY)
    assert due(wednesday) == set()
    assert {kind for kind, _, _ in due(wednesday + DAY)} == {"review_due_soon"}


def test_on_the_day_the_three_are_reminded_again(programme, wednesday):
    e = enrolment(programme, review=wednesday)
    assert due(wednesday) == {("review_due_today", who, wednesday)
                              for who in (e.preceptee_id, e.mentor_id, e.line_manager_id)}
    assert due(wednesday - DAY) == set()


def test_a_reminder_missed_because_no_sweep_ran_is_sent_up_to_two_days_late(programme, wednesday):
    e = enrolment(programme, review=wednesday)
    assert ("review_due_today", e.mentor_id, wednesday) in due(wednesday + 2 * DAY)
    assert due(wednesday + 3 * DAY) == set()
    late = [r for r in enrolment_reminders(wednesday + DAY) if r.recipient_id == e.mentor_id]
    assert late[0].subject.endswith("was due on Wednesday 10 June 2026")


# Overdue and escalated


def test_overdue_after_seven_days_goes_to_mentor_and_line_manager_not_the_preceptee(programme, wednesday):
    e = enrolment(programme, review=wednesday - 7 * DAY)
    assert due(wednesday) == {
        ("review_overdue", e.mentor_id, wednesday - 7 * DAY), ("review_overdue", e.line_manager_id, wednesday - 7 * DAY)
    }
    assert due(wednesday - DAY) == set()


def test_a_recorded_meeting_means_no_overdue_reminder(programme, wednesday):
    e = enrolment(programme, review=wednesday - 7 * DAY)
    # Recording review 1 moves next_review_due on to review 2 (as review_record does).
    Enrolment.objects.filter(pk=e.pk).update(reviews_held=1, next_review_due=wednesday + 80 * DAY)
    assert due(wednesday) == set()


def test_escalation_after_28_days_goes_to_the_programme_leads_of_the_programmes_organisation(
    programme, lead, other_organisation, wednesday,
):
    person(other_organisation, Role.PROGRAMME_LEAD)  # leads elsewhere hear nothing
    e = enrolment(programme, review=wednesday - 28 * DAY)
    found = [r for r in enrolment_reminders(wednesday) if r.kind == "review_overdue_escalated"]
    assert [(r.recipient_id, r.essential) for r in found] == [(lead.pk, True)]
    assert "4 weeks overdue" in found[0].subject and e.preceptee.get_full_name() in found[0].subject
    assert due(wednesday - DAY, "review_overdue_escalated") == set()


# Completion


def test_completion_sign_off_is_requested_28_days_before_from_mentor_and_line_manager(programme, wednesday):
    e = enrolment(programme, completion=wednesday + 28 * DAY)
    found = list(enrolment_reminders(wednesday))
    assert {(r.kind, r.recipient_id, r.essential) for r in found} == {
        ("completion_signoff_due", e.mentor_id, True), ("completion_signoff_due", e.line_manager_id, True)
    }
    assert due(wednesday - DAY) == set()


def test_whoever_already_answered_the_sign_off_is_not_asked(programme, wednesday):
    e = enrolment(programme, completion=wednesday + 28 * DAY)
    CompletionConfirmationFactory(enrolment=e, role="mentor")
    assert due(wednesday) == {("completion_signoff_due", e.line_manager_id, wednesday + 28 * DAY)}


def test_completion_overdue_after_14_days_goes_to_the_programme_lead(programme, lead, wednesday):
    enrolment(programme, completion=wednesday - 14 * DAY, start_date=wednesday - 560 * DAY)
    assert due(wednesday, "completion_overdue") == {("completion_overdue", lead.pk, wednesday - 14 * DAY)}
    assert due(wednesday - DAY, "completion_overdue") == set()


# Who gets none


@pytest.mark.parametrize("traits", [
    {"status": Enrolment.Status.PAUSED},
    {"withdrawn": True},
    {"completed": True},
])
def test_paused_withdrawn_and_completed_enrolments_get_no_reminders(programme, lead, traits, wednesday):
    for review, completion in [(wednesday + 14 * DAY, None), (wednesday - 7 * DAY, None), (wednesday - 28 * DAY, None),
                               (None, wednesday + 28 * DAY), (None, wednesday - 14 * DAY)]:
        Enrolment.objects.filter(pk=enrolment(programme, **traits).pk).update(
            next_review_due=review, completion_due=completion or wednesday + 300 * DAY
        )
    assert due(wednesday) == set()


def test_an_enrolment_inside_a_recorded_pause_gets_none_even_before_its_status_changes(programme, lead, wednesday):
    e = enrolment(programme, review=wednesday - 7 * DAY)
    PauseFactory(enrolment=e, start_date=wednesday - 2 * DAY, end_date=wednesday + 3 * DAY)
    assert due(wednesday) == set()
    # Due before the pause began, so not moved by it: still overdue once the preceptee is back.
    assert {kind for kind, _, _ in due(wednesday + 4 * DAY)} == {"review_overdue"}


def test_a_reminder_is_caught_up_for_a_week_then_left_to_the_caseload_and_dashboards(programme, lead, wednesday):
    e = enrolment(programme, review=wednesday - 14 * DAY)
    assert due(wednesday, "review_overdue") == {
        ("review_overdue", e.mentor_id, wednesday - 14 * DAY), ("review_overdue", e.line_manager_id, wednesday - 14 * DAY)
    }
    assert due(wednesday + DAY, "review_overdue") == set()
    assert due(wednesday + 14 * DAY, "review_overdue_escalated") == {
        ("review_overdue_escalated", lead.pk, wednesday - 14 * DAY)
    }
    assert due(wednesday + 22 * DAY) == set()


def test_a_pause_moves_the_reminders_with_the_dates(organisation, today):
    e = EnrolmentFactory(programme=ProgrammeFactory(organisation=organisation), start_date=today - 30 * DAY)
    first_due = e.next_review_due
    services.enrolment_pause(actor=e.mentor, enrolment=e, reason="sickness",
                             start_date=today + DAY, end_date=today + 21 * DAY)
    e.refresh_from_db()
    assert e.next_review_due == first_due + 21 * DAY
    assert due(first_due - 14 * DAY) == set()
    assert due(first_due) == set()
    assert {kind for kind, _, _ in due(e.next_review_due - 14 * DAY)} == {"review_due_soon"}
    assert {kind for kind, _, _ in due(e.next_review_due)} == {"review_due_today"}


# Day boundaries and the clock changes, in Europe/London


def test_the_day_starts_at_midnight_in_london_not_utc(programme, monkeypatch):
    enrolment(programme, review=D(2026, 7, 15))  # due soon from 1 July
    at_london(2026, 6, 30, 22, 59, monkeypatch)  # 23:59 BST on 30 June
    assert reminders.sweep(dry_run=True)["total"] == 0
    at_london(2026, 6, 30, 23, 0, monkeypatch)  # 00:00 BST on 1 July, still 30 June in UTC
    assert reminders.sweep(dry_run=True) == {"review_due_soon": 3, "total": 3}


def test_clock_change_in_march_the_day_after_the_change(programme, monkeypatch):
    # Clocks go forward at 01:00 GMT on Sunday 29 March 2026.
    enrolment(programme, review=D(2026, 3, 30))
    reminders.sweep(today=D(2026, 3, 16))  # "due soon", fourteen days before, across the change
    assert Notification.objects.filter(kind="review_due_soon").count() == 3
    at_london(2026, 3, 29, 22, 59, monkeypatch)  # 23:59 BST on Sunday
    assert reminders.sweep(dry_run=True)["total"] == 0
    at_london(2026, 3, 29, 23, 0, monkeypatch)  # 00:00 BST on Monday 30 March
    assert reminders.sweep(dry_run=True) == {"review_due_today": 3, "total": 3}
    assert due(D(2026, 3, 15)) == set()


def test_clock_change_in_october_the_day_of_the_change(programme, monkeypatch):
    # Clocks go back at 01:00 BST on Sunday 25 October 2026.
    enrolment(programme, review=D(2026, 10, 25))
    reminders.sweep(today=D(2026, 10, 11))  # "due soon" was sent
    at_london(2026, 10, 24, 22, 59, monkeypatch)  # 23:59 BST on Saturday
    assert reminders.sweep(dry_run=True)["total"] == 0
    at_london(2026, 10, 24, 23, 0, monkeypatch)  # 00:00 BST on Sunday 25 October
    assert reminders.sweep(dry_run=True) == {"review_due_today": 3, "total": 3}
    at_london(2026, 10, 25, 23, 59, monkeypatch)  # 23:59 GMT: still Sunday
    assert reminders.sweep(dry_run=True) == {"review_due_today": 3, "total": 3}
    # Seven days after, across the change: overdue from Sunday 1 November.
    assert due(D(2026, 10, 31)) == set()
    assert {kind for kind, _, _ in due(D(2026, 11, 1))} == {"review_overdue"}


# Set-based: the number of queries does not grow with the number of enrolments


def _mixed(programme, copies, wednesday):
    for _ in range(copies):
        enrolment(programme, review=wednesday + 14 * DAY)
        enrolment(programme, review=wednesday - 7 * DAY)
        enrolment(programme, review=wednesday - 28 * DAY)
        enrolment(programme, completion=wednesday + 28 * DAY)
        enrolment(programme, completion=wednesday - 14 * DAY, start_date=wednesday - 560 * DAY)
        enrolment(programme, review=wednesday + 40 * DAY)  # nothing due


@pytest.mark.parametrize("copies", [1, 6])
def test_the_source_runs_two_queries_whatever_the_number_of_enrolments(
    programme, lead, copies, django_assert_num_queries, wednesday,
):
    _mixed(programme, copies, wednesday)
    # 1. the enrolments due a reminder today, with people, programme and confirmations joined;
    # 2. the programme leads of the organisations with an escalation.
    with django_assert_num_queries(2):
        found = list(enrolment_reminders(wednesday))
    # due soon 3; overdue 2; escalated 1; sign-off 2; completion overdue 1.
    assert len(found) == copies * 9


@pytest.mark.parametrize("copies", [1, 6])
def test_the_whole_sweep_runs_the_same_queries_at_two_sizes(programme, lead, copies, wednesday):
    _mixed(programme, copies, wednesday)
    with CaptureQueriesContext(connection) as sweep_queries:
        result = reminders.sweep(today=wednesday)
    assert result["total"] == copies * 9
    # Waiting progression cases; due enrolments; their programme leads; the keys already recorded;
    # savepoint, the pending rows, the stalled rows, release; and the inserts, which the backend
    # splits into batches (SQLite takes 999 values a statement). The delivery tasks run after
    # commit, which this test does not reach.
    statements = [q["sql"].split()[0] for q in sweep_queries.captured_queries]
    assert len([s for s in statements if s != "INSERT"]) == 8
    assert 1 <= statements.count("INSERT") <= copies


# Once only, and what the e-mails carry


def test_running_the_sweep_twice_sends_each_reminder_once(programme, lead, django_capture_on_commit_callbacks, wednesday):
    _mixed(programme, 1, wednesday)
    with django_capture_on_commit_callbacks(execute=True):
        first = reminders.sweep(today=wednesday)
    with django_capture_on_commit_callbacks(execute=True):
        second = reminders.sweep(today=wednesday)
    assert first == {"completion_overdue": 1, "completion_signoff_due": 2, "review_due_soon": 3,
                     "review_overdue": 2, "review_overdue_escalated": 1, "total": 9}
    assert second == {"total": 0}
    assert len(mail.outbox) == 9
    assert Notification.objects.filter(status=Notification.Status.SENT).count() == 9


def test_review_reminder_e_mail_carries_the_invitation_and_a_link(programme, django_capture_on_commit_callbacks, wednesday):
    e = enrolment(programme, review=wednesday + 14 * DAY)
    with django_capture_on_commit_callbacks(execute=True):
        reminders.sweep(today=wednesday)
    message = next(m for m in mail.outbox if m.to == [e.preceptee.email])
    assert message.subject == "Your review meeting 1 is due on Wednesday 24 June 2026"
    assert f"http://127.0.0.1:8000{e.get_absolute_url()}" in message.body
    assert "calendar invitation attached" in message.body and "turn off e-mails like this one" in message.body
    html, mimetype = message.alternatives[0]
    assert mimetype == "text/html" and e.get_absolute_url() in html and "<img" not in html
    parts = {part.get_content_type(): part for part in message.message().walk()}
    invitation = parts["text/calendar"]
    assert invitation.get_param("method") == "REQUEST"
    assert f"UID:review-{e.pk}-1@" in invitation.get_payload(decode=True).decode()
    assert parts["application/ics"].get_filename() == "invitation.ics"


def test_preference_off_skips_the_e_mail_but_sign_off_requests_always_go(
    programme, django_capture_on_commit_callbacks, wednesday,
):
    e = enrolment(programme, review=wednesday + 14 * DAY, completion=wednesday + 28 * DAY)
    e.mentor.email_reminders = False
    e.mentor.save()
    with django_capture_on_commit_callbacks(execute=True):
        reminders.sweep(today=wednesday)
    mine = dict(Notification.objects.filter(recipient=e.mentor).values_list("kind", "status"))
    assert mine == {"review_due_soon": Notification.Status.SKIPPED, "completion_signoff_due": Notification.Status.SENT}
    assert Notification.objects.get(recipient=e.preceptee).status == Notification.Status.SENT
    sign_off = next(m for m in mail.outbox if m.to == [e.mentor.email])
    assert "always e-mailed" in sign_off.body and "always e-mailed" in sign_off.alternatives[0][0]


def test_turning_the_preference_off_on_the_profile_page_stops_non_essential_e_mails(
    client, programme, django_capture_on_commit_callbacks, wednesday,
):
    e = enrolment(programme, review=wednesday + 14 * DAY)
    client.force_login(e.preceptee)
    page = client.get(reverse("profile")).content.decode()
    assert "Escalations, completion sign-off requests, progression case steps and cancelled meetings" in page
    response = client.post(reverse("profile"), {"first_name": "Sam", "last_name": "Okafor", "job_title": "",
                                                "band": ""})  # the box left unticked
    assert response.status_code == 302
    with django_capture_on_commit_callbacks(execute=True):
        reminders.sweep(today=wednesday)
    assert Notification.objects.get(recipient=e.preceptee).status == Notification.Status.SKIPPED
    assert sorted(m.to[0] for m in mail.outbox) == sorted([e.mentor.email, e.line_manager.email])


def test_a_rescheduled_meeting_updates_the_same_calendar_event(programme, django_capture_on_commit_callbacks, today):
    e = enrolment(programme, review=today + 14 * DAY, completion=today + 300 * DAY, start_date=today - 60 * DAY)
    Enrolment.objects.filter(pk=e.pk).update(updated_at=timezone.now() - datetime.timedelta(hours=1))
    with django_capture_on_commit_callbacks(execute=True):
        reminders.sweep(today=today)
    first = invitations("review_due_soon")[e.mentor_id]
    with django_capture_on_commit_callbacks(execute=True):
        services.review_mark_not_held(actor=e.mentor, enrolment=e, status="cancelled",
                                      reason="Mentor on annual leave.", new_date=today + 20 * DAY)
    # The three people are sent the moved event at once ...
    moved = Notification.objects.filter(kind="review_moved")
    assert {n.recipient_id for n in moved} == {e.preceptee_id, e.mentor_id, e.line_manager_id}
    assert all(n.status == Notification.Status.SENT for n in moved)
    update = Calendar.from_ical(moved[0].ics).walk("VEVENT")[0]
    # ... and the reminders for the new date carry the same event.
    with django_capture_on_commit_callbacks(execute=True):
        assert reminders.sweep(today=today + 6 * DAY)["review_due_soon"] == 3
    later = invitations("review_due_soon", due_on=today + 20 * DAY)[e.mentor_id]
    assert update["uid"] == later["uid"] == first["uid"]
    assert update.decoded("dtstart") == later.decoded("dtstart") == today + 20 * DAY
    assert later["sequence"] >= update["sequence"] > first["sequence"]
    assert not any("Mentor on annual leave" in m.body for m in mail.outbox)


# Told as it happens (by the programmes services)


def test_the_preceptee_is_told_of_a_recorded_review_and_of_feedback_on_a_reflection(
    programme, django_capture_on_commit_callbacks, today
):
    e = enrolment(programme, review=today + 5 * DAY, completion=today + 300 * DAY, start_date=today - 85 * DAY)
    reflection = Reflection.objects.create(enrolment=e, author=e.preceptee, title="First home visit", model="free",
                                           answers={"text": "It went well."}, status="finished")
    with django_capture_on_commit_callbacks(execute=True):
        review = services.review_record(actor=e.mentor, enrolment=e, held_on=today, discussion="Settling in.",
                                        wellbeing=4, confidence=3)
        services.reflection_share(actor=e.preceptee, reflection=reflection, with_mentor=True, with_line_manager=False)
        services.reflection_add_feedback(actor=e.mentor, reflection=reflection, text="Good insight.")
    told = {n.kind: n for n in Notification.objects.filter(recipient=e.preceptee)}
    assert set(told) == {"review_recorded", "reflection_feedback"}
    assert told["review_recorded"].url == review.get_absolute_url()
    assert told["reflection_feedback"].url == reflection.get_absolute_url()
    assert {m.to[0] for m in mail.outbox} == {e.preceptee.email, e.mentor.email}  # the mentor: the shared reflection
