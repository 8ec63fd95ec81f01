"""Which organisation and person supervision notes' audit entries belong to (preceptorship/audit.py).

Like the case they hang off, administrators alone read their entries, never a programme lead."""

from preceptorship import audit
from progression.supervision.models import LearningObjective, SupervisionNote

audit.register_scope(SupervisionNote, audit.scope_by_path("case.organisation_id", "case.practitioner_id"),
                     in_organisation_log=False)
audit.register_scope(LearningObjective,
                     audit.scope_by_path("note.case.organisation_id", "note.case.practitioner_id"),
                     in_organisation_log=False)
