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
    OfferDecline,
    Programme,
    ProtectedTime,
    Reflection,
    ReviewMeeting,
    TransitionMark,
)

ON_ENROLMENT = audit.scope_by_path("enrolment.programme.organisation_id", "enrolment.preceptee_id")

audit.register_scope(Programme, audit.scope_by_path("organisation_id", None))
audit.register_scope(Enrolment, audit.scope_by_path("programme.organisation_id", "preceptee_id"))
audit.register_scope(ReviewMeeting, ON_ENROLMENT)
# A programme lead never reads a reflection or a needs assessment, sees goals and protected time as
# totals only and evaluations as aggregates of at least five: the entries about them, which name the
# person and the moment, are kept out of the organisation's log leads read.
for _model in (Goal, Reflection, ProtectedTime, NeedsAssessment, Evaluation):
    audit.register_scope(_model, ON_ENROLMENT, in_organisation_log=False)

# Offering preceptorship: the records belong to the organisation offering it and name the person.
audit.register_scope(TransitionMark, audit.scope_by_path("organisation_id", "person_id"))
audit.register_scope(OfferDecline, audit.scope_by_path("organisation_id", "person_id"))
