"""Scoped reads for the programmes pages. Every query starts from ``access.scope``."""

from __future__ import annotations

import datetime
from dataclasses import dataclass
from decimal import Decimal
from functools import cached_property
from typing import Any

from django.db.models import (
    Avg,
    BooleanField,
    CharField,
    Count,
    DecimalField,
    Exists,
    IntegerField,
    Min,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
    Sum,
)
from django.db.models.functions import Coalesce
from django.utils import timezone

from preceptorship import access
from preceptorship.links import url_maker
from preceptorship.models import Organisation, Profession, Team, User
from preceptorship.sql import fixed_sql
from programmes.models import (
    CompletionConfirmation,
    Enrolment,
    Evaluation,
    Extension,
    Goal,
    NeedsAssessment,
    Pause,
    Programme,
    ProtectedTime,
    Reflection,
    ReflectionFeedback,
    ReviewDraft,
    ReviewMeeting,
)
from programmes.schedule import add_months, months_elapsed

MIN_EVALUATIONS = 5  # fewer answers could identify someone


def enrolments_for(user: Any) -> QuerySet[Enrolment]:
    return access.scope(user, Enrolment).select_related(
        "programme", "preceptee", "preceptee__profession", "mentor", "line_manager", "organisation", "team"
    )


def caseload(user: Any) -> QuerySet[Enrolment]:
    return enrolments_for(user).filter(mentor_id=user.pk)


def team_enrolments(user: Any) -> QuerySet[Enrolment]:
    return enrolments_for(user).filter(line_manager_id=user.pk)


def led_enrolments(user: Any) -> QuerySet[Enrolment]:
    from programmes.access import lead_organisation_ids

    return enrolments_for(user).filter(programme__organisation_id__in=lead_organisation_ids(user))


def review_draft(enrolment: Enrolment) -> ReviewDraft | None:
    """The draft record of the enrolment's next review meeting, for who records its reviews (the caller
    has checked that): one left from a meeting recorded since is not shown."""
    return (ReviewDraft.objects.select_related("saved_by")
            .filter(enrolment_id=enrolment.pk, number=enrolment.reviews_held + 1).first())


def _caseloads_recorded() -> QuerySet[ReviewMeeting]:
    return ReviewMeeting.objects.filter(status=ReviewMeeting.Status.HELD, caseload_percent__isnull=False).order_by(
        "-held_on", "-number")


def caseload_above_protection(enrolment: Enrolment, today: datetime.date) -> ReviewMeeting | None:
    """The last review meeting's caseload when it is above the programme's protected caseload and the
    preceptee is still in their protected months (the caller has checked the viewer sees the reviews)."""
    if enrolment.programme.caseload_limit(enrolment.start_date, today) is None:
        return None
    latest = _caseloads_recorded().filter(enrolment_id=enrolment.pk).select_related("enrolment__programme").first()
    return latest if latest is not None and latest.caseload_exceeded else None


def caseload_exceeded(enrolment: Enrolment, today: datetime.date) -> bool:
    """For a list row annotated by ``with_flags``: the last caseload recorded is above the protection."""
    return caseload_over(enrolment.programme, enrolment.start_date, enrolment.latest_caseload,
                         enrolment.latest_caseload_on, today)


def caseload_over(programme: Programme, start: datetime.date, recorded: int | None, on: datetime.date | None,
                  today: datetime.date) -> bool:
    """``caseload_exceeded`` of an enrolment on ``programme`` from ``start``, whose last caseload
    recorded was ``recorded`` (%) on ``on``."""
    limit = programme.caseload_limit(start, today)
    if limit is None or recorded is None or on is None:
        return False
    held_limit = programme.caseload_limit(start, on)
    return held_limit is not None and recorded > held_limit


