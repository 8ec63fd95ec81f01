"""A subject access export holds the supervision notes and objectives on the person's cases; erasure
deletes them (the case must be closed first, as for everything else on it)."""

from __future__ import annotations

import datetime

import pytest

from preceptorship.models import Membership
from preceptorship.tests.factories import person
from programmes.privacy import services as privacy
from programmes.privacy.services.exports import collect
from progression.models import ProgressionCase
from progression.supervision import services
from progression.supervision.models import LearningObjective, SupervisionEvidenceLink, SupervisionNote

pytestmark = pytest.mark.django_db


def _note(cast, case, today):
    note = services.supervision_note_record(actor=cast.manager, case=case, kind="supervision",
                                            held_on=today, discussion="Worker's supervision words")
    services.learning_objective_add(actor=cast.manager, note=note, text="Worker's objective words",
                                    target_date=today + datetime.timedelta(days=30))
    return note


def test_the_export_holds_the_notes_and_objectives_of_the_persons_cases_only(cast, case, today):
    _note(cast, case, today)
    sections = {section.key: section for section in collect(cast.practitioner).sections}
    assert sections["supervision_notes"].rows[0]["discussion"] == "Worker's supervision words"
    assert sections["learning_objectives"].rows[0]["text"] == "Worker's objective words"
    others = {section.key: section for section in collect(cast.colleague).sections}
    assert others["supervision_notes"].rows == [] and others["learning_objectives"].rows == []


def test_erasure_deletes_the_notes_and_their_objectives(cast, case, today, organisation):
    _note(cast, case, today)
    ProgressionCase.objects.filter(pk=case.pk).update(stage=ProgressionCase.Stage.CONFIRMED)
    dpo = person(organisation, Membership.Role.DATA_PROTECTION)
    goes, _ = privacy.erasure_preview(person=cast.practitioner)
    assert any("Supervision notes" in line.what and line.count == 1 for line in goes)
    privacy.person_erase(actor=dpo, person=cast.practitioner)
    assert not SupervisionNote.objects.exists() and not LearningObjective.objects.exists()
    assert not SupervisionEvidenceLink.objects.exists()
