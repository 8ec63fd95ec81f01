"""The demo's people who should be offered preceptorship and are not enrolled: a newly registered
occupational therapist in the council (found from the staff record) and a physiotherapist recruited
from abroad in the trust, registered years ago and new in post, marked by the trust's programme lead
(the staff record cannot show it). Both fictional. And the council occupational therapist who
withdrew on leaving the organisation has that leaving date in the staff record, as a staff import
would give it, for the first-year leavers comparator. Safe to run twice."""

from __future__ import annotations

import datetime

from bench.demo.directory import Directory
from preceptorship.models import Membership
from programmes import services
from programmes.models import Enrolment, OfferPerson, Transition, TransitionMark


def build(*, directory: Directory, today: datetime.date) -> None:
    newly = directory.users["offer_ot_newly"]
    newly.first_registered_on = today - datetime.timedelta(days=45)
    newly.started_in_post_on = today - datetime.timedelta(days=30)
    newly.save(update_fields=["first_registered_on", "started_in_post_on"])

    recruited = directory.users["offer_physio_international"]
    recruited.first_registered_on = today.replace(year=today.year - 6, day=1)
    recruited.started_in_post_on = today - datetime.timedelta(days=21)
    recruited.save(update_fields=["first_registered_on", "started_in_post_on"])
    trust = directory.organisations["trust"]
    if not TransitionMark.objects.filter(person=recruited, organisation=trust).exists():
        place = OfferPerson.objects.get(user=recruited, organisation=trust, role=Membership.Role.PRACTITIONER)
        services.transition_mark_record(actor=directory.users["trust_lead"], person=place,
                                        transition=Transition.INTERNATIONAL)
    _left(directory)


def _left(directory: Directory) -> None:
    leaver = directory.users["preceptee_ot_withdrawn"]
    withdrawn_on = (Enrolment.objects.filter(preceptee=leaver, status=Enrolment.Status.WITHDRAWN)
                    .values_list("withdrawn_on", flat=True).first())
    if withdrawn_on and leaver.left_on != withdrawn_on:
        leaver.left_on = withdrawn_on
        leaver.save(update_fields=["left_on"])
