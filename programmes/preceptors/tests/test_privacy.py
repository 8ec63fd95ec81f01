"""A mentor's preceptor records are in their subject access export, and erasure removes their own
wellbeing notes and blanks their free text (the hours and scores stay for the figures)."""

from __future__ import annotations

import datetime
from decimal import Decimal

import pytest

from preceptorship.models import Membership
from preceptorship.tests.factories import person
from programmes.models import Enrolment
from programmes.preceptors import services
from programmes.preceptors.models import Preceptor, PreceptorEvaluation, PreceptorWellbeing, TimeGiven
from programmes.privacy import services as privacy_services
from programmes.privacy.tests.test_exports import _built, _ids
from programmes.tests.factories import EnrolmentFactory, ProgrammeFactory
from programmes.tests.factories_practice import ReviewFactory

pytestmark = pytest.mark.django_db
Role = Membership.Role


def _mentor_with_records(organisation, today):
    enrolment = EnrolmentFactory(programme=ProgrammeFactory(organisation=organisation),
                                 start_date=today - datetime.timedelta(days=200))
    mentor = enrolment.mentor
    line = Preceptor.objects.get(user=mentor, organisation=organisation)
    services.preceptor_training_update(actor=mentor, preceptor=line, completed_on=today, course="Preceptor course")
    services.time_given_log(actor=mentor, enrolment=enrolment, on=today, hours=Decimal(2), note="Supervision notes")
    review = ReviewFactory(enrolment=enrolment, held_on=today - datetime.timedelta(days=3))
    services.preceptor_wellbeing_record(actor=mentor, review=review, score=2, note="Feeling stretched thin")
    services.preceptor_evaluation_submit(actor=mentor, preceptor=line, year=today.year, answers={
        "prepared": 3, "time_enough": 2, "supported": 4, "again": "maybe", "comments": "More time please"})
    return enrolment, mentor


def test_the_mentors_export_holds_their_preceptor_records(organisation, today):
    _enrolment, mentor = _mentor_with_records(organisation, today)
    _export, data, index, _archive = _built(mentor, person(organisation, Role.DATA_PROTECTION))
    assert len(_ids(data, "preceptor_records")) == 1 and len(_ids(data, "time_given")) == 1
    assert len(_ids(data, "preceptor_wellbeing")) == 1 and len(_ids(data, "preceptor_evaluations")) == 1
    assert "Feeling stretched thin" in index and "More time please" in index


def test_erasure_removes_the_mentors_wellbeing_and_free_text(organisation, today):
    enrolment, mentor = _mentor_with_records(organisation, today)
    Enrolment.objects.filter(pk=enrolment.pk).update(mentor=person(organisation, Role.MENTOR))
    dpo = person(organisation, Role.DATA_PROTECTION)
    privacy_services.person_erase(actor=dpo, person=mentor)
    assert not PreceptorWellbeing.objects.filter(mentor=mentor).exists()
    assert TimeGiven.objects.get(mentor=mentor).note == "" and TimeGiven.objects.get(mentor=mentor).hours == 2
    assert PreceptorEvaluation.objects.get(mentor=mentor).comments == ""