def with_flags(queryset: QuerySet[Enrolment], user: Any, *, all_mentored: bool = False) -> QuerySet[Enrolment]:
    """Columns the lists show without a query per row. ``all_mentored``: every row is one the user
    mentors (their caseload), so the figures need not check it row by row."""
    # As the rows' mentor only: a join to the enrolment each, unless every row is the user's.
    as_mentor = {} if all_mentored else {"enrolment__mentor_id": user.pk}
    # A correlated count rather than a join and GROUP BY over every selected column: the same figure,
    # and the planner's work stays small on a list that also selects the people (docs/performance.md).
    awaiting = (
        Reflection.objects.filter(enrolment_id=OuterRef("pk"), shared_with_mentor=True, **as_mentor)
        .exclude(Exists(ReflectionFeedback.objects.filter(reflection=OuterRef("pk"))))
        .order_by().values("enrolment_id").annotate(n=Count("pk")).values("n")
    )
    # A review record the user (as mentor) saved to finish later.
    draft = ReviewDraft.objects.filter(enrolment_id=OuterRef("pk"), number=OuterRef("reviews_held") + 1, **as_mentor)
    return with_latest_caseload(queryset).annotate(
        shared_awaiting=Coalesce(Subquery(awaiting, output_field=IntegerField()), 0),
        review_draft_saved=Exists(draft),
    )


def with_latest_caseload(queryset: QuerySet[Enrolment]) -> QuerySet[Enrolment]:
    """``latest_caseload`` (%) and ``latest_caseload_on``: the last review meeting that recorded one,
    without a query per row."""
    latest = _caseloads_recorded().filter(enrolment_id=OuterRef("pk"))
    return queryset.annotate(latest_caseload=Subquery(latest.values("caseload_percent")[:1]),
                             latest_caseload_on=Subquery(latest.values("held_on")[:1]))


def shared_reflections_awaiting_feedback(user: Any) -> QuerySet[Reflection]:
    """Shared with the user as mentor with no feedback yet, or as line manager with none from them."""
    feedback = ReflectionFeedback.objects.filter(reflection=OuterRef("pk"))
    as_mentor = Q(enrolment__mentor_id=user.pk, shared_with_mentor=True) & ~Q(Exists(feedback))
    as_manager = Q(enrolment__line_manager_id=user.pk, shared_with_line_manager=True) & ~Q(
        Exists(feedback.filter(author_id=user.pk))
    )
    return (
        access.scope(user, Reflection)
        .filter(as_mentor | as_manager)
        .select_related("author", "enrolment")
        .order_by("shared_at")
    )


def reviews_to_acknowledge(user: Any) -> QuerySet[ReviewMeeting]:
    return (
        access.scope(user, ReviewMeeting)
        .filter(enrolment__preceptee_id=user.pk, status=ReviewMeeting.Status.HELD, acknowledged_at__isnull=True)
        .select_related("enrolment__programme")
        .order_by("held_on")
    )


def completions_to_confirm(user: Any, today: datetime.date | None = None) -> QuerySet[Enrolment]:
    from programmes.services import COMPLETION_WINDOW_DAYS

    today = today or timezone.localdate()
    confirmed_by_me = CompletionConfirmation.objects.filter(enrolment=OuterRef("pk"), by_id=user.pk)
    return (
        enrolments_for(user)
        .filter(Q(mentor_id=user.pk) | Q(line_manager_id=user.pk), status__in=Enrolment.CURRENT,
                completion_due__lte=today + datetime.timedelta(days=COMPLETION_WINDOW_DAYS))
        .exclude(Exists(confirmed_by_me))
        .order_by("completion_due")
    )


def _count_of(enrolments: QuerySet[Enrolment]) -> Coalesce:
    """A per-programme count as a subquery (a join would multiply with the scope's own joins)."""
    counted = enrolments.filter(programme=OuterRef("pk")).order_by().values("programme").annotate(n=Count("pk"))
    return Coalesce(Subquery(counted.values("n")), 0)


# The mentor capacity rule, the one every page and service uses: a mentor's load is their current
# (active or paused) preceptees; their capacity is the smallest ``mentor_capacity`` of the programmes
# those preceptees are on and, when someone is being added, of that programme too; with neither, the
# programmes' default.
DEFAULT_CAPACITY: int = Programme._meta.get_field("mentor_capacity").default


def mentor_load_expressions(mentor: str = "pk") -> dict[str, Any]:
    """``current_load`` and ``capacity`` as annotations of rows whose ``mentor`` field is the mentor's id."""
    current = Enrolment.objects.filter(mentor_id=OuterRef(mentor), status__in=Enrolment.CURRENT).order_by()
    return {
        "current_load": Coalesce(Subquery(current.values("mentor_id").annotate(n=Count("pk")).values("n")[:1]), 0),
        "capacity": Coalesce(
            Subquery(current.values("mentor_id").annotate(c=Min("programme__mentor_capacity")).values("c")[:1]),
            DEFAULT_CAPACITY,
        ),
    }


