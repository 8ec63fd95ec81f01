"""Writes of the reports app: an organisation's editable copy of a standard set, and changes to
its criteria. Keyword-only, atomic, checked and audited."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction

from preceptorship import access, audit
from preceptorship.models import Membership, Organisation
from programmes.reporting.models import PARAMETER_UNITS, Criterion, StandardSet

Role = Membership.Role
MAX_PARAMETER = 366


@transaction.atomic
def standard_set_copy(*, actor: Any, standard_set: StandardSet, organisation: Organisation) -> StandardSet:
    """A copy of a national set for ``organisation``, which the organisation's programme leads then
    edit; the scorecard of the organisation uses the copy instead of the original."""
    if not access.has_role(actor, Role.PROGRAMME_LEAD, organisation=organisation):
        raise PermissionDenied("Only a programme lead of the organisation can copy a standard set for it.")
    if not standard_set.is_national:
        raise ValidationError({"standard_set": "Copy a national standard set, not an organisation's copy."})
    if StandardSet.objects.filter(organisation=organisation, code=standard_set.code).exists():
        raise ValidationError({"standard_set": f"{organisation} already has its own copy of this standard set."})
    copy = StandardSet.objects.create(
        code=standard_set.code, name=f"{standard_set.name.removesuffix(' (national)')} ({organisation.name})",
        source=standard_set.source, source_url=standard_set.source_url, organisation=organisation,
        based_on=standard_set,
    )
    Criterion.objects.bulk_create([
        Criterion(standard_set=copy, position=c.position, code=c.code, title=c.title, kind=c.kind,
                  parameter=c.parameter, source=c.source, enabled=c.enabled)
        for c in standard_set.criteria.all()
    ])
    audit.record(actor=actor, action="standard_set.copy", obj=copy, organisation=organisation,
                 summary=f"Copied the standard set {standard_set.name} for {organisation.name}",
                 after={"based_on": standard_set.pk})
    return copy


@transaction.atomic
def criterion_change(*, actor: Any, criterion: Criterion, parameter: int | None, enabled: bool) -> Criterion:
    """Change a criterion of an organisation's copy: its number (for the kinds that take one) and
    whether it is judged at all."""
    criterion = Criterion.objects.select_for_update().select_related("standard_set").get(pk=criterion.pk)
    access.require(actor, criterion, "change")
    if criterion.kind in PARAMETER_UNITS:
        if parameter is None:
            raise ValidationError({"parameter": "Enter a number."})
        if not 1 <= parameter <= MAX_PARAMETER:
            raise ValidationError({"parameter": f"Enter a number from 1 to {MAX_PARAMETER}."})
    else:
        parameter = None
    before = audit.snapshot(criterion, ["parameter", "enabled"])
    criterion.parameter, criterion.enabled = parameter, enabled
    criterion.full_clean()
    criterion.save(update_fields=["parameter", "enabled", "updated_at"])
    audit.record(actor=actor, action="criterion.change", obj=criterion,
                 organisation=criterion.standard_set.organisation_id,
                 summary=f"Changed the criterion {criterion.title} of {criterion.standard_set.name}",
                 before=before, after=audit.snapshot(criterion, ["parameter", "enabled"]))
    return criterion
