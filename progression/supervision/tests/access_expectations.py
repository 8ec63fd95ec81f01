"""Who may reach each supervision URL (read by preceptorship/tests/test_access_matrix.py).

The case's practitioner and line manager read and write its notes; the Head of Service, Operational
Director, HR and administrators see the case but get 403 on its notes pages, and 404 for a note
itself (they never read one); everyone else 404. A note is changed by its writer (the line manager
here); objectives by either of the case's people. Empty POSTs show the form again with its errors.
"""

from __future__ import annotations

import datetime
from typing import Any

from progression.supervision.models import LearningObjective, SupervisionNote
from progression.tests.access_expectations import _open_case, _readers

ANON = {"anonymous": 302}
CASE_PEOPLE_ONLY = {**ANON, "own:practitioner": 200, "own:line_manager": 200, "own:*": 404, "other:*": 404}
WRITER_ONLY = {**ANON, "own:line_manager": 200, "own:practitioner": 403, "own:*": 404, "other:*": 404}
ON_THE_CASE = _readers(403, line_manager=200, practitioner=200)

EXPECTATIONS: dict[str, dict[str, dict[str, int]]] = {
    "supervision:case-notes": {"GET": ON_THE_CASE, "POST": {**ANON, "*": 405}},
    "supervision:note-add": {"GET": ON_THE_CASE, "POST": ON_THE_CASE},
    "supervision:note-detail": {"GET": CASE_PEOPLE_ONLY, "POST": {**ANON, "*": 405}},
    "supervision:note-edit": {"GET": WRITER_ONLY, "POST": WRITER_ONLY},
    "supervision:objective-add": {"GET": CASE_PEOPLE_ONLY, "POST": CASE_PEOPLE_ONLY},
    "supervision:objective-edit": {"GET": CASE_PEOPLE_ONLY, "POST": CASE_PEOPLE_ONLY},
}


def _note(world: Any, viewer: Any, target: str) -> SupervisionNote:
    case = _open_case(world, viewer, target)
    return SupervisionNote.objects.create(
        case=case, held_on=datetime.date(2025, 1, 15), written_by=case.line_manager,
        discussion=f"Supervision canary discussion of {case.organisation.name}",
    )


def _case(world: Any, viewer: Any, target: str) -> tuple[dict[str, int], str]:
    note = _note(world, viewer, target)
    return {"pk": note.case_id}, note.discussion


def _note_kwargs(world: Any, viewer: Any, target: str) -> tuple[dict[str, int], str]:
    note = _note(world, viewer, target)
    return {"pk": note.pk}, note.discussion


def _objective(world: Any, viewer: Any, target: str) -> tuple[dict[str, int], str]:
    note = _note(world, viewer, target)
    objective = LearningObjective.objects.create(note=note, text=f"Objective canary of {note.case.organisation.name}",
                                                 target_date=datetime.date(2025, 6, 30))
    return {"pk": objective.pk}, objective.text


BUILDERS = {
    "supervision:case-notes": _case,
    "supervision:note-add": _case,
    "supervision:note-detail": _note_kwargs,
    "supervision:note-edit": _note_kwargs,
    "supervision:objective-add": _note_kwargs,
    "supervision:objective-edit": _objective,
}


def CANARIES(world: Any) -> list[str]:  # noqa: N802 - the name the matrix looks for
    note = _note(world, None, "other")
    return [note.discussion]
