"""The practice pages through HTTP: who may open and change what (docs/architecture.md, "Access"), the
forms' messages and kept input, the home panels and the caseload's query count."""

from __future__ import annotations

import datetime
from decimal import Decimal
from http import HTTPStatus

import pytest
from django.template import Context, Template
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from preceptorship.models import Membership, Notification
from preceptorship.tests.factories import person
from preceptorship.tests.queries import assert_same_queries_at_two_sizes
from programmes.models import Enrolment, Goal, NeedsAssessment, Programme, ProtectedTime, Reflection, ReviewMeeting
from programmes.schedule import add_months
from programmes.tests.factories import EnrolmentFactory
from programmes.tests.factories_practice import (
    GoalFactory,
    NeedsAssessmentFactory,
    ProtectedTimeFactory,
    ReflectionFactory,
    ReflectionFeedbackFactory,
    ReviewFactory,
    make_cast,
)

pytestmark = pytest.mark.django_db
Role = Membership.Role
OK, FORBIDDEN, NOT_FOUND = HTTPStatus.OK, HTTPStatus.FORBIDDEN, HTTPStatus.NOT_FOUND


@pytest.fixture
def cast(organisation, other_organisation):
    return make_cast(organisation, other_organisation)


def client_for(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def statuses(cast, url: str, method: str = "get") -> dict[str, int]:
    return {name: getattr(client_for(user), method)(url).status_code for name, user in cast.everyone().items()}


def date_parts(name: str, day: datetime.date) -> dict[str, str]:
    return {f"{name}_0": str(day.day), f"{name}_1": str(day.month), f"{name}_2": str(day.year)}


def review_post(today: datetime.date, **changes) -> dict:
    data = {
        **date_parts("held_on", today - datetime.timedelta(days=1)), "attended": ["preceptee", "mentor"],
        "discussion": "Talked through a complex discharge and the OT forum.", "wellbeing": "4", "confidence": "3",
        "protected_time_received": "yes",
    }
    data.update(changes)
    return {key: value for key, value in data.items() if value is not None}


# Review meetings


def test_who_may_read_the_review_records(cast):
    review = ReviewFactory(enrolment=cast.enrolment)
    expected = {"preceptee": OK, "mentor": OK, "line_manager": OK, "lead": OK, "head_of_service": NOT_FOUND,
                "colleague": NOT_FOUND, "outsider": NOT_FOUND, "administrator": NOT_FOUND}
    assert statuses(cast, review.get_absolute_url()) == expected
    assert statuses(cast, reverse("programmes:review-list", args=[cast.enrolment.pk])) == expected


def test_only_the_mentor_may_record_a_meeting(cast):
    url = reverse("programmes:review-record", args=[cast.enrolment.pk])
    assert statuses(cast, url) == {
        "preceptee": FORBIDDEN, "mentor": OK, "line_manager": FORBIDDEN, "lead": FORBIDDEN,
        "head_of_service": NOT_FOUND, "colleague": NOT_FOUND, "outsider": NOT_FOUND, "administrator": NOT_FOUND,
    }


def test_the_record_form_plans_the_next_meeting_from_today_and_ticks_nobody(cast, today):
    GoalFactory(enrolment=cast.enrolment, what="Lead a moving and handling assessment")
    response = client_for(cast.mentor).get(reverse("programmes:review-record", args=[cast.enrolment.pk]))
    form = response.context["form"]
    assert form["next_meeting_on"].value() == add_months(today, cast.enrolment.programme.review_interval_months)
    assert not form["attended"].value()
    assert "Progress on \u201cLead a moving and handling assessment\u201d" in response.content.decode()


def test_the_mentor_records_a_meeting_with_goal_progress_and_actions(cast, today):
    goal = GoalFactory(enrolment=cast.enrolment)
    due = today + datetime.timedelta(days=20)
    response = client_for(cast.mentor).post(
        reverse("programmes:review-record", args=[cast.enrolment.pk]),
        review_post(today, **{f"goal_{goal.pk}": "One assessment done.", "action_1": "Book a shadowing day",
                       "action_1_owner": "preceptee", **date_parts("action_1_due", due)}),
    )
    review = ReviewMeeting.objects.get()
    assert response.status_code == HTTPStatus.FOUND and response["Location"] == review.get_absolute_url()
    assert (review.wellbeing, review.confidence, review.attended_line_manager) == (4, 3, False)
    assert review.actions.get().due_on == due
    assert goal.updates.get().note == "One assessment done."
    page = client_for(cast.preceptee).get(review.get_absolute_url()).content.decode()
    assert "Book a shadowing day" in page and "One assessment done." in page and "Acknowledge the record" in page


@pytest.mark.parametrize(("changes", "message"), [
    (lambda today: {**date_parts("held_on", today + datetime.timedelta(days=3))}, "The date held cannot be in the future."),
    (lambda today: {"held_on_0": "31", "held_on_1": "2"}, "Enter a real date"),
    (lambda today: {"wellbeing": "9"}, "Choose a wellbeing score from 1 to 5"),
    (lambda today: {"confidence": "0"}, "Choose a confidence score from 1 to 5"),
    (lambda today: {**date_parts("held_on", today - datetime.timedelta(days=400))}, "cannot be before the enrolment started"),
    (lambda today: {"confidence": None}, "Choose a confidence score from 1 to 5"),
    (lambda today: {"action_1": "Read the policy"}, "Choose who will do action 1"),
    (lambda today: {"action_2_owner": "mentor"}, "Describe action 2"),
    (lambda today: {**date_parts("next_meeting_on", today - datetime.timedelta(days=10))}, "The next meeting must be after"),
    (lambda today: {"attended": None}, "Select who attended the meeting"),
    (lambda today: {"held_on_0": None, "held_on_1": None, "held_on_2": None}, "Enter the date of the meeting"),
    (lambda today: {"action_2": "Read the policy", "action_2_owner": "preceptee",
                    **date_parts("action_2_due", today - datetime.timedelta(days=5))},
     "Action 2 must be due on or after the meeting"),
])
def test_bad_meetings_are_refused_with_the_message_and_the_typing_kept(cast, changes, message, today):
    response = client_for(cast.mentor).post(
        reverse("programmes:review-record", args=[cast.enrolment.pk]), review_post(today, **changes(today))
    )
    page = response.content.decode()
    assert response.status_code == OK
    assert message in page and "There is a problem" in page
    assert "Talked through a complex discharge" in page
    assert not ReviewMeeting.objects.exists()


def test_the_preceptee_acknowledges_with_a_comment_and_nobody_else_can(cast):
    review = ReviewFactory(enrolment=cast.enrolment)
    url = reverse("programmes:review-acknowledge", args=[review.pk])
    assert client_for(cast.mentor).post(url).status_code == FORBIDDEN
    assert client_for(cast.outsider).post(url).status_code == NOT_FOUND
    assert client_for(cast.preceptee).get(url).status_code == HTTPStatus.METHOD_NOT_ALLOWED
    response = client_for(cast.preceptee).post(url, {"comment": "I also want to shadow the hospital team."})
    assert response.status_code == HTTPStatus.FOUND
    review.refresh_from_db()
    assert review.acknowledged_at and review.preceptee_comment == "I also want to shadow the hospital team."
    # Twice: a clear message, not an error page.
    again = client_for(cast.preceptee).post(url, {"comment": "Again"}, follow=True)
    assert again.status_code == OK and "already acknowledged" in again.content.decode()


def test_the_mentor_corrects_for_seven_days_then_adds_an_addendum(cast, today):
    review = ReviewFactory(enrolment=cast.enrolment)
    correct = reverse("programmes:review-correct", args=[review.pk])
    addendum = reverse("programmes:review-addendum", args=[review.pk])
    assert client_for(cast.line_manager).get(correct).status_code == FORBIDDEN
    assert client_for(cast.mentor).post(addendum, {"text": "Early"}).status_code == FORBIDDEN
    form = client_for(cast.mentor).get(correct).context["form"]
    assert form["discussion"].value() == review.discussion
    response = client_for(cast.mentor).post(correct, review_post(today, discussion="Corrected: the forum is monthly."))
    assert response.status_code == HTTPStatus.FOUND
    assert ReviewMeeting.objects.get().discussion == "Corrected: the forum is monthly."

    ReviewMeeting.objects.update(recorded_at=timezone.now() - datetime.timedelta(days=8))
    assert client_for(cast.mentor).get(correct).status_code == FORBIDDEN
    empty = client_for(cast.mentor).post(addendum, {"text": ""})
    assert empty.status_code == OK and "This field is required" in empty.content.decode()
    client_for(cast.mentor).post(addendum, {"text": "The shadowing day is with the hospital team."})
    page = client_for(cast.line_manager).get(review.get_absolute_url()).content.decode()
    assert "The shadowing day is with the hospital team." in page and "Corrected: the forum" in page


def test_a_meeting_that_did_not_take_place(cast, today):
    url = reverse("programmes:review-not-held", args=[cast.enrolment.pk])
    assert client_for(cast.preceptee).get(url).status_code == FORBIDDEN
    due = Enrolment.objects.get(pk=cast.enrolment.pk).next_review_due
    assert f"Review meeting 1, due on {due:%-d %B %Y}" in client_for(cast.mentor).get(url).content.decode()
    bad = client_for(cast.mentor).post(url, {"status": "missed", "reason": "", **date_parts("new_date", today)})
    assert bad.status_code == OK and "Say why the meeting did not take place" in bad.content.decode()
    empty = client_for(cast.mentor).post(url, {"reason": "Mentor on leave"}).content.decode()
    assert "Choose whether the meeting was cancelled or missed" in empty and "Enter the new date" in empty
    assert "Mentor on leave" in empty
    new_date = today + datetime.timedelta(days=10)
    response = client_for(cast.mentor).post(url, {"status": "cancelled", "reason": "Mentor on leave",
                                                  **date_parts("new_date", new_date)})
    assert response.status_code == HTTPStatus.FOUND
    assert Enrolment.objects.get(pk=cast.enrolment.pk).next_review_due == new_date
    assert "Mentor on leave" in client_for(cast.preceptee).get(ReviewMeeting.objects.get().get_absolute_url()).content.decode()
    listed = client_for(cast.preceptee).get(reverse("programmes:review-list", args=[cast.enrolment.pk]))
    assert f"moved to {new_date:%-d %b %Y}" in listed.content.decode()


# Goals


def test_who_may_see_and_change_goals(cast):
    goal = GoalFactory(enrolment=cast.enrolment)
    read = {"preceptee": OK, "mentor": OK, "line_manager": OK, "lead": NOT_FOUND, "head_of_service": NOT_FOUND,
            "colleague": NOT_FOUND, "outsider": NOT_FOUND, "administrator": NOT_FOUND}
    assert statuses(cast, goal.get_absolute_url()) == read
    assert statuses(cast, reverse("programmes:goal-list", args=[cast.enrolment.pk])) == read
    change = {**read, "line_manager": FORBIDDEN}
    assert statuses(cast, reverse("programmes:goal-update", args=[goal.pk])) == change
    assert statuses(cast, reverse("programmes:goal-create", args=[cast.enrolment.pk])) == change


def test_the_preceptee_sets_a_smart_goal_and_records_progress(cast, today):
    client = client_for(cast.preceptee)
    target = today + datetime.timedelta(days=120)
    response = client.post(reverse("programmes:goal-create", args=[cast.enrolment.pk]), {
        "what": "Run a falls prevention group", "measure": "Two sessions run, feedback from attendees",
        "achievable": "Co-facilitate the first with my mentor", "relevant": "Falls are our top referral reason",
        **date_parts("target_date", target),
    })
    goal = Goal.objects.get()
    assert response["Location"] == goal.get_absolute_url()
    assert (goal.achievable, goal.target_date, goal.created_by) == (
        "Co-facilitate the first with my mentor", target, cast.preceptee)
    client.post(reverse("programmes:goal-progress", args=[goal.pk]),
                {**date_parts("on", today), "note": "First session planned."})
    goal.refresh_from_db()
    assert goal.status == Goal.Status.IN_PROGRESS
    assert "First session planned." in client_for(cast.line_manager).get(goal.get_absolute_url()).content.decode()
    assert client_for(cast.line_manager).post(reverse("programmes:goal-progress", args=[goal.pk]),
                                              {"note": "x"}).status_code == FORBIDDEN


def test_a_goal_still_open_after_its_date_shows_as_overdue(cast, today):
    late = GoalFactory(enrolment=cast.enrolment, what="Lead a family meeting", status="in_progress",
                       target_date=today - datetime.timedelta(days=1))
    due_today = GoalFactory(enrolment=cast.enrolment, what="Shadow the duty team", status="not_started",
                            target_date=today)
    done_late = GoalFactory(enrolment=cast.enrolment, what="Complete the moving and handling course",
                            status="achieved", target_date=today - datetime.timedelta(days=30))
    listing = client_for(cast.preceptee).get(reverse("programmes:goal-list", args=[cast.enrolment.pk]))
    overdue = {goal.pk for goal in listing.context["goals"] if goal.overdue}
    assert overdue == {late.pk} and {due_today.pk, done_late.pk}.isdisjoint(overdue)
    assert listing.content.decode().count("nhsuk-tag--red\">Overdue") == 1
    detail = client_for(cast.mentor).get(late.get_absolute_url()).content.decode()
    assert "Overdue" in detail
    assert "Overdue" not in client_for(cast.mentor).get(done_late.get_absolute_url()).content.decode()

def test_a_goal_without_a_measure_or_a_dropped_goal_without_a_reason_is_refused(cast, today):
    client = client_for(cast.mentor)
    response = client.post(reverse("programmes:goal-create", args=[cast.enrolment.pk]), {
        "what": "Get better at notes", **date_parts("target_date", today + datetime.timedelta(days=30)),
    })
    assert "a goal needs a measure" in response.content.decode() and "Get better at notes" in response.content.decode()
    goal = GoalFactory(enrolment=cast.enrolment)
    update = reverse("programmes:goal-update", args=[goal.pk])
    dropped = client.post(update, {"what": goal.what, "measure": goal.measure, "status": "dropped",
                                   **date_parts("target_date", goal.target_date)})
    assert "Say why the goal changed or was dropped." in dropped.content.decode()
    done = client.post(update, {"what": goal.what, "measure": goal.measure, "status": "achieved",
                                **date_parts("target_date", goal.target_date)})
    assert done.status_code == HTTPStatus.FOUND
    assert Goal.objects.get().achieved_on == today
    future = client.post(reverse("programmes:goal-progress", args=[goal.pk]),
                         {**date_parts("on", today + datetime.timedelta(days=2)), "note": "Planned"})
    assert "The date cannot be in the future." in future.content.decode()


# Reflections


def test_a_private_reflection_is_its_authors_alone(cast):
    reflection = ReflectionFactory(enrolment=cast.enrolment, title="Private thoughts")
    assert statuses(cast, reflection.get_absolute_url()) == {
        "preceptee": OK, "mentor": NOT_FOUND, "line_manager": NOT_FOUND, "lead": NOT_FOUND,
        "head_of_service": NOT_FOUND, "colleague": NOT_FOUND, "outsider": NOT_FOUND, "administrator": NOT_FOUND,
    }
    listing = client_for(cast.mentor).get(reverse("programmes:reflection-list", args=[cast.enrolment.pk]))
    assert listing.status_code == OK and "Private thoughts" not in listing.content.decode()


def test_a_shared_reflection_reaches_the_mentor_and_never_the_programme_lead_or_admin(cast):
    reflection = ReflectionFactory(enrolment=cast.enrolment, shared_with_mentor=True)
    assert statuses(cast, reflection.get_absolute_url()) == {
        "preceptee": OK, "mentor": OK, "line_manager": NOT_FOUND, "lead": NOT_FOUND,
        "head_of_service": NOT_FOUND, "colleague": NOT_FOUND, "outsider": NOT_FOUND, "administrator": NOT_FOUND,
    }
    assert statuses(cast, reverse("programmes:reflection-list", args=[cast.enrolment.pk]))["lead"] == NOT_FOUND
    Reflection.objects.update(shared_with_line_manager=True)
    assert client_for(cast.line_manager).get(reflection.get_absolute_url()).status_code == OK


def test_the_preceptee_writes_a_gibbs_reflection_as_a_draft_then_finishes_and_shares_it(cast):
    client = client_for(cast.preceptee)
    create = reverse("programmes:reflection-create", args=[cast.enrolment.pk])
    choose = client.get(create)
    assert "Which reflective model do you want to use?" in choose.content.decode()
    form = client.get(create, {"model": "gibbs"}).content.decode()
    assert "Action plan" in form and "What were you thinking and feeling?" in form
    answers = {"title": "First solo home visit", "answer_description": "I assessed a client for a stair lift.",
               "answer_feelings": "Nervous at first."}
    draft = client.post(f"{create}?model=gibbs", {**answers, "draft": "Save as draft"})
    reflection = Reflection.objects.get()
    assert draft["Location"] == reflection.get_absolute_url()
    assert reflection.status == Reflection.Status.DRAFT and reflection.answers["feelings"] == "Nervous at first."
    share = reverse("programmes:reflection-share", args=[reflection.pk])
    refused = client.post(share, {"with_mentor": "on"}, follow=True)
    assert "Finish the reflection before sharing it." in refused.content.decode()
    assert not Reflection.objects.get().shared_with_mentor

    client.post(reverse("programmes:reflection-update", args=[reflection.pk]), answers)
    assert Reflection.objects.get().status == Reflection.Status.FINISHED
    alone = client.post(share, {"with_line_manager": "on"})
    assert "Share with your mentor too" in alone.content.decode()
    client.post(share, {"with_mentor": "on"})
    assert Reflection.objects.get().shared_with_mentor
    assert client_for(cast.mentor).get(reflection.get_absolute_url()).status_code == OK
    assert client_for(cast.mentor).post(share, {}).status_code == FORBIDDEN


def test_a_reflection_is_shared_as_it_is_finished_never_as_a_draft(cast):
    client = client_for(cast.preceptee)
    create = reverse("programmes:reflection-create", args=[cast.enrolment.pk])
    form = client.get(create, {"model": "gibbs"}).content.decode()
    assert "Share it with my mentor when I finish" in form and "Share it with my line manager too" in form
    answers = {"title": "Handover to the night team", "answer_description": "I led the handover.",
               "with_mentor": "on"}
    client.post(f"{create}?model=gibbs", {**answers, "draft": "Save as draft"})
    draft = Reflection.objects.get()
    assert draft.status == Reflection.Status.DRAFT and not draft.shared_with_mentor
    finished = client.post(reverse("programmes:reflection-update", args=[draft.pk]), answers, follow=True)
    assert "Your reflection is saved and shared." in finished.content.decode()
    shared = Reflection.objects.get()
    assert shared.status == Reflection.Status.FINISHED and shared.shared_with_mentor
    assert not shared.shared_with_line_manager
    assert Notification.objects.filter(recipient=cast.mentor, kind="reflection_shared").count() == 1
    alone = client.post(reverse("programmes:reflection-update", args=[draft.pk]),
                        {**answers, "with_mentor": "", "with_line_manager": "on"})
    assert "Share with your mentor too" in alone.content.decode()
    assert Reflection.objects.get().shared_with_mentor  # nothing changed

def test_finishing_an_empty_reflection_keeps_what_was_typed(cast):
    create = reverse("programmes:reflection-create", args=[cast.enrolment.pk])
    response = client_for(cast.preceptee).post(f"{create}?model=driscoll", {"title": "Handover"})
    page = response.content.decode()
    assert "Write at least one part of the reflection" in page and 'value="Handover"' in page
    assert not Reflection.objects.exists()


def test_the_mentor_gives_feedback_on_a_shared_reflection(cast):
    reflection = ReflectionFactory(enrolment=cast.enrolment, shared_with_mentor=True)
    url = reverse("programmes:reflection-feedback", args=[reflection.pk])
    assert client_for(cast.preceptee).post(url, {"text": "Self praise"}).status_code == FORBIDDEN
    empty = client_for(cast.mentor).post(url, {"text": ""})
    assert "Enter your feedback." in empty.content.decode()
    client_for(cast.mentor).post(url, {"text": "Good insight into the family's worries."})
    page = client_for(cast.preceptee).get(reflection.get_absolute_url()).content.decode()
    assert "Good insight into the family&#x27;s worries." in page


# Protected time and needs assessment


@pytest.mark.parametrize(("typed", "hours"), [
    ("1:30", "1.5"), ("90 min", "1.5"), ("90 minutes", "1.5"), ("1h 30m", "1.5"), ("2 hours", "2.0"),
    ("0:45", "0.8"), ("1.5", "1.5"), ("45 mins", "0.8"),
])
def test_protected_time_is_understood_as_people_write_it(cast, today, typed, hours):
    log = reverse("programmes:protected-time-log", args=[cast.enrolment.pk])
    response = client_for(cast.mentor).post(log, {**date_parts("on", today), "hours": typed, "activity": "study"})
    assert response.status_code == 302, typed
    assert ProtectedTime.objects.get(logged_by=cast.mentor).hours == Decimal(hours)


@pytest.mark.parametrize("typed", ["1:75", "10 min", "25:00", "an hour"])
def test_protected_time_that_is_not_a_time_or_out_of_range_is_refused_beside_the_field(cast, today, typed):
    log = reverse("programmes:protected-time-log", args=[cast.enrolment.pk])
    response = client_for(cast.mentor).post(log, {**date_parts("on", today), "hours": typed, "activity": "study"})
    assert response.status_code == 200 and 'id="id_hours-error"' in response.content.decode()
    assert not ProtectedTime.objects.exists()

def test_a_programme_without_an_allowance_shows_the_hours_alone(cast, today):
    Programme.objects.filter(pk=cast.enrolment.programme_id).update(protected_hours_per_month=0)
    ProtectedTimeFactory(enrolment=cast.enrolment, hours="1.5")
    timeline = client_for(cast.mentor).get(cast.enrolment.get_absolute_url()).content.decode()
    assert "1.5 hours so far (the programme sets no allowance)" in timeline
    assert "of 0 hours" not in timeline
    page = client_for(cast.preceptee).get(reverse("programmes:protected-time", args=[cast.enrolment.pk]))
    assert "1.5 hours so far" in page.content.decode() and "of 0.0 hours" not in page.content.decode()

def test_protected_time_is_corrected_and_deleted_from_the_list_by_the_preceptee_and_mentor(cast, today):
    entry = ProtectedTimeFactory(enrolment=cast.enrolment, hours="2.0", note="Shadowed the falls team")
    listing = reverse("programmes:protected-time", args=[cast.enrolment.pk])
    correct = reverse("programmes:protected-time-correct", args=[entry.pk])
    delete = reverse("programmes:protected-time-delete", args=[entry.pk])
    page = client_for(cast.preceptee).get(listing).content.decode()
    assert correct in page and delete in page
    assert correct not in client_for(cast.line_manager).get(listing).content.decode()  # reads only
    assert statuses(cast, correct) == {
        "preceptee": OK, "mentor": OK, "line_manager": FORBIDDEN, "lead": NOT_FOUND, "head_of_service": NOT_FOUND,
        "colleague": NOT_FOUND, "outsider": NOT_FOUND, "administrator": NOT_FOUND,
    }
    # The form opens with the entry's values; a bad value is refused beside the field, keeping what was typed.
    form = client_for(cast.mentor).get(correct).content.decode()
    assert 'value="2.0"' in form and "Shadowed the falls team" in form
    bad = client_for(cast.mentor).post(correct, {**date_parts("on", today), "hours": "lots", "activity": "study",
                                                 "note": "Typed and kept"})
    assert 'id="id_hours-error"' in bad.content.decode() and "Typed and kept" in bad.content.decode()
    response = client_for(cast.mentor).post(correct, {**date_parts("on", today), "hours": "1:30", "activity": "study"})
    assert response.status_code == 302 and response.url == listing
    entry.refresh_from_db()
    assert (entry.hours, entry.on) == (Decimal("1.5"), today)
    # Delete asks first, naming the entry; the line manager cannot.
    assert "Delete this protected time?" in client_for(cast.preceptee).get(delete).content.decode()
    assert client_for(cast.line_manager).post(delete).status_code == FORBIDDEN
    assert client_for(cast.preceptee).post(delete).url == listing
    assert not ProtectedTime.objects.exists()


def test_protected_time_is_logged_and_summarised_against_the_allowance(cast, today):
    # One whole month and two weeks ago whatever the month (60 days would be two whole months in March).
    Enrolment.objects.filter(pk=cast.enrolment.pk).update(start_date=add_months(today, -1) - datetime.timedelta(days=14))
    ProtectedTimeFactory(enrolment=cast.enrolment, hours="1.0")
    url = reverse("programmes:protected-time", args=[cast.enrolment.pk])
    assert statuses(cast, url) == {
        "preceptee": OK, "mentor": OK, "line_manager": OK, "lead": NOT_FOUND, "head_of_service": NOT_FOUND,
        "colleague": NOT_FOUND, "outsider": NOT_FOUND, "administrator": NOT_FOUND,
    }
    log = reverse("programmes:protected-time-log", args=[cast.enrolment.pk])
    assert client_for(cast.line_manager).get(log).status_code == FORBIDDEN
    bad = client_for(cast.mentor).post(log, {**date_parts("on", today), "hours": "lots", "activity": "study"})
    assert "Enter the hours, for example 1.5, 1:30 or 90 min" in bad.content.decode()
    client_for(cast.mentor).post(log, {**date_parts("on", today), "hours": "1.5", "activity": "supervision"})
    assert ProtectedTime.objects.filter(logged_by=cast.mentor).get().hours == 1.5
    # One whole month at 4 hours a month: 4 hours expected, 2.5 logged.
    page = client_for(cast.preceptee).get(url).content.decode()
    assert "2.5 of 4.0 hours so far" in page and "Falling short" in page and "62%" in page


def test_the_needs_assessment_is_the_preceptees_until_shared(cast):
    url = reverse("programmes:needs-assessment", args=[cast.enrolment.pk])
    edit = reverse("programmes:needs-assessment-edit", args=[cast.enrolment.pk])
    assert statuses(cast, edit) == {
        "preceptee": OK, "mentor": FORBIDDEN, "line_manager": FORBIDDEN, "lead": NOT_FOUND,
        "head_of_service": NOT_FOUND, "colleague": NOT_FOUND, "outsider": NOT_FOUND, "administrator": NOT_FOUND,
    }
    client = client_for(cast.preceptee)
    client.post(edit, {"strengths": "Calm with families", "reasonable_adjustments": "Screen reader", "draft": "1"})
    assert "has not shared" in client_for(cast.mentor).get(url).content.decode()
    nothing = client.post(edit, {"strengths": "", "learning_needs": ""})
    assert "Fill in at least your strengths" in nothing.content.decode()
    client.post(edit, {"strengths": "Calm with families", "reasonable_adjustments": "Screen reader"})
    assert NeedsAssessment.objects.get().submitted_at is not None
    assert "Screen reader" in client_for(cast.line_manager).get(url).content.decode()
    assert client_for(cast.lead).get(url).status_code == NOT_FOUND


# Caseload, team and home


def _caseload_of(mentor, organisation, size: int, today: datetime.date) -> None:
    for n in range(size):
        enrolment = EnrolmentFactory(programme__organisation=organisation, mentor=mentor,
                                             start_date=today - datetime.timedelta(days=100 + n))
        ReflectionFactory(enrolment=enrolment, shared_with_mentor=True)


def test_caseload_is_for_mentors_overdue_first(cast, organisation, today):
    url = reverse("programmes:caseload")
    assert client_for(cast.preceptee).get(url).status_code == FORBIDDEN
    overdue = EnrolmentFactory(programme=cast.enrolment.programme, mentor=cast.mentor,
                                       next_review_due=today - datetime.timedelta(days=9))
    response = client_for(cast.mentor).get(url)
    rows = [row["id"] for row in response.context["page_obj"].object_list]  # the page's rows, as values
    assert rows[0] == overdue.pk and cast.enrolment.pk in rows
    assert "Overdue" in response.content.decode()
    only_overdue = client_for(cast.mentor).get(url, {"review": "overdue"}).context["page_obj"].object_list
    assert [row["id"] for row in only_overdue] == [overdue.pk]
    assert client_for(cast.mentor).get(url, {"status": "nonsense"}).status_code == OK


def test_caseload_query_count_does_not_grow_with_rows(organisation, today):
    mentor = person(organisation, Role.MENTOR)
    _caseload_of(mentor, organisation, 3, today)
    client = client_for(mentor)
    url = reverse("programmes:caseload")
    small, large = assert_same_queries_at_two_sizes(lambda: client.get(url),
                                                    lambda: _caseload_of(mentor, organisation, 27, today))
    assert small.status_code == large.status_code == OK
    assert len(small.context["page_obj"].object_list) == 3 and small.context["paginator"].count == 3
    assert len(large.context["page_obj"].object_list) == 25 and large.context["paginator"].count == 30
    assert "30 preceptees" in large.content.decode()


def test_caseload_pages_count_the_whole_list(organisation, today):
    mentor = person(organisation, Role.MENTOR)
    _caseload_of(mentor, organisation, 27, today)
    client = client_for(mentor)
    url = reverse("programmes:caseload")
    second = client.get(url, {"page": 2})
    assert len(second.context["page_obj"].object_list) == 2 and second.context["paginator"].count == 27
    assert second.context["page_obj"].number == 2
    last = client.get(url, {"page": "last"})
    assert last.context["page_obj"].number == 2 and last.context["paginator"].count == 27
    assert client.get(url, {"page": 3}).status_code == NOT_FOUND
    assert client.get(url, {"page": "x"}).status_code == NOT_FOUND
    empty = client_for(person(organisation, Role.MENTOR)).get(url)
    assert empty.status_code == OK and empty.context["paginator"].count == 0


def test_team_is_for_line_managers(cast):
    url = reverse("programmes:team")
    assert client_for(cast.mentor).get(url).status_code == FORBIDDEN
    response = client_for(cast.line_manager).get(url)
    assert [row["id"] for row in response.context["page_obj"].object_list] == [cast.enrolment.pk]


def test_home_panels_for_mentor_preceptee_and_line_manager(cast, today):
    Enrolment.objects.filter(pk=cast.enrolment.pk).update(next_review_due=today - datetime.timedelta(days=3))
    ReflectionFactory(enrolment=cast.enrolment, shared_with_mentor=True, title="Shared about discharge")
    ReflectionFeedbackFactory(reflection__enrolment=cast.enrolment, reflection__title="Already answered")
    ReviewFactory(enrolment=cast.enrolment, number=1)
    mentor_home = client_for(cast.mentor).get("/").content.decode()
    assert "Your caseload" in mentor_home and "1 review overdue" in mentor_home
    assert "Shared reflections awaiting your feedback" in mentor_home and "Shared about discharge" in mentor_home
    assert "Already answered" not in mentor_home
    assert 'href="/programmes/caseload/"' in mentor_home
    preceptee_home = client_for(cast.preceptee).get("/").content.decode()
    assert "Review records to acknowledge" in preceptee_home and "Review meeting 1" in preceptee_home
    assert "My preceptorship" in preceptee_home
    manager_home = client_for(cast.line_manager).get("/").content.decode()
    assert "Your team" in manager_home and str(cast.preceptee) in manager_home
    outsider_home = client_for(cast.outsider).get("/").content.decode()
    assert str(cast.preceptee) not in outsider_home and "Shared about discharge" not in outsider_home


def test_my_preceptorship_links_to_the_practice_records(cast):
    page = client_for(cast.preceptee).get(reverse("programmes:my-preceptorship")).content.decode()
    for name in ("review-list", "goal-list", "reflection-list", "protected-time", "needs-assessment"):
        assert reverse(f"programmes:{name}", args=[cast.enrolment.pk]) in page
    assert str(cast.enrolment.programme) not in client_for(cast.colleague).get(
        reverse("programmes:my-preceptorship")).content.decode()
    NeedsAssessmentFactory(enrolment=cast.enrolment)


def test_the_enrolment_page_links_show_what_the_viewer_may_open(cast):
    template = Template('{% include "programmes/practice/includes/enrolment_links.html" %}')
    links = {name: reverse(f"programmes:{name}", args=[cast.enrolment.pk]) for name in ("review-list", "goal-list")}
    for viewer, shown in [(cast.preceptee, {"review-list", "goal-list"}), (cast.line_manager, {"review-list", "goal-list"}),
                          (cast.lead, {"review-list"}), (cast.head_of_service, set())]:
        html = template.render(Context({"enrolment": cast.enrolment, "user": viewer}))
        assert {name for name, href in links.items() if href in html} == shown, viewer


def _fill(enrolment, size: int) -> None:
    for n in range(size):
        GoalFactory(enrolment=enrolment)
        ReviewFactory(enrolment=enrolment, number=n + 1)
        ReflectionFactory(enrolment=enrolment, shared_with_mentor=True)
        ProtectedTimeFactory(enrolment=enrolment)


# Every list: session, user, memberships (access), the enrolment, the rows, unread notifications;
# the review meetings add the mentor's draft record (saved to finish later); goals add their progress notes and competencies (two prefetches); protected time adds the
# paginator's count, the hours received and the pauses for the summary.
@pytest.mark.parametrize("size", [2, 12])
@pytest.mark.parametrize(("name", "queries"), [
    ("review-list", 7), ("goal-list", 8), ("reflection-list", 6), ("protected-time", 9),
])
def test_enrolment_lists_take_the_same_number_of_queries_at_two_sizes(
    cast, django_assert_num_queries, size, name, queries
):
    _fill(cast.enrolment, size)
    client = client_for(cast.mentor)
    with django_assert_num_queries(queries):
        response = client.get(reverse(f"programmes:{name}", args=[cast.enrolment.pk]))
    assert response.status_code == OK
    assert len(response.context["object_list"]) == size


def test_odd_filters_and_pages_never_break_the_caseload(cast):
    client = client_for(cast.mentor)
    url = reverse("programmes:caseload")
    assert client.get(url, {"programme": "abc", "review": "soon"}).status_code == OK
    assert client.get(url, {"page": "abc"}).status_code == NOT_FOUND


def test_the_caseload_sorts_and_downloads_what_is_filtered(cast, today):
    overdue = EnrolmentFactory(programme=cast.enrolment.programme, mentor=cast.mentor,
                               preceptee__last_name="Aardvark", next_review_due=today - datetime.timedelta(days=9))
    client = client_for(cast.mentor)
    url = reverse("programmes:caseload")
    by_name = client.get(url, {"sort": "name"}).context["page_obj"].object_list
    assert [e["preceptee__last_name"] for e in by_name] == sorted([overdue.preceptee.last_name,
                                                               cast.preceptee.last_name])
    response = client.get(url, {"review": "overdue", "format": "csv"})
    assert response["Content-Type"].startswith("text/csv")
    lines = response.content.decode("utf-8-sig").strip().splitlines()
    assert lines[0].startswith("preceptee,profession,programme,status") and len(lines) == 2
    assert str(overdue.preceptee) in lines[1] and ",yes," in lines[1]


def test_a_meeting_without_its_discussion_names_the_question(cast, today):
    response = client_for(cast.mentor).post(
        reverse("programmes:review-record", args=[cast.enrolment.pk]), review_post(today, discussion="")
    )
    page = response.content.decode()
    assert "Enter what was discussed at the meeting" in page and "This field is required" not in page
    assert not ReviewMeeting.objects.exists()
