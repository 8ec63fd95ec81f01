"""The scale ICS's preceptorship: programmes, enrolments in every state, and their review meetings,
goals, reflections, protected time and completion."""

from __future__ import annotations

import datetime
from collections import Counter
from decimal import Decimal

from bench.scale.common import (
    ENROLMENT_MIX,
    GOAL_TEXTS,
    PROTECTED_TIME_PER_PRECEPTEE,
    REFLECTION_TITLES,
    SENTENCES,
    BuildState,
    People,
    Plan,
    allocate,
    at,
    days,
    spread,
)
from preceptorship.models import Membership, Organisation, Team, User
from programmes.models import (
    REFLECTIVE_MODELS,
    CompletionConfirmation,
    Enrolment,
    Evaluation,
    Extension,
    Goal,
    GoalUpdate,
    NeedsAssessment,
    Pause,
    Programme,
    ProtectedTime,
    Reflection,
    ReflectionFeedback,
    ReviewAction,
    ReviewMeeting,
    Transition,
)
from programmes.schedule import Period, add_months, build_schedule

Role = Membership.Role


class EnrolmentsBuilder(BuildState):
    """Each organisation's programmes and enrolments, with everything a preceptorship records."""

    def programmes(self, organisation: Organisation, *, hosts_shared: bool) -> list[Programme]:
        kind = organisation.kind
        templates: list[tuple[str, int, int, list[str], bool]]
        if kind == Organisation.Kind.LOCAL_AUTHORITY:
            templates = [("Social work preceptorship (ASYE and beyond)", 12, 3, ["social-work"], False),
                         ("Occupational therapy preceptorship", 18, 3, ["occupational-therapy"], True)]
        elif kind == Organisation.Kind.NHS_TRUST:
            templates = [("Allied health professions preceptorship", 18, 2,
                          [s for s, p in self.professions.items() if p.kind == "ahp"], True),
                         ("Nursing and midwifery preceptorship", 12, 2, ["nursing", "midwifery"], True)]
        else:
            templates = [("Multi-professional preceptorship", 18, 2, self.organisation_professions(organisation),
                          True)]
        if hosts_shared:
            templates.append(("ICS preceptorship for international recruits", 24, 3,
                              [s for s, p in self.professions.items() if p.kind != "support"], True))
        programmes = [
            Programme(
                name=f"{name} ({organisation.slug})", organisation=organisation, length_months=length,
                review_interval_months=interval, transitions=[t.value for t in Transition],
                entry_level="Level 1", exit_level="Level 2", protected_hours_per_month=Decimal("7.5"),
                framework=self.framework["standards"] if with_framework else None, mentor_capacity=12,
                shared_with_ics=name.startswith("ICS "),
            )
            for name, length, interval, _, with_framework in templates
        ]
        self.out.insert(Programme, programmes)
        through = Programme.professions.through
        self.out.insert(through, [
            through(programme_id=programme.pk, profession_id=self.professions[slug].pk)
            for programme, (_, _, _, slugs, _) in zip(programmes, templates, strict=True) for slug in slugs
            if slug in self.professions
        ])
        if hosts_shared:
            self.shared_programme = programmes[-1]
        return programmes

    def preceptorship(self, organisation: Organisation, people: People, *, share: float, hosts_shared: bool,
                      shared: Programme | None) -> None:
        rng = self.rng
        programmes = self.programmes(organisation, hosts_shared=hosts_shared)
        own = [p for p in programmes if not p.shared_with_ics]
        statuses = allocate(len(people.preceptees), ENROLMENT_MIX, rng)
        plans: list[Plan] = []
        load: Counter[int] = Counter()
        for (preceptee, t), status in zip(people.preceptees, statuses, strict=True):
            programme = shared if shared is not None and rng.random() < 0.03 else rng.choice(own)
            team_mentors = people.mentors.get(t) or [m for ms in people.mentors.values() for m in ms]
            mentor = min(team_mentors, key=lambda m: (load[m.pk], rng.random()))
            load[mentor.pk] += 1
            plans.append(self.plan(programme, preceptee, organisation, self.teams[organisation.pk][t], mentor,
                                   rng.choice(people.line_managers[t]), status))
        self.out.insert(Enrolment, [plan.enrolment for plan in plans])
        self.out.insert(Pause, [pause for plan in plans for pause in plan.pauses])
        self.out.insert(Extension, [ext for plan in plans for ext in plan.extensions])
        self.reviews(plans, round(self.sizes.reviews * share))
        self.goals(plans, round(self.sizes.goals * share))
        self.reflections(plans, round(self.sizes.reflections * share))
        self.protected_time(plans, round(self.sizes.preceptees * PROTECTED_TIME_PER_PRECEPTEE * share))
        self.completion(plans)

    def plan(self, programme: Programme, preceptee: User, organisation: Organisation, team: Team, mentor: User,
             manager: User, status: str) -> Plan:
        rng, today = self.rng, self.today
        length, interval = programme.length_months, programme.review_interval_months
        span = length * 30
        pauses: list[tuple[datetime.date, datetime.date, str]] = []
        extension = 0
        end: datetime.date = today  # the last day the enrolment was running
        if status == Enrolment.Status.ACTIVE:
            start = today - days(rng.uniform(0, span - 5))
            if rng.random() < 0.08 and (today - start).days > 150:
                p_start = start + days(rng.uniform(30, (today - start).days - 100))
                pauses.append((p_start, p_start + days(rng.uniform(20, 80)), rng.choice(Pause.Reason.values)))
            if rng.random() < 0.04 and (today - start).days > span - 90:
                extension = rng.choice([3, 6])
        elif status == Enrolment.Status.PAUSED:
            start = today - days(rng.uniform(60, span - 30))
            p_start = max(start + days(30), today - days(rng.uniform(5, 120)))
            pauses.append((p_start, today + days(rng.uniform(30, 240)), rng.choice(Pause.Reason.values)))
        elif status == Enrolment.Status.COMPLETED:
            start = add_months(today, -length) - days(rng.uniform(20, 900))
        else:
            start = today - days(rng.uniform(90, 900))
            end = min(today, start + days(rng.uniform(30, span)))
        schedule = build_schedule(start=start, interval_months=interval, length_months=length,
                                  pauses=[Period(a, b) for a, b, _ in pauses], extension_months=extension)
        if status == Enrolment.Status.COMPLETED:
            end = min(today, schedule.completion + days(rng.uniform(0, 20)))
        due = [d for d in schedule.reviews if d <= end]
        held = len(due)
        if status == Enrolment.Status.ACTIVE and held and rng.random() < 0.15:
            held -= 1  # the latest review is overdue
        enrolment = Enrolment(
            programme=programme, preceptee=preceptee, organisation=organisation, team=team, start_date=start,
            transition=rng.choices(Transition.values, weights=[70, 8, 10, 8, 4])[0], mentor=mentor,
            line_manager=manager, status=status, completion_due=schedule.completion, reviews_held=held,
            next_review_due=schedule.review_due(held + 1) if status in Enrolment.CURRENT else None,
            created_at=at(start, 9),
        )
        if status == Enrolment.Status.WITHDRAWN:
            enrolment.withdrawn_on = end
            enrolment.withdrawal_reason = rng.choices(Enrolment.WithdrawalReason.values, weights=[50, 15, 25, 10])[0]
            if enrolment.withdrawal_reason == Enrolment.WithdrawalReason.OTHER:
                enrolment.withdrawal_detail = "Moved abroad with family."
        elif status == Enrolment.Status.COMPLETED:
            enrolment.completed_on = end
            enrolment.outcome = "Progressed to Level 2"
            enrolment.pay_step_on = add_months(end.replace(day=1), 1)
        plan = Plan(enrolment=enrolment, schedule_reviews=list(schedule.reviews[:held]), end=end)
        plan.pauses = [Pause(enrolment=enrolment, reason=reason, start_date=a, end_date=b, recorded_by=manager)
                       for a, b, reason in pauses]
        if extension:
            plan.extensions = [Extension(enrolment=enrolment, months=extension, recorded_by=manager,
                                         reason="More time to gain experience of complex cases.")]
        return plan

    def reviews(self, plans: list[Plan], target: int) -> None:
        rng = self.rng
        meetings: list[ReviewMeeting] = []
        for plan in plans:
            e = plan.enrolment
            for number, due in enumerate(plan.schedule_reviews, start=1):
                held_on = min(plan.end, max(e.start_date, due + days(rng.uniform(-14, 10))))
                recorded = at(held_on, 15)
                latest = number == len(plan.schedule_reviews)
                meetings.append(ReviewMeeting(
                    enrolment=e, number=number, status=ReviewMeeting.Status.HELD, due_on=due, held_on=held_on,
                    attended_line_manager=rng.random() < 0.5, discussion=" ".join(rng.sample(SENTENCES, 3)),
                    wellbeing=min(5, 2 + number // 2 + rng.randint(0, 1)),
                    confidence=min(5, 1 + number // 2 + rng.randint(0, 1)),
                    protected_time_received=rng.choices(ReviewMeeting.ProtectedTime.values, weights=[6, 3, 1])[0],
                    next_meeting_on=None, recorded_by_id=e.mentor_id, recorded_at=recorded,
                    acknowledged_at=None if latest and rng.random() < 0.3 else recorded + days(rng.uniform(1, 10)),
                    created_at=recorded,
                ))
        held = len(meetings)
        # Cancelled and missed meetings make up the rest of the target.
        with_history = [plan for plan in plans if plan.schedule_reviews]
        for _ in range(max(0, target - held) if with_history else 0):
            plan = rng.choice(with_history)
            number = rng.randint(1, len(plan.schedule_reviews))
            due = plan.schedule_reviews[number - 1]
            status = rng.choice([ReviewMeeting.Status.CANCELLED, ReviewMeeting.Status.MISSED])
            on = max(plan.enrolment.start_date, due - days(rng.uniform(0, 10)))
            meetings.append(ReviewMeeting(
                enrolment=plan.enrolment, number=number, status=status, due_on=due, held_on=None,
                reason="Mentor on sick leave." if status == ReviewMeeting.Status.CANCELLED
                else "Preceptee called to an urgent visit.",
                next_meeting_on=due + days(14), recorded_by_id=plan.enrolment.mentor_id, recorded_at=at(on, 16),
                created_at=at(on, 16),
            ))
        self.out.insert(ReviewMeeting, meetings)
        self.out.insert(ReviewAction, [
            ReviewAction(review=review, description="Book two shadowing sessions with a senior colleague",
                         owner=rng.choice(ReviewAction.Owner.values), due_on=review.held_on + days(30))
            for review in meetings[:held] if rng.random() < 0.6
        ])

    def elapsed_weights(self, plans: list[Plan]) -> list[float]:
        return [1 + max(0, (plan.end - plan.enrolment.start_date).days) / 30 for plan in plans]

    def goals(self, plans: list[Plan], target: int) -> None:
        rng, today = self.rng, self.today
        goals: list[Goal] = []
        for plan, count in zip(plans, spread(target, self.elapsed_weights(plans), rng), strict=True):
            e = plan.enrolment
            for _ in range(count):
                created = e.start_date + days(rng.uniform(0, max(1, (plan.end - e.start_date).days)))
                what, measure = rng.choice(GOAL_TEXTS)
                target_date = created + days(rng.uniform(30, 180))
                status = Goal.Status.NOT_STARTED
                if target_date < today:
                    status = rng.choices([Goal.Status.ACHIEVED, Goal.Status.CHANGED, Goal.Status.DROPPED,
                                          Goal.Status.IN_PROGRESS], weights=[75, 8, 5, 12])[0]
                elif created < today - days(20):
                    status = Goal.Status.IN_PROGRESS
                goals.append(Goal(
                    enrolment=e, what=what, measure=measure, target_date=target_date, status=status,
                    status_reason="The service changed, so the goal changed with it." if status in Goal.NEEDS_REASON
                    else "", achieved_on=min(today, target_date - days(rng.uniform(0, 20)))
                    if status == Goal.Status.ACHIEVED else None,
                    created_by_id=e.preceptee_id, created_at=at(created, 11),
                ))
        self.out.insert(Goal, goals)
        standards = self.framework_competencies["standards"]
        through = Goal.competencies.through
        self.out.insert(through, [
            through(goal_id=goal.pk, competency_id=rng.choice(standards).pk)
            for goal in goals if goal.enrolment.programme.framework_id and rng.random() < 0.7
        ])
        self.out.insert(GoalUpdate, [
            GoalUpdate(goal=goal, on=min(today, goal.created_at.date() + days(30)), note=rng.choice(SENTENCES),
                       author_id=goal.enrolment.preceptee_id)
            for goal in goals if goal.status in (Goal.Status.IN_PROGRESS, Goal.Status.ACHIEVED)
            and rng.random() < 0.5
        ])

    def reflections(self, plans: list[Plan], target: int) -> None:
        rng = self.rng
        rows: list[Reflection] = []
        for plan, count in zip(plans, spread(target, self.elapsed_weights(plans), rng), strict=True):
            e = plan.enrolment
            for _ in range(count):
                written = e.start_date + days(rng.uniform(0, max(1, (plan.end - e.start_date).days)))
                model = rng.choices(Reflection.Model.values, weights=[5, 3, 1, 1])[0]
                finished = rng.random() < 0.85
                to_mentor = finished and rng.random() < 0.6
                to_manager = finished and rng.random() < 0.2
                rows.append(Reflection(
                    enrolment=e, author_id=e.preceptee_id, title=rng.choice(REFLECTION_TITLES), model=model,
                    answers={key: rng.choice(SENTENCES) for key, _, _ in REFLECTIVE_MODELS[model][1]},
                    status=Reflection.Status.FINISHED if finished else Reflection.Status.DRAFT,
                    shared_with_mentor=to_mentor, shared_with_line_manager=to_manager,
                    shared_at=at(written, 17) if to_mentor or to_manager else None, created_at=at(written, 14),
                ))
        self.out.insert(Reflection, rows)
        self.out.insert(ReflectionFeedback, [
            ReflectionFeedback(reflection=r, author_id=r.enrolment.mentor_id, created_at=r.shared_at + days(3),
                               text="Thank you for sharing this. What would you try first next time?")
            for r in rows if r.shared_with_mentor and rng.random() < 0.7
        ])

    def protected_time(self, plans: list[Plan], target: int) -> None:
        rng = self.rng
        self.out.insert(ProtectedTime, [
            ProtectedTime(enrolment=plan.enrolment, hours=Decimal(rng.choice(["1", "1.5", "2", "3.5", "7.5"])),
                          on=plan.enrolment.start_date + days(rng.uniform(0, max(1, (plan.end - plan.enrolment
                                                                                      .start_date).days))),
                          activity=rng.choice(ProtectedTime.Activity.values), note="Study day",
                          logged_by_id=plan.enrolment.preceptee_id)
            for plan, count in zip(plans, spread(target, self.elapsed_weights(plans), rng), strict=True)
            for _ in range(count)
        ])

    def completion(self, plans: list[Plan]) -> None:
        rng, today = self.rng, self.today
        needs, confirmations, evaluations = [], [], []
        for plan in plans:
            e = plan.enrolment
            submitted = rng.random() < 0.9
            needs.append(NeedsAssessment(
                enrolment=e, strengths="Organised, calm with families.", learning_needs="Complex discharges.",
                support_wanted="Regular supervision.", submitted_at=at(e.start_date + days(14)) if submitted else None,
            ))
            if e.status == Enrolment.Status.COMPLETED:
                for role, person in ((CompletionConfirmation.Role.MENTOR, e.mentor_id),
                                     (CompletionConfirmation.Role.LINE_MANAGER, e.line_manager_id)):
                    confirmations.append(CompletionConfirmation(enrolment=e, role=role, by_id=person, confirmed=True))
                if rng.random() < 0.75:
                    evaluations.append(Evaluation(
                        enrolment=e, support_received=rng.randint(2, 5), confidence_now=rng.randint(3, 5),
                        protected_time=rng.randint(1, 5), would_recommend=rng.choices(
                            Evaluation.Recommend.values, weights=[7, 2, 1])[0],
                    ))
            elif e.status == Enrolment.Status.ACTIVE and e.completion_due <= today + days(31) and rng.random() < 0.5:
                confirmations.append(CompletionConfirmation(enrolment=e, role=CompletionConfirmation.Role.MENTOR,
                                                            by_id=e.mentor_id, confirmed=True))
        self.out.insert(NeedsAssessment, needs)
        self.out.insert(CompletionConfirmation, confirmations)
        self.out.insert(Evaluation, evaluations)
