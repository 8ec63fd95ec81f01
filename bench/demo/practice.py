"""Demo of the practice side: review meetings held and overdue, goals with progress, reflections
(private, shared, with feedback), protected time and needs assessments.

``build(directory=, today=)`` runs after ``bench.demo.enrolments`` has made the enrolments. Everything
goes through the services, so the audit log and the notifications are real. Running it again
changes nothing: an enrolment that already has goals is left alone. All names and text are
fictional.

Goals and shared reflections on the occupational therapy programme link to competencies of its
framework (and reflections to goals).

- month 1 (``preceptee_ot_new``): a needs assessment still in draft, a first goal, a private draft
  reflection;
- month 8 (``preceptee_ot_mid``): review 1 held and acknowledged, review 2 overdue; goals with
  progress; a Gibbs reflection shared and waiting for the mentor's feedback, a Driscoll one with
  feedback and a private one; protected time falling short;
- month 17 (``preceptee_ot_late``): five reviews held (the older ones locked, one with an
  addendum, the latest not yet acknowledged), goals achieved, reflections with feedback, time on
  track;
- paused and multi-professional preceptees: a review each; the physiotherapist's record waits for
  acknowledgement and a cancelled meeting has a new date.
"""

from __future__ import annotations

import datetime
from decimal import Decimal
from typing import Any

from django.db import transaction
from django.utils import timezone

from bench.demo import history as demo_history
from preceptorship.models import User
from programmes import services
from programmes.models import Enrolment, Goal, ProtectedTime, ReviewMeeting
from programmes.schedule import add_months
from programmes.services import ActionItem
from progression.models import Competency

DISCUSSIONS = [
    "Talked through the first weeks: induction, the team's referral process and who to ask for help. "
    "Agreed a weekly check-in for the first month and a focus on documentation.",
    "Caseload now at the expected level for Level 1. Discussed a complex discharge where family and "
    "client disagreed, and how the reflection on it helped. Supervision is happening monthly.",
    "Confidence growing with equipment assessments. Some winter pressure on protected time; agreed to "
    "book study time in the diary a month ahead.",
    "Reviewed the practice standards: most are evidenced. Shadowed the hospital discharge team, which "
    "helped with handovers. Wellbeing good.",
    "Preparing for completion: remaining standards are leadership of a small group and a case "
    "presentation. Both planned before the next meeting.",
]


def _held(enrolment: Enrolment, number: int) -> datetime.date:
    """The first meeting two days before it is due (in the programme's first two weeks), each later one
    four days after the date planned from the meeting before."""
    due = enrolment.next_review_due or services.enrolment_schedule(enrolment).review_due(number)
    return due - datetime.timedelta(days=2) if number == 1 else due + datetime.timedelta(days=4)


def _record_reviews(
    enrolment: Enrolment, count: int, today: datetime.date, *, acknowledge_all: bool,
    held: list[datetime.date] | None = None, caseload: list[int] | None = None,
) -> None:
    """``count`` reviews, held as ``_held`` plans them unless ``held`` gives the days."""
    mentor, preceptee = enrolment.mentor, enrolment.preceptee
    goals = list(enrolment.goals.all())
    for number in range(1, count + 1):
        enrolment.refresh_from_db()
        held_on = held[number - 1] if held else _held(enrolment, number)
        if held_on > today:
            return
        progress = {goal.pk: f"Reviewed at meeting {number}: steady progress, evidence added." for goal in goals[:2]}
        review = services.review_record(
            actor=mentor, enrolment=enrolment, held_on=held_on, discussion=DISCUSSIONS[(number - 1) % len(DISCUSSIONS)],
            wellbeing=min(5, 2 + number), confidence=min(5, 1 + number), attended_line_manager=number % 2 == 1,
            protected_time_received="partly" if number == 3 else "yes",
            caseload_percent=caseload[number - 1] if caseload else None,
            goal_progress=progress,
            actions=[ActionItem("Book a shadowing day with the hospital discharge team", "preceptee",
                                held_on + datetime.timedelta(days=30)),
                     ActionItem("Share the reablement reading list", "mentor", held_on + datetime.timedelta(days=7))],
        )
        # A record made months ago was locked seven days after it was made.
        recorded = timezone.make_aware(datetime.datetime.combine(held_on, datetime.time(15, 0)))
        ReviewMeeting.objects.filter(pk=review.pk).update(recorded_at=min(recorded, timezone.now()))
        review.refresh_from_db()
        if number == 2 and review.is_locked():
            services.review_add_addendum(actor=mentor, review=review,
                                         text="Correction: the shadowing day is with the community team, not the ward.")
        if acknowledge_all or number < count:
            services.review_acknowledge(actor=preceptee, review=review,
                                        comment="Thank you. I would also like more time on moving and handling."
                                        if number == 1 else "")


