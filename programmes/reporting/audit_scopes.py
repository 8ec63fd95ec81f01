"""Which organisation the audit entries of standard sets belong to (registered from ``ReportingConfig.ready``)."""

from preceptorship import audit
from programmes.reporting.models import Criterion, StandardSet

audit.register_scope(StandardSet, audit.scope_by_path("organisation_id", None))
audit.register_scope(Criterion, audit.scope_by_path("standard_set.organisation_id", None))
