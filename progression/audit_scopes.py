"""Which organisation and person the audit entries of progression's records belong to
(preceptorship/audit.py reads these; registered on import from ``ProgressionConfig.ready``)."""

from preceptorship import audit
from progression.models import Delegation, Framework, LetterTemplate, ProgressionCase

# Progression cases are read by the people of the sign-off chain, never by programme leads: their
# entries (marks, comments, decisions) are kept out of the organisation's log leads read.
audit.register_scope(ProgressionCase, audit.scope_by_path("organisation_id", "practitioner_id"),
                     in_organisation_log=False)
# A shared framework (no owner) belongs to every organisation: administrators read its entries.
audit.register_scope(Framework, audit.scope_by_path("owner_id", None))
audit.register_scope(LetterTemplate, audit.scope_by_path("organisation_id", None))
# A delegation is the Head of Service's: their authority, lent for a while.
audit.register_scope(Delegation, audit.scope_by_path("organisation_id", "delegator_id"), in_organisation_log=False)