def with_mentor_load(people: QuerySet[Any], *, capacity: bool = True) -> QuerySet[Any]:
    """Each person's ``current_load`` and, with ``capacity``, their ``capacity`` (the rule above)."""
    expressions = mentor_load_expressions()
    return people.annotate(**(expressions if capacity else {"current_load": expressions["current_load"]}))


def mentor_load_and_capacity(mentor: Any, adding_to: Programme | None = None) -> tuple[int, int]:
    """A mentor's load and capacity now, counting ``adding_to`` (a programme they are taking
    someone on) among their programmes; one query."""
    found = with_mentor_load(User.objects.filter(pk=mentor.pk)).values("current_load", "capacity").first()
    load, capacity = (found["current_load"], found["capacity"]) if found else (0, DEFAULT_CAPACITY)
    return load, capacity_adding_to(load, capacity, adding_to)


def capacity_adding_to(load: int, capacity: int, programme: Programme | None) -> int:
    """A mentor's capacity (read with ``mentor_load_expressions``) once they take someone on
    ``programme`` too: that programme's capacity counts among theirs."""
    if programme is None:
        return capacity
    return programme.mentor_capacity if load == 0 else min(capacity, programme.mentor_capacity)


def programmes_for(user: Any) -> QuerySet[Programme]:
    return access.scope(user, Programme).select_related("organisation").annotate(
        active_count=_count_of(Enrolment.objects.filter(status__in=Enrolment.CURRENT)),
        enrolment_count=_count_of(Enrolment.objects.all()),
    )


@dataclass(frozen=True)
class TimeSummary:
    received: Decimal
    expected: Decimal

    @property
    def percent(self) -> int:
        if not self.expected:
            return 100
        return min(100, round(100 * self.received / self.expected))

    @property
    def falling_short(self) -> bool:
        return self.received < self.expected


