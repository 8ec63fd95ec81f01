"""Demo supervision notes: two sessions on Rosa Delgado's case (being evidenced), one supervision and
one Coaching for Performance, each with learning objectives, written by her line manager through the
services. Runs after ``bench.demo.progression``; running it again changes nothing. Fictional."""

from __future__ import annotations

import datetime
from typing import Any

from progression.models import ProgressionCase
from progression.supervision import services
from progression.supervision.models import LearningObjective, SupervisionNote

Kind = SupervisionNote.Kind
Status = LearningObjective.Status

SESSIONS = [
    (Kind.SUPERVISION, 42,
     "Went through the Range 7 rows of the progression table. The recent section 42 enquiry shows confident "
     "judgement about risk; the leadership rows still need examples. Agreed to look for a chance to chair a "
     "multi-agency meeting.",
     [("Chair a multi-agency risk meeting and write up the decisions", 30, Status.MET),
      ("Read the practice educator course outline and decide whether to apply", 60, Status.IN_PROGRESS)]),
    (Kind.COACHING, 9,
     "Coaching for Performance: reflected on chairing the risk meeting and on giving feedback to the ASYE "
     "worker she supervises. Next step is formal reflective supervision of a less experienced colleague.",
     [("Deliver two formal reflective supervision sessions to an ASYE worker, with their agreement", 75,
       Status.NOT_STARTED)]),
]


def build(*, directory: Any, today: datetime.date) -> None:
    case = (ProgressionCase.objects.filter(practitioner=directory.users["practitioner_sw"],
                                           stage=ProgressionCase.Stage.DRAFT).select_related("line_manager").first())
    if case is None or case.line_manager is None or SupervisionNote.objects.filter(case=case).exists():
        return
    for kind, days_ago, discussion, objectives in SESSIONS:
        held_on = today - datetime.timedelta(days=days_ago)
        note = services.supervision_note_record(actor=case.line_manager, case=case, kind=kind, held_on=held_on,
                                                discussion=discussion)
        for text, days_after, status in objectives:
            services.learning_objective_add(actor=case.line_manager, note=note, text=text, status=status,
                                            target_date=held_on + datetime.timedelta(days=days_after))
