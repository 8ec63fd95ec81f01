"""The audit entries of equality monitoring answers belong to the person (preceptorship/audit.py);
administrators alone read them, and they say only that the answers changed."""

from preceptorship import audit
from programmes.equality.models import EqualityAnswers

audit.register_scope(EqualityAnswers, audit.scope_by_path(None, "user_id"), in_organisation_log=False)
