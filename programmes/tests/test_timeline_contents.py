"""What the timeline shows to each person who may open it: reviews held, due and cancelled with
their new date, pauses, extensions, goals achieved and reflections shared; a goal's words only to
the preceptee, mentor and line manager, and links only to pages the viewer may open."""

from __future__ import annotations

import datetime
from http import HTTPStatus

import pytest
from django.test import Client
from django.urls import reverse

from programmes import services
from programmes.models import ReviewMeeting
from programmes.tests.factories_practice import GoalFactory, ReviewFactory, make_cast


@pytest.fixture
def cast(organisation, other_organisation, today):
    cast = make_cast(organisation, other_organisation)
    enrolment = cast.enrolment
    enrolment.start_date = today - datetime.timedelta(days=200)
    enrolment.save()
    services.enrolment_extend(actor=cast.lead, enrolment=enrolment, months=2, reason="Time lost to a long illness")
    return cast


def page_for(user, enrolment) -> str:
    client = Client()
    client.force_login(user)
    response = client.get(reverse("programmes:enrolment-detail", args=[enrolment.pk]))
    assert response.status_code == HTTPStatus.OK
    return response.content.decode()


def test_goal_words_reach_the_practice_roles_only(cast, today):
    goal = GoalFactory(enrolment=cast.enrolment, what="Lead a falls prevention group", achieved_on=today)
    for who in (cast.preceptee, cast.mentor, cast.line_manager):
        page = page_for(who, cast.enrolment)
        assert "Goal achieved" in page and "Lead a falls prevention group" in page
        assert goal.get_absolute_url() in page
    for who in (cast.lead, cast.head_of_service):
        page = page_for(who, cast.enrolment)
        assert "Goal achieved" in page, "the fact (a total) stays on the line"
        assert "Lead a falls prevention group" not in page and goal.get_absolute_url() not in page


def test_review_links_only_for_those_who_may_open_the_record(cast, today):
    held = ReviewFactory(enrolment=cast.enrolment, number=1, held_on=today - datetime.timedelta(days=100))
    assert "Review 1 held" in page_for(cast.lead, cast.enrolment)
    assert held.get_absolute_url() in page_for(cast.lead, cast.enrolment)
    page = page_for(cast.head_of_service, cast.enrolment)
    assert "Review 1 held" in page and held.get_absolute_url() not in page


def test_a_cancelled_meeting_shows_its_new_date_and_its_reason_to_those_who_read_the_records(cast, today):
    new_date = today + datetime.timedelta(days=9)
    review = services.review_mark_not_held(
        actor=cast.mentor, enrolment=cast.enrolment, status=ReviewMeeting.Status.CANCELLED,
        reason="Clinic moved", new_date=new_date,
    )
    moved = f"New date {new_date:%-d %B %Y}."
    for who in (cast.preceptee, cast.mentor, cast.lead):
        page = page_for(who, cast.enrolment)
        assert "Review 1 cancelled" in page and "Clinic moved" in page and moved in page
        assert review.get_absolute_url() in page
    page = page_for(cast.head_of_service, cast.enrolment)
    assert "Review 1 cancelled" in page and moved in page
    assert "Clinic moved" not in page and review.get_absolute_url() not in page


def test_an_extension_is_on_the_line_for_everyone_who_sees_it(cast):
    for who in (cast.preceptee, cast.mentor, cast.lead, cast.head_of_service):
        page = page_for(who, cast.enrolment)
        assert "Extended by 2 months" in page and "Time lost to a long illness" in page


def test_a_new_extension_shows_on_the_next_request(cast):
    assert "Extended by 3 months" not in page_for(cast.mentor, cast.enrolment)
    services.enrolment_extend(actor=cast.lead, enrolment=cast.enrolment, months=3, reason="A second illness")
    assert "Extended by 3 months" in page_for(cast.mentor, cast.enrolment)


def test_outsiders_still_get_not_found(cast):
    client = Client()
    client.force_login(cast.outsider)
    response = client.get(reverse("programmes:enrolment-detail", args=[cast.enrolment.pk]))
    assert response.status_code == HTTPStatus.NOT_FOUND


