"""The demo shows a preceptorship finished years ago behind two draft progression cases: the case's
eligibility names it, and evidence on the case links its shared reflection and a review meeting."""

from __future__ import annotations

import io

import pytest
from django.core.management import call_command
from django.utils import timezone
from django.utils.html import escape

from bench.demo.history import PROGRAMME
from preceptorship.models import AuditEntry, Notification
from programmes.models import EvidenceLink, Reflection, ReviewMeeting
from progression import selectors
from progression.models import ProgressionCase

pytestmark = pytest.mark.django_db


def test_demo_draft_cases_name_a_completed_preceptorship_and_link_its_records(seeded_demo, client):
    cases = list(ProgressionCase.objects.filter(practitioner__email__in=[
        "rosa.delgado@council.dalesford.example", "hollie.quinn@council.dalesford.example"]).select_related(
        "practitioner", "practitioner__profession"))
    assert len(cases) == 2
    this_year = timezone.localdate().year
    for case in cases:
        assert case.stage == ProgressionCase.Stage.DRAFT
        found = selectors.eligibility(case.practitioner).preceptorship
        assert found.startswith(f"{PROGRAMME}, completed ")
        assert int(found.split(":")[0][-4:]) <= this_year - 2  # a few years ago
        links = EvidenceLink.objects.filter(evidence__case=case)
        assert {bool(link.reflection_id) for link in links} == {True, False}  # a reflection and a review meeting
        reflection = links.exclude(reflection=None).get().reflection
        assert reflection.status == Reflection.Status.FINISHED and reflection.shared_with_line_manager
        assert links.exclude(review=None).get().review.held_on.year <= this_year - 2
        # The line manager reads the case with both records named and linked.
        client.force_login(case.line_manager)
        page = client.get(case.get_absolute_url()).content.decode()
        assert escape(found) in page and escape(reflection.title) in page and reflection.get_absolute_url() in page
    # The history's messages were read years ago; nothing about it waits in anyone's inbox.
    assert not Notification.objects.filter(read_at=None, subject__icontains="completed your preceptorship").exclude(
        recipient__email="ben.carter@council.dalesford.example").exists()


def test_running_the_demo_twice_adds_no_second_history():
    call_command("seed_demo", password="demo-password-1", stdout=io.StringIO())
    counts = (EvidenceLink.objects.count(), Reflection.objects.count())
    call_command("seed_demo", password="demo-password-1", stdout=io.StringIO())
    assert (EvidenceLink.objects.count(), Reflection.objects.count()) == counts


def test_demo_history_shows_a_missed_meeting_and_its_new_date(seeded_demo, client):
    missed = ReviewMeeting.objects.filter(status=ReviewMeeting.Status.MISSED,
                                          enrolment__programme__name=PROGRAMME).select_related("enrolment")
    assert missed.count() == 2  # one in each of the two finished preceptorships
    for review in missed:
        enrolment = review.enrolment
        held = enrolment.reviews.get(status=ReviewMeeting.Status.HELD, number=review.number)
        assert review.next_meeting_on == held.held_on and review.recorded_at.date() < held.held_on
        assert AuditEntry.objects.filter(action="review.missed", object_id=str(review.pk)).exists()
        client.force_login(enrolment.preceptee)
        timeline = client.get(enrolment.get_absolute_url()).content.decode()
        assert f"Review {review.number} missed" in timeline and "urgent safeguarding visit" in timeline
