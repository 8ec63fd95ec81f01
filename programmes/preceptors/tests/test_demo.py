"""The demo's preceptor register shows a trained mentor, one with an agreed exception and one flagged."""

from __future__ import annotations

import pytest

from bench.demo.directory import PEOPLE
from preceptorship.models import Organisation, User
from programmes.preceptors import selectors
from programmes.preceptors.models import Preceptor, PreceptorWellbeing, TimeGiven

pytestmark = pytest.mark.django_db

EMAILS = {row[0]: row[3] for row in PEOPLE}


def _line(key: str, today):
    council = Organisation.objects.get(name__startswith="Dalesford County Council")
    preceptor = Preceptor.objects.select_related("user").get(user__email=EMAILS[key], organisation=council)
    return selectors.lines([preceptor], today)[0]


def test_the_council_register_has_a_trained_an_excepted_and_a_flagged_mentor(seeded_demo, today):
    trained, excepted, flagged = (_line(key, today) for key in ("mentor_ot", "mentor_sw", "manager_ot"))
    assert trained.flags == [] and not trained.record.has_exception
    assert excepted.flags == [] and excepted.record.has_exception
    assert flagged.flags == [selectors.NO_TRAINING]
    assert trained.given > 0 and trained.allowance == 40


def test_the_mentor_has_time_and_wellbeing_of_their_own(seeded_demo):
    maya = User.objects.get(email=EMAILS["mentor_ot"])
    assert TimeGiven.objects.filter(mentor=maya).exists()
    assert PreceptorWellbeing.objects.filter(mentor=maya).exists()
