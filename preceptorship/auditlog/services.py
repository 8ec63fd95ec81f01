"""Downloading the audit log is itself audited: who took which entries away, and when."""

from __future__ import annotations

from django.core.exceptions import PermissionDenied
from django.db import transaction

from preceptorship import access, audit
from preceptorship.auditlog.access import may_read_audit_log
from preceptorship.models import AuditEntry, Membership, User


@transaction.atomic
def audit_log_download(*, actor: User, file_format: str, filters: dict[str, str], rows: int) -> AuditEntry:
    """Record that ``actor`` downloaded ``rows`` entries of the audit log with ``filters``. A lead's
    entry belongs to the organisation they lead (when they lead one), so the organisation sees it."""
    if not may_read_audit_log(actor):
        raise PermissionDenied("Only administrators and programme leads read the audit log.")
    led = access.organisation_ids(actor, Membership.Role.PROGRAMME_LEAD)
    organisation = next(iter(led)) if len(led) == 1 and not access.is_administrator(actor) else None
    described = ", ".join(f"{name} {value}" for name, value in sorted(filters.items())) or "no filters"
    return audit.record(
        actor=actor, action="audit_log.download", obj=actor, organisation=organisation,
        summary=f"Downloaded {rows} audit entr{'y' if rows == 1 else 'ies'} as {file_format.upper()} ({described})",
        after={"format": file_format, "rows": rows, "filters": filters},
    )
