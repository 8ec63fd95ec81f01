"""Demo programmes and enrolments: every state of a preceptorship is visible.

``build(directory=, today=)`` runs after the directory (``bench.demo.directory``) and the
progression demo, and before ``bench.demo.practice`` (reviews, goals, reflections). Every
enrolment goes through the services a programme lead would use, so the dates, the audit log and
the notifications are real. Running it again changes nothing: a programme is found by its name
and organisation, and someone who has ever been enrolled on a programme is left alone.

- a uni-professional occupational therapy cohort at the council: month 1, month 8 (no review
  held, so review 1 is overdue), 17 months done (completion due within the month, waiting for
  confirmations), completed
  (with its outcome and an evaluation; it and the withdrawn one keep the goals, review meetings and
  reflections of their months on the programme), paused on maternity leave (with an extension for a phased
  return), and withdrawn;
- a multi-professional programme of the trust, open to the whole ICS: a physiotherapist and a
  podiatrist whose mentor works for another organisation of the ICS (same profession).

The dates put something on the reminder sweep's list today: a review due in 14 days (podiatry),
a review 7 days overdue (the physiotherapist, 6 months in, review 2 not yet held) and a
completion sign-off 28 days ahead (month 17).
"""

from __future__ import annotations

import datetime
from decimal import Decimal
from typing import Any

from django.db import transaction

from bench.demo import practice_standards
from preceptorship.models import Profession, User
from programmes import services
from programmes.models import Enrolment, Evaluation, Pause, Programme, Transition
from programmes.schedule import add_months

OT_PROGRAMME = "Occupational Therapy preceptorship"
MULTI_PROGRAMME = "Multi-professional AHP preceptorship"


def _programme(*, actor: User, name: str, organisation: Any, professions: list[str], **fields: Any) -> Programme:
    existing = Programme.objects.filter(organisation=organisation, name=name).first()
    if existing:
        return existing
    return services.programme_create(
        actor=actor, name=name, organisation=organisation,
        professions=list(Profession.objects.filter(slug__in=professions)), **fields,
    )


def _enrol(
    *, actor: User, programme: Programme, preceptee: User, start: datetime.date, transition: str, mentor: User,
    line_manager: User,
) -> Enrolment | None:
    """The new enrolment, or None when the person has been on this programme before (left alone)."""
    if Enrolment.objects.filter(programme=programme, preceptee=preceptee).exists():
        return None
    return services.enrolment_create(
        actor=actor, programme=programme, preceptee=preceptee, start_date=start, transition=transition,
        mentor=mentor, line_manager=line_manager, confirm_over_capacity=True,
    )


@transaction.atomic
def build(*, directory: Any, today: datetime.date) -> dict[str, Enrolment]:
    users, organisations = directory.users, directory.organisations
    council_lead, trust_lead = users["council_lead"], users["trust_lead"]
    # The programme's own step (Level 1 to Level 2), not the Range 6 to Range 7 career progression one.
    ot_framework = practice_standards.build(lead=council_lead, council=organisations["council"])
    ot = _programme(
        actor=council_lead, name=OT_PROGRAMME, organisation=organisations["council"],
        professions=["occupational-therapy"],
        transitions=[Transition.NEWLY_REGISTERED, Transition.RETURN_TO_PRACTICE, Transition.INTERNATIONAL],
        entry_level="Level 1", exit_level="Level 2", protected_hours_per_month=Decimal("4"),
        framework=ot_framework, mentor_capacity=4,
        # The council's protected caseload: three fifths of a full caseload for the first year.
        protected_caseload_percent=60, protected_caseload_months=12,
    )
    multi = _programme(
        actor=trust_lead, name=MULTI_PROGRAMME, organisation=organisations["trust"], shared_with_ics=True,
        professions=["physiotherapy", "podiatry", "occupational-therapy", "speech-and-language-therapy"],
        transitions=[value for value, _ in Transition.choices], entry_level="Band 5", exit_level="Band 6",
        protected_hours_per_month=Decimal("7.5"), mentor_capacity=3,
    )

    def ot_enrol(key: str, start: datetime.date, transition: str = Transition.NEWLY_REGISTERED) -> Enrolment | None:
        return _enrol(actor=council_lead, programme=ot, preceptee=users[key], start=start, transition=transition,
                      mentor=users["mentor_ot"], line_manager=users["manager_ot"])

    enrolments: dict[str, Enrolment | None] = {
        "preceptee_ot_new": ot_enrol("preceptee_ot_new", today - datetime.timedelta(days=14)),
        "preceptee_ot_mid": ot_enrol("preceptee_ot_mid", add_months(today, -8) + datetime.timedelta(days=3)),
        # Seventeen months done: completion is 28 days away, so it can be confirmed and the sweep
        # asks the mentor and line manager to sign it off today.
        "preceptee_ot_late": ot_enrol("preceptee_ot_late", add_months(today + datetime.timedelta(days=28), -18),
                                      Transition.RETURN_TO_PRACTICE),
        "preceptee_ot_done": ot_enrol("preceptee_ot_done", add_months(today, -19)),
        "preceptee_ot_paused": ot_enrol("preceptee_ot_paused", add_months(today, -6)),
        "preceptee_ot_withdrawn": ot_enrol("preceptee_ot_withdrawn", add_months(today, -10),
                                           Transition.INTERNATIONAL),
        "preceptee_physio": _enrol(
            actor=trust_lead, programme=multi, preceptee=users["preceptee_physio"],
            start=add_months(today - datetime.timedelta(days=7), -6),
            transition=Transition.INTERNATIONAL, mentor=users["mentor_physio"], line_manager=users["manager_trust"],
        ),
        # Podiatry is a small profession: the mentor is a podiatrist of another organisation of the ICS.
        # Started a week ago: review 1, the first meeting two weeks in, was due in a week; the practice
        # demo moves it a week later, 14 days from today.
        "preceptee_podiatry": _enrol(
            actor=trust_lead, programme=multi, preceptee=users["preceptee_podiatry"],
            start=today - datetime.timedelta(days=7),
            transition=Transition.CHANGE_OF_SETTING, mentor=users["mentor_podiatry"],
            line_manager=users["manager_trust"],
        ),
    }
    _complete(enrolments["preceptee_ot_done"], users, today)
    _pause(enrolments["preceptee_ot_paused"], users, today)
    _withdraw(enrolments["preceptee_ot_withdrawn"], council_lead, today)
    # Every demo enrolment by preceptee key, whether made now or by an earlier run.
    return {
        key: Enrolment.objects.filter(programme__in=[ot, multi], preceptee=users[key]).latest("start_date")
        for key in enrolments
    }


