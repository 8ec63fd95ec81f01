"""Which organisation and person the preceptor records' audit entries belong to.

The register entry is in the organisation's log its programme lead reads. Time given names the
preceptee's enrolment; wellbeing and evaluations are the mentor's own (leads see aggregates
only), so only administrators read their entries.
"""

from preceptorship import audit
from programmes.preceptors.models import (
    PreceptorEvaluation,
    PreceptorRecord,
    PreceptorWellbeing,
    RegisterSettings,
    TimeGiven,
)

audit.register_scope(PreceptorRecord, audit.scope_by_path("organisation_id", "mentor_id"))
audit.register_scope(RegisterSettings, audit.scope_by_path("organisation_id", None))
audit.register_scope(TimeGiven, audit.scope_by_path("enrolment.programme.organisation_id", "mentor_id"))
audit.register_scope(
    PreceptorWellbeing, audit.scope_by_path("review.enrolment.programme.organisation_id", "mentor_id"),
    in_organisation_log=False,
)
audit.register_scope(
    PreceptorEvaluation, audit.scope_by_path("organisation_id", "mentor_id"), in_organisation_log=False
)
