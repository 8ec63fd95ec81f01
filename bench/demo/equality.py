"""Demo equality monitoring: enough fictional answers that the council's equality figures show a
group, and the groups under five hidden beside it.

The council's preceptorship has run for years: twenty earlier preceptees (fictional) finished it
before the rest of the demo begins, twelve completing and eight leaving. The services refuse an
enrolment that starts more than two years ago, so these finished records are written as the
services would have written them then; each person's answers are saved by themselves through the
equality service. Some of the demo's current people answer too. Running it again changes nothing.
"""

from __future__ import annotations

import datetime
from typing import Any

from django.db import transaction

from bench.demo.enrolments import OT_PROGRAMME
from preceptorship.models import User
from programmes.equality import services
from programmes.equality.categories import PREFER_NOT
from programmes.models import Enrolment, Programme, Transition
from programmes.schedule import add_months

DOMAIN = "past.council.dalesford.example"
FIRST = ["Aled", "Bryony", "Corin", "Delyth", "Emrys", "Fenella", "Gethin", "Hester", "Idris", "Juno",
         "Kester", "Linnea", "Morwen", "Nye", "Orla", "Piran", "Quenby", "Rhodri", "Saffi", "Tamsin"]
LAST = ["Ashgrove", "Birchley", "Coldwater", "Dunmere", "Eskdale", "Fallowfield", "Greywell", "Hartsholme",
        "Ivybridge", "Juniper", "Kettlewell", "Larkhill", "Marshwood", "Netherby", "Oakridge", "Pennycross",
        "Quarrendon", "Redmarley", "Stoneleigh", "Thornbury"]
# (completed?, answers): the figures show "No" (disability) and "White" (ethnic group) with both columns.
PAST = (
    [(True, {"ethnic_group": "white_british", "disability": "no", "age_band": "25_34"})] * 6
    + [(False, {"ethnic_group": "white_british", "disability": "no", "age_band": "25_34"})] * 5
    + [(True, {"ethnic_group": "black_african", "disability": "yes"})] * 2
    + [(False, {"ethnic_group": "asian_pakistani", "disability": "yes"})] * 2
    + [(True, {"ethnic_group": "mixed_white_asian", "disability": PREFER_NOT})] * 2
    + [(True, {"ethnic_group": PREFER_NOT})]
    + [(False, {})]
    + [(True, {})]
)
# The demo's own people who answer, as themselves.
CURRENT = {
    "practitioner_sw": {"ethnic_group": "black_caribbean", "sex": "female", "age_band": "25_34"},
    "practitioner_ot": {"disability": "no", "sex": "male"},
    "preceptee_physio": {"ethnic_group": PREFER_NOT, "disability": PREFER_NOT},
}


def build(*, directory: Any, today: datetime.date) -> None:
    programme = Programme.objects.filter(organisation=directory.organisations["council"], name=OT_PROGRAMME).first()
    if programme is not None and not User.objects.filter(email__endswith=f"@{DOMAIN}").exists():
        with transaction.atomic():
            for n, (completed, answers) in enumerate(PAST):
                _past_preceptee(n, programme, directory, today, completed=completed, answers=answers)
    for key, answers in CURRENT.items():
        user = directory.users.get(key)
        if user is not None and not hasattr(user, "equality_answers"):
            services.equality_answers_save(actor=user, person=user, answers=answers)


def _past_preceptee(n: int, programme: Programme, directory: Any, today: datetime.date, *, completed: bool,
                    answers: dict[str, str]) -> None:
    first, last = FIRST[n], LAST[n]
    # The demo's password, like every demo person (they can sign in and see their own answers).
    user = User.objects.create(email=f"{first}.{last}@{DOMAIN}".lower(), first_name=first, last_name=last,
                               password=directory.users["practitioner_ot"].password, job_title="Occupational Therapist")
    start = add_months(today, -(40 + n))
    due = add_months(start, programme.length_months)
    Enrolment.objects.create(
        programme=programme, preceptee=user, organisation=programme.organisation, start_date=start,
        transition=Transition.NEWLY_REGISTERED, mentor=directory.users["mentor_ot"],
        line_manager=directory.users["manager_ot"], completion_due=due, next_review_due=None,
        status=Enrolment.Status.COMPLETED if completed else Enrolment.Status.WITHDRAWN,
        reviews_held=6 if completed else 2, completed_on=due if completed else None,
        outcome="Progressed to Level 2" if completed else "",
        withdrawn_on=None if completed else add_months(start, 7),
        withdrawal_reason="" if completed else Enrolment.WithdrawalReason.LEFT_ORGANISATION,
    )
    if answers:
        services.equality_answers_save(actor=user, person=user, answers=answers)