def _competencies(enrolment: Enrolment) -> list[Competency]:
    """The competencies of the programme's framework (none without one), in the framework's order."""
    if not enrolment.programme.framework_id:
        return []
    return list(Competency.objects.filter(section__framework_id=enrolment.programme.framework_id))


def _goals(enrolment: Enrolment, today: datetime.date, *, achieved: int = 0) -> list[Goal]:
    preceptee = enrolment.preceptee
    competencies = _competencies(enrolment)
    rows = [
        ("Carry out moving and handling assessments independently",
         "Three assessments completed on my own and signed off by my mentor",
         "Joint visits first, then my mentor reviews my reports", "Most referrals in our team need one"),
        ("Run a falls prevention group session",
         "Two sessions run, with feedback forms from the people attending",
         "Co-facilitate the first session with a senior colleague", "Falls are our most common referral reason"),
        ("Present a case at the team's learning forum",
         "Presentation given and feedback collected", "Time in my protected hours to prepare",
         "Evidence for the communication standard"),
    ]
    goals = []
    for index, (what, measure, achievable, relevant) in enumerate(rows):
        target = add_months(enrolment.start_date, 4 + 4 * index)
        goal = services.goal_create(actor=preceptee, enrolment=enrolment, what=what, measure=measure,
                                    achievable=achievable, relevant=relevant, target_date=target,
                                    competencies=competencies[index:index + 1])
        first = min(today, enrolment.start_date + datetime.timedelta(days=20 + 30 * index))
        if first < today:
            services.goal_add_progress(actor=preceptee, goal=goal, on=first,
                                       note="Started: agreed the plan with my mentor and booked the first step.")
        if index < achieved:
            services.goal_update(actor=preceptee, goal=goal, status=Goal.Status.ACHIEVED)
            # Achieved by its target date, months ago, so the timeline shows it there.
            Goal.objects.filter(pk=goal.pk).update(achieved_on=min(today, target))
        goals.append(goal)
    return goals


GIBBS = {
    "description": "I visited a client at home to assess for a stair lift. Her son disagreed with the plan.",
    "feelings": "Nervous at first, then flustered when the disagreement started.",
    "evaluation": "The assessment itself went well; I did not manage the conversation with the family well.",
    "analysis": "I had not asked before the visit who would be there, so I was not prepared for two views.",
    "conclusion": "I could have paused the assessment and arranged a joint conversation.",
    "action_plan": "Ask who will be present when booking visits; practise the conversation in supervision.",
}
DRISCOLL = {
    "what": "A hospital discharge was delayed because equipment was not delivered on time.",
    "so_what": "Checking delivery dates the day before would have caught it. The client stayed an extra night.",
    "now_what": "I now confirm deliveries the day before and have shared the checklist with the team.",
}


def _reflections(enrolment: Enrolment, *, awaiting: bool, with_feedback: bool) -> None:
    preceptee, mentor = enrolment.preceptee, enrolment.mentor
    if awaiting:
        shared = services.reflection_save(actor=preceptee, enrolment=enrolment, model="gibbs", answers=GIBBS,
                                          title="A home visit that did not go to plan", finish=True,
                                          goals=list(enrolment.goals.all()[1:2]),
                                          competencies=_competencies(enrolment)[2:3])
        services.reflection_share(actor=preceptee, reflection=shared, with_mentor=True, with_line_manager=False)
    if with_feedback:
        answered = services.reflection_save(actor=preceptee, enrolment=enrolment, title="A delayed discharge",
                                            model="driscoll", answers=DRISCOLL, finish=True,
                                            goals=list(enrolment.goals.all()[:1]),
                                            competencies=_competencies(enrolment)[:2])
        services.reflection_share(actor=preceptee, reflection=answered, with_mentor=True, with_line_manager=True)
        services.reflection_add_feedback(
            actor=mentor, reflection=answered,
            text="A clear reflection with a practical change. Bring the checklist to the team meeting.",
        )
    services.reflection_save(actor=preceptee, enrolment=enrolment, title="Thoughts after a difficult week",
                             model="free", answers={"text": "Notes for myself before supervision."}, finish=False)


