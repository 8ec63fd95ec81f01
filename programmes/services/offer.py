"""Writes for offering preceptorship to all: marking a transition the staff record cannot show, and
recording (or undoing) a person's decline. Each locks the person's account row, so two people
acting on one person at once take turns."""

from __future__ import annotations

import datetime

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from preceptorship import audit
from preceptorship.errors import TransitionError
from preceptorship.models import Membership, User
from programmes.models import OfferDecline, Transition, TransitionMark
from programmes.services.common import service_today

REASON_MAX_LENGTH = 2000


def _lock_person(person: Membership) -> None:
    if person.role != Membership.Role.PRACTITIONER:
        raise ValidationError("Only a practitioner can be offered preceptorship.")
    User.objects.select_for_update().filter(pk=person.user_id).first()


@transaction.atomic
def transition_mark_record(*, actor: User, person: Membership, transition: str) -> TransitionMark:
    """Record that the person is returning to practice, internationally recruited or changing sector."""
    if transition not in TransitionMark.MARKABLE:
        raise ValidationError({"transition": "Choose returning to practice, internationally recruited or changing "
                                             "setting or sector"})
    _lock_person(person)
    if TransitionMark.objects.filter(person_id=person.user_id, organisation_id=person.organisation_id,
                                     transition=transition).exists():
        raise ValidationError({"transition": f"{person.user} is already marked as "
                                             f"{Transition(transition).label.lower()}."})
    mark = TransitionMark.objects.create(person_id=person.user_id, organisation_id=person.organisation_id,
                                         transition=transition, recorded_by=actor, recorded_at=timezone.now())
    audit.record(actor=actor, action="offer.mark_transition", obj=mark,
                 summary=f"Marked {person.user} as {Transition(transition).label.lower()}",
                 after={"transition": transition})
    return mark


@transaction.atomic
def transition_mark_remove(*, actor: User, mark: TransitionMark) -> None:
    """Take back a mark recorded by mistake (the audit log keeps who recorded it and who took it back)."""
    mark = TransitionMark.objects.select_for_update().select_related("person").get(pk=mark.pk)
    audit.record(actor=actor, action="offer.unmark_transition", obj=mark,
                 summary=f"Took back {mark.person} marked as {mark.get_transition_display().lower()}",
                 before={"transition": mark.transition, "recorded_by": mark.recorded_by_id,
                         "recorded_at": mark.recorded_at})
    mark.delete()


@transaction.atomic
def offer_decline(
    *, actor: User, person: Membership, reason: str, declined_on: datetime.date | None = None
) -> OfferDecline:
    """Record that the person declined the preceptorship offered, and why: they leave the list."""
    reason = (reason or "").strip()
    today = service_today()
    declined_on = declined_on or today
    errors: dict[str, str] = {}
    if not reason:
        errors["reason"] = "Say why they declined"
    elif len(reason) > REASON_MAX_LENGTH:
        errors["reason"] = f"Keep the reason to {REASON_MAX_LENGTH} characters or fewer"
    if declined_on > today:
        errors["declined_on"] = "The date they declined must be today or in the past"
    elif declined_on < today - datetime.timedelta(days=366):
        errors["declined_on"] = "The date they declined must be within the last year"
    if errors:
        raise ValidationError(errors)
    _lock_person(person)
    if OfferDecline.objects.filter(person_id=person.user_id, organisation_id=person.organisation_id,
                                   undone_at__isnull=True).exists():
        raise TransitionError(f"{person.user}'s decline is already recorded.")
    decline = OfferDecline.objects.create(
        person_id=person.user_id, organisation_id=person.organisation_id, reason=reason, declined_on=declined_on,
        recorded_by=actor, recorded_at=timezone.now(),
    )
    # The reason stays on the record; the log says that it was recorded, not what it says.
    audit.record(actor=actor, action="offer.decline", obj=decline,
                 summary=f"Recorded that {person.user} declined preceptorship",
                 after={"declined_on": declined_on})
    return decline


@transaction.atomic
def offer_decline_undo(*, actor: User, decline: OfferDecline) -> OfferDecline:
    """Undo a decline recorded by mistake or changed since: the person is listed again."""
    decline = OfferDecline.objects.select_for_update().select_related("person").get(pk=decline.pk)
    if not decline.standing:
        raise TransitionError("This decline has already been undone.")
    decline.undone_at, decline.undone_by = timezone.now(), actor
    decline.save(update_fields=["undone_at", "undone_by"])
    audit.record(actor=actor, action="offer.decline_undo", obj=decline,
                 summary=f"Undid {decline.person}'s decline of preceptorship",
                 before={"standing": True}, after={"standing": False})
    return decline
