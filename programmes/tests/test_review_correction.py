"""Correcting a review meeting within 7 days covers what recording covers: the meeting, the progress
noted on each goal and the actions agreed (owner and due date), each change in the audit log with
its before and after. Through the service and through the correction form."""

from __future__ import annotations

import datetime
from http import HTTPStatus

import pytest
from django.core.exceptions import ValidationError
from django.test import Client
from django.urls import reverse

from preceptorship.models import AuditEntry
from programmes import services
from programmes.models import Goal, GoalUpdate, ReviewAction
from programmes.services import ActionItem
from programmes.tests.factories_practice import GoalFactory, make_cast

pytestmark = pytest.mark.django_db


@pytest.fixture
def held(today: datetime.date) -> datetime.date:
    """The day the meeting was held."""
    return today - datetime.timedelta(days=2)


@pytest.fixture
def due(today: datetime.date) -> datetime.date:
    """The due date of the meeting's first action."""
    return today + datetime.timedelta(days=30)


@pytest.fixture
def cast(organisation, other_organisation):
    return make_cast(organisation, other_organisation)


@pytest.fixture
def meeting(cast, held, due):
    """A meeting recorded with progress on two goals and two actions."""
    assessments = GoalFactory(enrolment=cast.enrolment, what="Assess for seating on my own")
    reports = GoalFactory(enrolment=cast.enrolment, what="Write concise reports")
    review = services.review_record(
        actor=cast.mentor, enrolment=cast.enrolment, held_on=held, discussion="Caseload and supervision.",
        wellbeing=4, confidence=3,
        goal_progress={assessments.pk: "Two of three done.", reports.pk: "Started a template."},
        actions=[ActionItem("Book a seating clinic", "preceptee", due), ActionItem("Find a report example", "mentor")],
    )
    return review, assessments, reports


def correction(review, **changes):
    fields = {"held_on": review.held_on, "discussion": review.discussion, "wellbeing": review.wellbeing,
              "confidence": review.confidence}
    return {**fields, **changes}


def test_a_correction_changes_removes_and_adds_goal_progress_and_replaces_the_actions(cast, meeting, due):
    review, assessments, reports = meeting
    third = GoalFactory(enrolment=cast.enrolment, what="Present at the OT forum")
    services.review_correct(
        actor=cast.mentor, review=review,
        goal_progress={assessments.pk: "All three done.", reports.pk: "", third.pk: "Booked for March."},
        actions=[ActionItem("Book a seating clinic", "line_manager", due + datetime.timedelta(days=7))],
        **correction(review),
    )
    notes = {u.goal_id: u.note for u in GoalUpdate.objects.filter(review=review)}
    assert notes == {assessments.pk: "All three done.", third.pk: "Booked for March."}
    assert [(a.description, a.owner, a.due_on) for a in ReviewAction.objects.filter(review=review)] == [
        ("Book a seating clinic", "line_manager", due + datetime.timedelta(days=7)),
    ]
    entry = AuditEntry.objects.get(action="review.correct")
    assert entry.before["goal_progress"] == {str(assessments.pk): "Two of three done.",
                                             str(reports.pk): "Started a template."}
    assert entry.after["goal_progress"] == {str(assessments.pk): "All three done.", str(third.pk): "Booked for March."}
    assert entry.before["actions"][1] == {"description": "Find a report example", "owner": "mentor", "due_on": None}
    assert entry.after["actions"] == [{"description": "Book a seating clinic", "owner": "line_manager",
                                       "due_on": (due + datetime.timedelta(days=7)).isoformat()}]
    assert "discussion" not in entry.after  # only what changed


def test_a_corrected_date_moves_the_goal_progress_with_it(cast, meeting, held):
    review, assessments, _ = meeting
    earlier = held - datetime.timedelta(days=1)
    services.review_correct(actor=cast.mentor, review=review, **correction(review, held_on=earlier))
    assert set(GoalUpdate.objects.filter(review=review).values_list("on", flat=True)) == {earlier}
    # Without goal progress or actions given, both stay as recorded.
    assert GoalUpdate.objects.filter(review=review).count() == 2 and review.actions.count() == 2


def test_an_action_without_an_owner_is_refused_and_nothing_changes(cast, meeting):
    review, *_ = meeting
    with pytest.raises(ValidationError):
        services.review_correct(actor=cast.mentor, review=review, actions=[ActionItem("Who does this?", "")],
                                **correction(review))
    assert review.actions.count() == 2


def date_parts(name: str, day: datetime.date | None) -> dict[str, str]:
    if day is None:
        return {f"{name}_0": "", f"{name}_1": "", f"{name}_2": ""}
    return {f"{name}_0": str(day.day), f"{name}_1": str(day.month), f"{name}_2": str(day.year)}


def form_post(review, **changes) -> dict:
    data = {
        **date_parts("held_on", review.held_on), "attended": ["preceptee", "mentor"],
        "discussion": review.discussion, "wellbeing": str(review.wellbeing), "confidence": str(review.confidence),
        **date_parts("next_meeting_on", review.next_meeting_on),
    }
    data.update(changes)
    return data


def test_the_correction_form_shows_and_saves_goal_progress_and_actions(cast, meeting, due):
    review, assessments, reports = meeting
    Goal.objects.filter(pk=reports.pk).update(status=Goal.Status.ACHIEVED)  # reviewed then, so still offered
    client = Client()
    client.force_login(cast.mentor)
    url = reverse("programmes:review-correct", args=[review.pk])
    form = client.get(url).context["form"]
    assert form[f"goal_{assessments.pk}"].value() == "Two of three done."
    assert form[f"goal_{reports.pk}"].value() == "Started a template."
    assert form["action_1"].value() == "Book a seating clinic" and form["action_1_owner"].value() == "preceptee"
    assert form["action_2"].value() == "Find a report example" and form["action_3"].value() in (None, "")

    # An action without an owner: the message beside it, and what was typed is kept.
    bad = client.post(url, form_post(review, **{f"goal_{assessments.pk}": "All done.", "action_3": "Shadow a peer"}))
    assert bad.status_code == HTTPStatus.OK
    assert "Choose who will do action 3" in bad.content.decode() and "All done." in bad.content.decode()

    response = client.post(url, form_post(review, **{
        f"goal_{assessments.pk}": "All done.", f"goal_{reports.pk}": "Started a template.",
        "action_1": "Book a seating clinic", "action_1_owner": "preceptee", **date_parts("action_1_due", due),
        "action_3": "Shadow a peer", "action_3_owner": "mentor",
    }))
    assert response.status_code == HTTPStatus.FOUND
    assert list(review.actions.values_list("description", "owner")) == [
        ("Book a seating clinic", "preceptee"), ("Shadow a peer", "mentor"),
    ]
    assert GoalUpdate.objects.get(review=review, goal=assessments).note == "All done."
    page = client.get(review.get_absolute_url()).content.decode()
    assert "Shadow a peer" in page and "All done." in page and "Find a report example" not in page
