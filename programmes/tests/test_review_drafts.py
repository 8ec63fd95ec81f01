"""A review record saved to finish later: through the services and HTTP. The draft keeps everything
typed (attendees, actions, goal progress, answers) without the record's checks, tells nobody, does
not count as a meeting held, is hidden from the preceptee, comes back on the form, and goes when the
record is saved or the draft discarded; both are audited."""

from __future__ import annotations

import datetime
from http import HTTPStatus

import pytest
from django.test import Client
from django.urls import reverse

from preceptorship.models import AuditEntry, Notification
from programmes import services
from programmes.models import ReviewDraft, ReviewMeeting
from programmes.tests.factories_practice import GoalFactory, make_cast

pytestmark = pytest.mark.django_db


@pytest.fixture
def cast(organisation, other_organisation):
    return make_cast(organisation, other_organisation)


def client_for(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def record_url(enrolment) -> str:
    return reverse("programmes:review-record", args=[enrolment.pk])


def half_typed(goal_pk: int) -> dict:
    """A form left half done: no scores (required on the record), a date and an action typed, a goal noted."""
    return {
        "held_on_0": "3", "held_on_1": "", "held_on_2": "2026",  # unfinished: refused on a record
        "attended": ["preceptee", "line_manager"], "attended_others": "A practice educator",
        "discussion": "Caseload worries; a complex discharge.", "protected_time_received": "partly",
        f"goal_{goal_pk}": "One assessment done.",
        "action_1": "Book a shadowing day", "action_1_owner": "preceptee",
        "action_1_due_0": "12", "action_1_due_1": "9", "action_1_due_2": "2031",
        "action_2_owner": "mentor",  # no description: refused on a record, kept on a draft
        "draft": "Save and finish later",
    }


def test_save_and_finish_later_keeps_everything_and_records_nothing(cast):
    goal = GoalFactory(enrolment=cast.enrolment)
    mentor = client_for(cast.mentor)
    response = mentor.post(record_url(cast.enrolment), half_typed(goal.pk))
    assert response.status_code == HTTPStatus.FOUND
    assert response["Location"] == cast.enrolment.get_absolute_url()
    draft = ReviewDraft.objects.get()
    assert draft.number == 1 and draft.saved_by == cast.mentor
    assert draft.answers["attended"] == ["preceptee", "line_manager"]
    assert draft.answers["action_2_owner"] == ["mentor"]
    assert "draft" not in draft.answers and "csrfmiddlewaretoken" not in draft.answers
    # Not held, nobody told.
    assert not ReviewMeeting.objects.exists()
    cast.enrolment.refresh_from_db()
    assert cast.enrolment.reviews_held == 0
    assert not Notification.objects.exists()
    assert AuditEntry.objects.filter(action="review.draft_save", actor=cast.mentor).count() == 1

    # Back on the form, everything is as it was left.
    form = mentor.get(record_url(cast.enrolment)).context["form"]
    assert form["attended"].value() == ["preceptee", "line_manager"]
    assert form["attended_others"].value() == "A practice educator"
    assert form["discussion"].value() == "Caseload worries; a complex discharge."
    assert form["protected_time_received"].value() == "partly"
    assert form[f"goal_{goal.pk}"].value() == "One assessment done."
    assert form["action_1"].value() == "Book a shadowing day" and form["action_1_owner"].value() == "preceptee"
    assert form["action_1_due"].value() == "2031-09-12"
    assert form["action_2_owner"].value() == "mentor"
    assert list(form["held_on"].value().parts) == ["3", "", "2026"]
    assert not form.is_bound  # no error messages on returning


def test_saving_the_draft_again_changes_the_one_draft(cast):
    mentor = client_for(cast.mentor)
    mentor.post(record_url(cast.enrolment), {"discussion": "First words", "draft": "1"})
    mentor.post(record_url(cast.enrolment), {"discussion": "More words", "draft": "1"})
    assert ReviewDraft.objects.get().answers["discussion"] == ["More words"]
    assert AuditEntry.objects.filter(action="review.draft_save").count() == 2


def test_recording_the_meeting_removes_the_draft(cast, today):
    mentor = client_for(cast.mentor)
    mentor.post(record_url(cast.enrolment), {"discussion": "Half", "draft": "1"})
    held = today - datetime.timedelta(days=1)
    response = mentor.post(record_url(cast.enrolment), {
        "held_on_0": str(held.day), "held_on_1": str(held.month), "held_on_2": str(held.year),
        "attended": ["preceptee", "mentor"], "discussion": "All of it", "wellbeing": "4", "confidence": "3",
    })
    assert response.status_code == HTTPStatus.FOUND
    assert ReviewMeeting.objects.get().discussion == "All of it"
    assert not ReviewDraft.objects.exists()
    assert "Review record in progress" not in mentor.get(cast.enrolment.get_absolute_url()).content.decode()


def test_the_draft_shows_where_the_mentor_returns_and_never_to_the_preceptee(cast):
    client_for(cast.mentor).post(record_url(cast.enrolment), {"discussion": "Private notes", "draft": "1"})
    continue_link = f'href="{record_url(cast.enrolment)}">Review record in progress — continue'
    mentor = client_for(cast.mentor)
    assert continue_link in mentor.get(cast.enrolment.get_absolute_url()).content.decode()
    assert "Review record in progress — continue" in mentor.get(reverse("programmes:caseload")).content.decode()
    review_list = mentor.get(reverse("programmes:review-list", args=[cast.enrolment.pk])).content.decode()
    assert continue_link in review_list
    for other in (cast.preceptee, cast.line_manager, cast.lead):
        for url in (cast.enrolment.get_absolute_url(), reverse("programmes:review-list", args=[cast.enrolment.pk])):
            page = client_for(other).get(url).content.decode()
            assert "Review record in progress" not in page and "Private notes" not in page


def test_a_draft_can_be_discarded_by_the_mentor_only(cast):
    services.review_draft_save(actor=cast.mentor, enrolment=cast.enrolment, answers={"discussion": "Notes"})
    url = reverse("programmes:review-draft-discard", args=[cast.enrolment.pk])
    assert client_for(cast.preceptee).post(url).status_code == HTTPStatus.FORBIDDEN
    assert client_for(cast.outsider).post(url).status_code == HTTPStatus.NOT_FOUND
    assert ReviewDraft.objects.exists()
    response = client_for(cast.mentor).post(url, follow=True)
    assert "The draft review record is discarded." in response.content.decode()
    assert not ReviewDraft.objects.exists()
    assert AuditEntry.objects.filter(action="review.draft_discard", actor=cast.mentor).count() == 1
    # Twice: said plainly, no error page.
    again = client_for(cast.mentor).post(url, follow=True)
    assert again.status_code == HTTPStatus.OK and "no draft review record" in again.content.decode()
    form = client_for(cast.mentor).get(record_url(cast.enrolment)).context["form"]
    assert not form["discussion"].value()


def test_a_draft_from_a_meeting_recorded_since_is_not_restored(cast):
    services.review_draft_save(actor=cast.mentor, enrolment=cast.enrolment, answers={"discussion": "Old notes"})
    type(cast.enrolment).objects.filter(pk=cast.enrolment.pk).update(reviews_held=1)
    form = client_for(cast.mentor).get(record_url(cast.enrolment)).context["form"]
    assert form["discussion"].value() != "Old notes"


def test_hostile_draft_input_is_kept_as_text_or_dropped(cast):
    response = client_for(cast.mentor).post(record_url(cast.enrolment), {
        "discussion": "<script>alert(1)</script>" * 50, "wellbeing": "99", "held_on_0": "\x00",
        "not_a_field": "x" * 1000, "draft": "1",
    })
    assert response.status_code == HTTPStatus.FOUND
    answers = ReviewDraft.objects.get().answers
    assert "not_a_field" not in answers and answers["wellbeing"] == ["99"]
    page = client_for(cast.mentor).get(record_url(cast.enrolment))
    assert page.status_code == HTTPStatus.OK
    assert "<script>alert(1)</script>" not in page.content.decode()


def test_stripping_a_finished_enrolment_deletes_its_draft(cast):
    from programmes.privacy.services.common import strip_enrolment

    services.review_draft_save(actor=cast.mentor, enrolment=cast.enrolment, answers={"discussion": "Private"})
    strip_enrolment(cast.enrolment)
    assert not ReviewDraft.objects.exists()
