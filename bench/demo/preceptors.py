"""The demo's preceptor register (council and trust), through the services: a trained mentor who
meets the standards (Maya Okafor), one registered less than 12 months before her first preceptee
with an exception agreed (Sam Whitfield), and one flagged for having no training recorded (Laura
Bennett, the team manager who also mentors). The council's allowance is 40 hours a year; Maya logs
time given and her own wellbeing after a review meeting. Runs after ``bench.demo.practice``;
running it again changes nothing. Fictional."""

from __future__ import annotations

import datetime
from decimal import Decimal
from typing import Any

from programmes.models import Enrolment, ReviewMeeting
from programmes.preceptors import selectors, services
from programmes.preceptors.models import Preceptor, PreceptorRecord, RegisterSettings, TimeGiven
from programmes.schedule import add_months

COURSE = "Preceptor preparation (two days, Dalesford ICS AHP faculty)"


def _line(directory: Any, key: str, organisation: str) -> Preceptor | None:
    return Preceptor.objects.filter(user=directory.users[key], organisation=directory.organisations[organisation]
                                    ).select_related("user").first()


def build(*, directory: Any, today: datetime.date) -> None:
    users = directory.users
    council, lead = directory.organisations["council"], users["council_lead"]
    if RegisterSettings.objects.filter(organisation=council).exists():
        return
    services.register_allowance_set(actor=lead, organisation=council, hours=Decimal(40))
    services.register_allowance_set(actor=users["trust_lead"], organisation=directory.organisations["trust"],
                                    hours=Decimal(30))

    maya = _line(directory, "mentor_ot", "council")
    if maya is not None:
        services.preceptor_training_update(actor=maya.user, preceptor=maya, completed_on=add_months(today, -20),
                                           course=COURSE)
    hannah = _line(directory, "mentor_physio", "trust")
    if hannah is not None:
        services.preceptor_training_update(actor=hannah.user, preceptor=hannah, completed_on=add_months(today, -9),
                                           course=COURSE)

    sam = _line(directory, "mentor_sw", "council")
    if sam is not None:
        services.preceptor_training_update(actor=sam.user, preceptor=sam, completed_on=add_months(today, -30),
                                           course=COURSE)
        first = selectors.first_starts([sam.user_id]).get(sam.user_id) or today
        services.preceptor_record_update(
            actor=lead, preceptor=sam, registered_on=add_months(first, -10), has_exception=True,
            exception_reason="Returned to practice after a career break with many years' experience before; "
            "supervised by the principal social worker for his first preceptee.",
            exception_agreed_by="Principal Social Worker", exception_agreed_on=add_months(first, -1),
        )
    # Laura Bennett (manager_ot) keeps no training on record: the register flags her.
    PreceptorRecord.objects.filter(mentor=users["manager_ot"]).delete()

    if maya is None:
        return
    mentored = Enrolment.objects.filter(mentor=maya.user, status__in=Enrolment.CURRENT).order_by("start_date")
    for number, enrolment in enumerate(mentored[:2]):
        for weeks in (2, 6, 10):
            on = max(today - datetime.timedelta(weeks=weeks + number), enrolment.start_date)
            if on >= selectors.year_start(today) and not TimeGiven.objects.filter(enrolment=enrolment, on=on).exists():
                services.time_given_log(actor=maya.user, enrolment=enrolment, on=on, hours=Decimal("1.5"),
                                        note="Supervision and feedback on a reflection")
    review = ReviewMeeting.objects.filter(enrolment__mentor=maya.user, status=ReviewMeeting.Status.HELD).order_by(
        "-held_on").first()
    if review is not None:
        services.preceptor_wellbeing_record(actor=maya.user, review=review, score=3,
                                            note="Busy month; ask for a quieter week before the next review.")
