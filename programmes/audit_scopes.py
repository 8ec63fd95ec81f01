"""Which organisation and person the audit entries of programme records belong to
(preceptorship/audit.py reads these; registered on import from ``ProgrammesConfig.ready``).

An enrolment's entries belong to the organisation running its programme, whose programme lead
manages it (programmes/access.py), even when the preceptee is employed elsewhere in the ICS.
"""

from preceptorship import audit
from programmes.models import (
    Enrolment,
    Evaluation,
    Goal,
    NeedsAssessment,
    Programme,
    ProtectedTime,
    Reflection,
    ReviewMeeting,
)

audit.register_scope(Programme, audit.scope_by_path("organisation_id", None))
audit.register_scope(Enrolment, audit.scope_by_path("programme.organisation_id", "preceptee_id"))
for _model in (ReviewMeeting, Goal, Reflection, ProtectedTime, NeedsAssessment, Evaluation):
    audit.register_scope(_model, audit.scope_by_path("enrolment.programme.organisation_id", "enrolment.preceptee_id"))