def _protected_time(enrolment: Enrolment, today: datetime.date, *, months: int, hours: str) -> None:
    activities = [value for value, _ in ProtectedTime.Activity.choices]
    for month in range(months):
        on = min(today, add_months(enrolment.start_date, month) + datetime.timedelta(days=10))
        if on < enrolment.start_date or on > today:
            continue
        services.protected_time_log(actor=enrolment.preceptee, enrolment=enrolment, on=on, hours=Decimal(hours),
                                    activity=activities[month % len(activities)],
                                    note="Supervision with my mentor" if month % 2 == 0 else "Reading and e-learning")


def _needs(enrolment: Enrolment, *, submit: bool) -> None:
    services.needs_assessment_save(
        actor=enrolment.preceptee, enrolment=enrolment, submit=submit,
        strengths="Good rapport with clients and families; a final placement in reablement.",
        learning_needs="Complex equipment assessments and writing concise reports.",
        support_wanted="Joint visits in the first months and regular supervision.",
        reasonable_adjustments="Extra time for written work (dyslexia)." if submit else "",
    )


def _find(users: dict[str, User], key: str) -> Enrolment | None:
    user = users.get(key)
    if user is None:
        return None
    return Enrolment.objects.filter(preceptee=user).select_related("programme", "mentor", "preceptee").order_by(
        "-start_date"
    ).first()


@transaction.atomic
def build(*, directory: Any, today: datetime.date) -> None:
    users = directory.users
    plans = {
        "preceptee_ot_new": lambda e: (_needs(e, submit=False), _goals(e, today), _reflections(
            e, awaiting=False, with_feedback=False)),
        # Review 1 recorded a caseload above the programme's protected 60%: the mentor, the line manager
        # and the preceptee see it flagged.
        "preceptee_ot_mid": lambda e: (_needs(e, submit=True), _goals(e, today), _record_reviews(
            e, 1, today, acknowledge_all=True, caseload=[70]), _reflections(e, awaiting=True, with_feedback=True),
            _protected_time(e, today, months=8, hours="2")),
        "preceptee_ot_late": lambda e: (_needs(e, submit=True), _goals(e, today, achieved=2), _record_reviews(
            e, 6, today, acknowledge_all=False), _reflections(e, awaiting=False, with_feedback=True),
            _protected_time(e, today, months=17, hours="4")),
        "preceptee_ot_paused": lambda e: (_goals(e, today), _record_reviews(e, 1, today, acknowledge_all=True)),
        # Review 1 held three months before today's week-old date, so review 2, planned from it, is 7 days
        # overdue.
        "preceptee_physio": lambda e: (_needs(e, submit=True), _goals(e, today), _record_reviews(
            e, 1, today, acknowledge_all=False, held=[add_months(today - datetime.timedelta(days=7), -3)]),
            _reflections(e, awaiting=True, with_feedback=False),
            _protected_time(e, today, months=4, hours="6")),
        "preceptee_podiatry": lambda e: (_needs(e, submit=True), _goals(e, today), _not_held(e, today)),
    }
    for key, plan in plans.items():
        enrolment = _find(users, key)
        if enrolment is None or not enrolment.is_current or enrolment.goals.exists():
            continue
        plan(enrolment)
    demo_history.build(directory=directory, today=today)  # a preceptorship finished years ago


def _not_held(enrolment: Enrolment, today: datetime.date) -> None:
    services.review_mark_not_held(
        actor=enrolment.mentor, enrolment=enrolment, status=ReviewMeeting.Status.CANCELLED,
        reason="The mentor's clinic moved; both agreed a new date.",
        new_date=max(today, (enrolment.next_review_due or today)) + datetime.timedelta(days=7),
    )
