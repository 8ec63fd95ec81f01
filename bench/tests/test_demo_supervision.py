"""The supervision demo: two notes with objectives on Rosa Delgado's case, safe to run twice."""

from __future__ import annotations

import pytest
from django.utils import timezone

from bench.demo import directory as directory_demo
from bench.demo import progression as progression_demo
from bench.demo import supervision as demo
from progression.supervision.models import LearningObjective, SupervisionNote

pytestmark = pytest.mark.django_db


def test_two_notes_on_the_case_being_evidenced_and_running_twice_changes_nothing():
    today = timezone.localdate()
    directory = directory_demo.build(password="demo-password-1", today=today)
    cases = progression_demo.build(directory=directory, today=today)
    demo.build(directory=directory, today=today)
    notes = SupervisionNote.objects.all()
    assert notes.count() == 2 and {note.case for note in notes} == {cases["practitioner_sw"]}
    assert {note.written_by for note in notes} == {cases["practitioner_sw"].line_manager}
    assert LearningObjective.objects.count() == 3
    demo.build(directory=directory, today=today)
    assert (SupervisionNote.objects.count(), LearningObjective.objects.count()) == (2, 3)
