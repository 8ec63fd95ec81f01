"""The audit log's link in the navigation, for the people who may read it."""

from preceptorship.auditlog.access import may_read_audit_log
from preceptorship.home import register_nav

register_nav("Audit log", "audit:list", may_read_audit_log, order=950)