def test_the_preceptee_is_asked_for_the_needs_assessment_until_they_share_it(cast):
    enrolment = cast.enrolment
    assert "Fill in your needs assessment" in page_for(cast.preceptee, enrolment)
    assert "Fill in your needs assessment" not in page_for(cast.mentor, enrolment)
    services.needs_assessment_save(actor=cast.preceptee, enrolment=enrolment, submit=False, strengths="Listening")
    assert "Fill in your needs assessment" in page_for(cast.preceptee, enrolment), "a draft is not shared yet"
    client = Client()
    client.force_login(cast.preceptee)
    assert "Fill in your needs assessment" in client.get(reverse("home")).content.decode(), "on their home too"
    services.needs_assessment_save(actor=cast.preceptee, enrolment=enrolment, submit=True)
    assert "Fill in your needs assessment" not in page_for(cast.preceptee, enrolment)
    assert "Fill in your needs assessment" not in client.get(reverse("home")).content.decode()


def test_recording_review_1_points_the_mentor_to_the_needs_assessment(cast, today):
    client = Client()
    client.force_login(cast.mentor)
    url = reverse("programmes:review-record", args=[cast.enrolment.pk])
    needs = reverse("programmes:needs-assessment", args=[cast.enrolment.pk])
    assert needs in client.get(url).content.decode()
    ReviewFactory(enrolment=cast.enrolment, number=1, held_on=today - datetime.timedelta(days=100))
    cast.enrolment.reviews_held = 1
    cast.enrolment.save()
    assert needs not in client.get(url).content.decode()


def test_the_needs_assessment_page_opens_before_it_is_started(cast):
    url = reverse("programmes:needs-assessment", args=[cast.enrolment.pk])
    assert url in page_for(cast.preceptee, cast.enrolment)
    for who, words in ((cast.preceptee, "You have not filled in your needs assessment yet"),
                       (cast.mentor, "has not shared their needs assessment yet")):
        client = Client()
        client.force_login(who)
        response = client.get(url)
        assert response.status_code == HTTPStatus.OK and words in response.content.decode()


def test_goal_totals_reach_everyone_who_sees_the_page(cast, today):
    GoalFactory(enrolment=cast.enrolment, what="Lead a falls prevention group", status="achieved", achieved_on=today)
    GoalFactory(enrolment=cast.enrolment, what="Present a case")
    GoalFactory(enrolment=cast.enrolment, what="Learn a dropped skill", status="dropped", status_reason="Role changed")
    for who in (cast.preceptee, cast.mentor, cast.lead, cast.head_of_service):
        assert "1 achieved of 2 set" in page_for(who, cast.enrolment)
    assert "Present a case" not in page_for(cast.lead, cast.enrolment)


def test_a_meeting_beyond_the_schedule_is_on_the_line_too(cast, today):
    enrolment = cast.enrolment
    scheduled = len(services.enrolment_schedule(enrolment).reviews)
    for number in range(1, scheduled + 2):
        ReviewFactory(enrolment=enrolment, number=number, held_on=today - datetime.timedelta(days=60 - number))
    page = page_for(cast.mentor, enrolment)
    assert f"Review {scheduled + 1} held" in page and f"Review {scheduled} held" in page


def test_the_preceptees_home_leads_with_what_to_do_first(cast, today):
    client = Client()
    client.force_login(cast.preceptee)

    def first_task() -> str:
        page = client.get(reverse("home")).content.decode()
        if "data-first-task" not in page:
            return ""
        return page.split("data-first-task", 1)[1].split("</div>", 1)[0]

    enrolment = cast.enrolment
    assert "Fill in your needs assessment" in first_task()
    services.needs_assessment_save(actor=cast.preceptee, enrolment=enrolment, submit=True, strengths="Listening")
    assert first_task() == ""  # nothing waits for them
    review = ReviewFactory(enrolment=enrolment, number=1, acknowledged_at=None)
    assert "acknowledge it" in first_task() and review.get_absolute_url() in first_task()
    services.review_acknowledge(actor=cast.preceptee, review=review)
    assert first_task() == ""
    # Completed: the evaluation is asked for first, and the certificate is linked.
    enrolment.status = enrolment.Status.COMPLETED
    enrolment.completed_on = today
    enrolment.save(update_fields=["status", "completed_on"])
    assert reverse("programmes:evaluation", args=[enrolment.pk]) in first_task()
    assert reverse("programmes:certificate", args=[enrolment.pk]) in client.get(reverse("home")).content.decode()
