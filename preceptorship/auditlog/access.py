"""Who reads the audit log: administrators every entry, programme leads the entries of the
organisations they lead, less those about records a lead may not read themselves (each app says
which: ``audit.register_scope(..., in_organisation_log=False)``). Everyone else, ICS leads included,
is told the page does not exist."""

from __future__ import annotations

from typing import Any

from django.db import models

from preceptorship import access, audit
from preceptorship.models import AuditEntry, Membership

Role = Membership.Role


def may_read_audit_log(user: Any) -> bool:
    return access.is_administrator(user) or access.has_role(user, Role.PROGRAMME_LEAD)


@access.register(AuditEntry)
class AuditEntryPolicy(access.Policy):
    """Entries are never changed by anyone (append-only), so ``allows`` is always False."""

    def scope(self, user: Any, queryset: models.QuerySet) -> models.QuerySet:
        if access.is_administrator(user):
            return queryset
        return (queryset.filter(organisation_id__in=access.organisation_ids(user, Role.PROGRAMME_LEAD))
                .exclude(object_type__in=audit.administrators_only_types()))