def protected_time_summary(enrolment: Enrolment, today: datetime.date | None = None, *,
                           records: EnrolmentRecords | None = None) -> TimeSummary:
    """Hours logged against the allowance so far (whole months elapsed, less months paused)."""
    today = today or timezone.localdate()
    end = min(today, enrolment.completed_on or enrolment.withdrawn_on or today)
    months = months_elapsed(enrolment.start_date, end)
    records = records if records is not None else EnrolmentRecords(enrolment)
    paused_days = sum(
        max(0, (min(p.end_date, end) - p.start_date).days + 1) for p in records.pauses if p.start_date <= end
    )
    months = max(0, months - paused_days // 30)
    received = getattr(enrolment, "protected_hours_received", None)  # read with the enrolment, or now
    if received is None:
        received = ProtectedTime.objects.filter(enrolment=enrolment).aggregate(total=Sum("hours"))["total"]
    received = received or Decimal(0)
    return TimeSummary(received=received, expected=enrolment.programme.protected_hours_per_month * months)


@dataclass(frozen=True)
class EvaluationSummary:
    answered: int
    support_received: float | None = None
    confidence_now: float | None = None
    protected_time: float | None = None
    recommend_yes: int | None = None

    @property
    def reportable(self) -> bool:
        return self.answered >= MIN_EVALUATIONS


def evaluation_summary(programme: Programme) -> EvaluationSummary:
    """Aggregates only, and only when at least five people answered."""
    rows = Evaluation.objects.filter(enrolment__programme=programme)
    data = rows.aggregate(
        answered=Count("id"), support=Avg("support_received"), confidence=Avg("confidence_now"),
        time=Avg("protected_time"), yes=Count("id", filter=Q(would_recommend=Evaluation.Recommend.YES)),
    )
    if data["answered"] < MIN_EVALUATIONS:
        return EvaluationSummary(answered=data["answered"])
    return EvaluationSummary(
        answered=data["answered"], support_received=round(data["support"], 1),
        confidence_now=round(data["confidence"], 1), protected_time=round(data["time"], 1),
        recommend_yes=round(100 * data["yes"] / data["answered"]),
    )


@dataclass(frozen=True)
class TimelineItem:
    on: datetime.date
    label: str
    state: str  # done, overdue, future
    detail: str = ""
    url: str = ""


def timeline(enrolment: Enrolment, *, user: Any, today: datetime.date | None = None,
             records: EnrolmentRecords | None = None) -> list[TimelineItem]:
    """The whole programme as one line: start, reviews, pauses, extensions, goals achieved,
    reflections shared, and completion or withdrawal. What a viewer may not open is named without
    its content or link (a goal's words only to the preceptee, mentor and line manager)."""
    from programmes.access import record_sight
    from programmes.services import enrolment_schedule

    today = today or timezone.localdate()
    records = records if records is not None else EnrolmentRecords(enrolment)
    sight = record_sight(user, enrolment)
    sees_reviews, sees_goals = sight["reviews"], sight["records"]
    schedule = enrolment_schedule(enrolment, records=records)
    review_url, goal_url, reflection_url = (url_maker(name) for name in (
        "programmes:review-detail", "programmes:goal-detail", "programmes:reflection-detail"))
    items = [TimelineItem(enrolment.start_date, "Started", "done", enrolment.get_transition_display())]
    reviews = records.reviews
    held = {r.number: r for r in reviews if r.status == ReviewMeeting.Status.HELD}
    for review in reviews:
        if review.status != ReviewMeeting.Status.HELD:
            moved = f"New date {review.next_meeting_on:%-d %B %Y}." if review.next_meeting_on else ""
            detail = " ".join(part for part in (review.reason.strip(), moved) if part) if sees_reviews else moved
            items.append(TimelineItem(timezone.localtime(review.recorded_at).date(),
                                      f"Review {review.number} {review.status}", "done",
                                      detail, review_url(review.pk) if sees_reviews else ""))
    for number, due in enumerate(schedule.reviews, start=1):
        if number in held:
            review = held[number]
            items.append(TimelineItem(review.held_on, f"Review {number} held", "done",
                                      f"Due {due:%-d %B %Y}", review_url(review.pk) if sees_reviews else ""))
        elif not enrolment.is_current:
            continue
        else:
            when = enrolment.next_review_due if number == enrolment.reviews_held + 1 and enrolment.next_review_due \
                else due
            state = "overdue" if when < today and enrolment.status == Enrolment.Status.ACTIVE else "future"
            items.append(TimelineItem(when, f"Review {number} {'overdue' if state == 'overdue' else 'due'}", state))
    for number in sorted(n for n in held if n > len(schedule.reviews)):  # met more often than scheduled
        review = held[number]
        items.append(TimelineItem(review.held_on, f"Review {number} held", "done", "",
                                  review_url(review.pk) if sees_reviews else ""))
    for pause in records.pauses:
        items.append(TimelineItem(pause.start_date, "Paused", "done" if pause.start_date <= today else "future",
                                  f"{pause.get_reason_display()} until {pause.end_date:%-d %B %Y}"))
    for extension in records.extensions:
        months = f"{extension.months} month{'' if extension.months == 1 else 's'}"
        items.append(TimelineItem(timezone.localtime(extension.created_at).date(), f"Extended by {months}", "done",
                                  extension.reason))
    for goal in records.goals:
        if goal.achieved_on:
            items.append(TimelineItem(goal.achieved_on, "Goal achieved", "done", goal.what if sees_goals else "",
                                      goal_url(goal.pk) if sees_goals else ""))
    visible = (access.scope(user, Reflection).filter(enrolment=enrolment, shared_at__isnull=False)
               .order_by("shared_at", "pk").values_list("pk", "title", "shared_at"))
    for pk, title, shared_at in visible:
        items.append(TimelineItem(timezone.localtime(shared_at).date(), "Reflection shared", "done", title,
                                  reflection_url(pk)))
    if enrolment.status == Enrolment.Status.COMPLETED:
        items.append(TimelineItem(enrolment.completed_on, "Completed", "done", enrolment.outcome))
    elif enrolment.status == Enrolment.Status.WITHDRAWN:
        items.append(TimelineItem(enrolment.withdrawn_on, "Withdrawn", "done",
                                  enrolment.get_withdrawal_reason_display()))
    else:
        items.append(TimelineItem(schedule.completion, "Completion due",
                                  "overdue" if schedule.completion < today else "future"))
    return sorted(items, key=lambda item: item.on)


# What the enrolment page shows of records beside the enrolment's own row, written as SQL: as
# Subquery and Exists expressions they cost more to build than the query takes to run, and joining
# the organisation, team and profession costs PostgreSQL more to plan (about a millisecond).
ENROLMENT_PAGE_FACTS = {
    "evaluated": ("EXISTS (SELECT 1 FROM {evaluation} x WHERE x.enrolment_id = {enrolment}.id)", BooleanField()),
    "needs_shared": ("EXISTS (SELECT 1 FROM {needs} x WHERE x.enrolment_id = {enrolment}.id "
                     "AND x.submitted_at IS NOT NULL)", BooleanField()),
    "protected_hours_received": (
        "COALESCE((SELECT SUM(x.hours) FROM {time} x WHERE x.enrolment_id = {enrolment}.id), 0)", DecimalField()),
    "organisation_name": ("SELECT x.name FROM {organisation} x WHERE x.id = {enrolment}.organisation_id", CharField()),
    "team_name": ("SELECT x.name FROM {team} x WHERE x.id = {enrolment}.team_id", CharField()),
    "profession_name": ("SELECT p.name FROM {user} u JOIN {profession} p ON p.id = u.profession_id "
                        "WHERE u.id = {enrolment}.preceptee_id", CharField()),
}


def with_page_facts(enrolments: QuerySet[Enrolment]) -> QuerySet[Enrolment]:
    """Read with the enrolment: whether it has been ``evaluated``, whether the ``needs_shared``
    assessment is shared, the ``protected_hours_received``, and the ``organisation_name``,
    ``team_name`` and preceptee's ``profession_name`` the page shows."""
    tables = {"enrolment": Enrolment, "evaluation": Evaluation, "needs": NeedsAssessment, "time": ProtectedTime,
              "organisation": Organisation, "team": Team, "user": User, "profession": Profession}
    return enrolments.annotate(**{name: fixed_sql(sql, field, **tables)
                                  for name, (sql, field) in ENROLMENT_PAGE_FACTS.items()})


class EnrolmentRecords:
    """One enrolment's own records, each kind read by one plain query the first time it is asked
    for: pauses, extensions, goals, review meetings and completion confirmations. The schedule, the
    timeline, the protected time and the enrolment page are handed the same object, so each kind is
    read once however many of them use it. Goals and review meetings come without their long texts,
    which none of these shows (reading one of them costs a query per record)."""

    def __init__(self, enrolment: Enrolment) -> None:
        self.enrolment_id = enrolment.pk

    @cached_property
    def pauses(self) -> list[Pause]:
        return list(Pause.objects.filter(enrolment_id=self.enrolment_id))

    @cached_property
    def extensions(self) -> list[Extension]:
        return list(Extension.objects.filter(enrolment_id=self.enrolment_id))

    @cached_property
    def goals(self) -> list[Goal]:
        return list(Goal.objects.filter(enrolment_id=self.enrolment_id).only(
            "enrolment_id", "what", "status", "achieved_on", "target_date"))

    @cached_property
    def reviews(self) -> list[ReviewMeeting]:
        return list(ReviewMeeting.objects.filter(enrolment_id=self.enrolment_id).only(
            "enrolment_id", "number", "status", "held_on", "next_meeting_on", "reason", "recorded_at"))

    @cached_property
    def confirmations(self) -> list[CompletionConfirmation]:
        return list(CompletionConfirmation.objects.filter(enrolment_id=self.enrolment_id))


def attach_people(enrolment: Enrolment, confirmations: list[CompletionConfirmation]) -> None:
    """The enrolment's preceptee, mentor and line manager in one query (joined to the enrolment's
    own query, they cost PostgreSQL more to plan than the query costs to run), with the authors of
    the given completion confirmations."""
    ids = {enrolment.preceptee_id, enrolment.mentor_id, enrolment.line_manager_id,
           *(c.by_id for c in confirmations)} - {None}
    people = User.objects.in_bulk(ids)
    enrolment.preceptee = people[enrolment.preceptee_id]
    enrolment.mentor, enrolment.line_manager = people.get(enrolment.mentor_id), people.get(enrolment.line_manager_id)
    for confirmation in confirmations:
        confirmation.by = people.get(confirmation.by_id)


def month_of(enrolment: Enrolment, today: datetime.date | None = None) -> int:
    today = today or timezone.localdate()
    return months_elapsed(enrolment.start_date, today) + 1


__all__ = ["add_months", "MIN_EVALUATIONS"]