def _history(enrolment: Enrolment, today: datetime.date, *, reviews: int, achieved: int) -> None:
    """What happened before a preceptorship ended (goals, review meetings, reflections, protected time),
    recorded while it was current, so a completed or withdrawn timeline is not empty."""
    from bench.demo import practice as demo_practice

    demo_practice._goals(enrolment, today, achieved=achieved)
    demo_practice._record_reviews(enrolment, reviews, today, acknowledge_all=True)
    demo_practice._reflections(enrolment, awaiting=False, with_feedback=True)
    demo_practice._protected_time(enrolment, today, months=3 * reviews, hours="4")
    enrolment.refresh_from_db()


def _complete(enrolment: Enrolment | None, users: dict[str, User], today: datetime.date) -> None:
    if enrolment is None:
        return
    _history(enrolment, today, reviews=5, achieved=3)
    services.completion_confirm(actor=users["mentor_ot"], enrolment=enrolment, confirmed=True,
                                early_reason="The sixth review is held with the completion meeting.")
    services.completion_confirm(actor=users["manager_ot"], enrolment=enrolment, confirmed=True,
                                early_reason="The sixth review is held with the completion meeting.")
    enrolment.refresh_from_db()
    completed_on = min(today, enrolment.completion_due)
    services.completion_record_outcome(
        actor=users["council_lead"], enrolment=enrolment, outcome="Progressed to Level 2",
        completed_on=completed_on, pay_step_on=completed_on.replace(day=1),
    )
    if not Evaluation.objects.filter(enrolment=enrolment).exists():
        services.evaluation_submit(
            actor=enrolment.preceptee, enrolment=enrolment, support_received=4, confidence_now=4, protected_time=3,
            would_recommend=Evaluation.Recommend.YES,
            comments="Monthly supervision with my mentor helped most; study days were hard to protect in winter.",
        )


def _pause(enrolment: Enrolment | None, users: dict[str, User], today: datetime.date) -> None:
    if enrolment is None:
        return
    services.enrolment_pause(
        actor=users["manager_ot"], enrolment=enrolment, reason=Pause.Reason.MATERNITY,
        start_date=today - datetime.timedelta(days=30), end_date=add_months(today, 8),
    )
    # A phased return agreed before the leave: the completion date moves on by two more months.
    services.enrolment_extend(
        actor=users["council_lead"], enrolment=enrolment, months=2,
        reason="Phased return agreed: two days a week for the first two months back.",
    )


def _withdraw(enrolment: Enrolment | None, lead: User, today: datetime.date) -> None:
    if enrolment is None:
        return
    _history(enrolment, today, reviews=2, achieved=0)
    services.enrolment_withdraw(
        actor=lead, enrolment=enrolment, on=today - datetime.timedelta(days=20),
        reason=Enrolment.WithdrawalReason.LEFT_ORGANISATION, detail="Moved to a post nearer home.",
    )
