"""A Head of Service's delegation of their decisions for a period.
"""

from __future__ import annotations

import datetime

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.urls import reverse
from django.utils import timezone

from preceptorship import access, audit
from preceptorship.errors import TransitionError
from preceptorship.models import Membership, Organisation, User
from preceptorship.notifications import notify
from progression.models import (
    Delegation,
)

Role = Membership.Role



# Delegations ----------------------------------------------------------------------------------

DELEGATION_MAX_DAYS = 92


def delegation_create(
    *, actor: User, delegate: User | None, starts_on: datetime.date | None, ends_on: datetime.date | None,
    reason: str = "", organisation: Organisation | None = None, delegator: User | None = None,
) -> Delegation:
    """A Head of Service lets another Head of Service of their organisation decide the cases naming
    them, from one day to another (an administrator may record it for them)."""
    delegator = delegator or actor
    if delegator.pk != actor.pk and not access.is_administrator(actor):
        raise PermissionDenied("Only an administrator can record a delegation for someone else.")
    organisations = access.organisation_ids(delegator, Role.HEAD_OF_SERVICE)
    if organisation is None and len(organisations) == 1:
        organisation = Organisation.objects.get(pk=next(iter(organisations)))
    if organisation is None or organisation.pk not in organisations:
        raise PermissionDenied("Only a Head of Service can delegate their decisions, in their own organisation.")
    errors: dict[str, str] = {}
    if delegate is None:
        errors["delegate"] = "Choose the Head of Service who will decide for you."
    elif delegate.pk == delegator.pk:
        errors["delegate"] = "Choose someone other than yourself."
    elif not access.has_role(delegate, Role.HEAD_OF_SERVICE, organisation=organisation) or not delegate.is_active:
        errors["delegate"] = f"Choose a Head of Service of {organisation}."
    today = timezone.localdate()
    if starts_on is None:
        errors["starts_on"] = "Enter the first day the delegate decides for you."
    elif starts_on < today:
        errors["starts_on"] = "The first day cannot be in the past."
    if ends_on is None:
        errors["ends_on"] = "Enter the last day the delegate decides for you."
    elif starts_on is not None and ends_on < starts_on:
        errors["ends_on"] = "The last day must be the same as or after the first day."
    elif starts_on is not None and (ends_on - starts_on).days >= DELEGATION_MAX_DAYS:
        errors["ends_on"] = f"A delegation lasts at most {DELEGATION_MAX_DAYS} days; record a new one after that."
    reason = reason.strip()
    if len(reason) > 200:
        errors["reason"] = "Keep the reason to 200 characters or fewer."
    if errors:
        raise ValidationError(errors)
    with transaction.atomic():
        delegation = Delegation.objects.create(organisation=organisation, delegator=delegator, delegate=delegate,
                                               starts_on=starts_on, ends_on=ends_on, reason=reason,
                                               recorded_by=actor)
        period = f"{starts_on:%-d %B %Y} to {ends_on:%-d %B %Y}"
        audit.record(actor=actor, action="delegation.create", obj=delegation,
                     summary=f"{delegator} delegated Head of Service decisions to {delegate}, {period}",
                     after={"delegator": delegator.pk, "delegate": delegate.pk, "starts_on": str(starts_on),
                            "ends_on": str(ends_on)})
        notify(recipient=delegate, kind="delegation_received", about=delegation,
               subject=f"{delegator} has asked you to decide their progression cases, {period}",
               body="Cases naming them as Head of Service wait for you too while the delegation is in force.",
               url=reverse("progression:delegations"), essential=True)
    return delegation


def delegation_withdraw(*, actor: User, delegation: Delegation) -> Delegation:
    with transaction.atomic():
        locked = Delegation.objects.select_for_update().get(pk=delegation.pk)
        if locked.delegator_id != actor.pk and not access.is_administrator(actor):
            raise PermissionDenied("Only the Head of Service who delegated, or an administrator, can withdraw it.")
        if locked.withdrawn_at is not None:
            raise TransitionError("This delegation has already been withdrawn.")
        if locked.ends_on < timezone.localdate():
            raise TransitionError("This delegation has already ended.")
        locked.withdrawn_at = timezone.now()
        locked.save(update_fields=["withdrawn_at", "updated_at"])
        audit.record(actor=actor, action="delegation.withdraw", obj=locked,
                     summary=f"Delegation from {locked.delegator} to {locked.delegate} withdrawn")
        notify(recipient=locked.delegate, kind="delegation_withdrawn", about=locked,
               subject=f"{locked.delegator} has withdrawn their delegation to you",
               url=reverse("progression:delegations"))
    return locked
