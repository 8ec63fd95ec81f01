"""Who sees and changes what in a preceptorship (docs/architecture.md, "Access").

- enrolment, timeline, schedule: the programme lead of the programme's organisation manages it;
  the preceptee's mentor (even from another organisation) and line manager change it; the
  preceptee and the Head of Service of the preceptee's service only see it.
- review meeting records: the mentor records and corrects; the preceptee acknowledges and
  comments; line manager and programme lead read.
- goals and protected time: preceptee and mentor change; line manager reads. The programme lead
  sees totals only (on the enrolment page), never the records.
- reflections: the author only, until shared with the mentor (and optionally the line manager).
- needs assessment: the preceptee changes; mentor and line manager read.
- evaluation: the preceptee's own; programme leads see aggregates of at least five elsewhere.
"""

from __future__ import annotations

from typing import Any

from django.db import models
from django.db.models import Q

from preceptorship import access
from preceptorship.models import Membership
from programmes import offer
from programmes.models import (
    Enrolment,
    Evaluation,
    ExportJob,
    Goal,
    NeedsAssessment,
    OfferPerson,
    Programme,
    ProtectedTime,
    Reflection,
    ReviewMeeting,
)

Role = Membership.Role


def lead_organisation_ids(user: Any) -> set[int]:
    return access.organisation_ids(user, Role.PROGRAMME_LEAD)


def may_lead(user: Any) -> bool:
    """The programme lead's pages (programmes, enrolments, mentors): a lead of any organisation."""
    return bool(lead_organisation_ids(user))


def is_lead_of(user: Any, programme: Programme) -> bool:
    return access.is_administrator(user) or programme.organisation_id in lead_organisation_ids(user)


def _head_of_service_q(user: Any, prefix: str = "") -> Q:
    """Enrolments in a service (team) the user heads, or anywhere in an organisation they head without a team."""
    teams = access.team_ids(user, Role.HEAD_OF_SERVICE)
    whole = {
        m.organisation_id for m in access.memberships(user) if m.role == Role.HEAD_OF_SERVICE and not m.team_id
    }
    q = Q(pk__in=[])
    if teams:
        q |= Q(**{f"{prefix}team_id__in": teams})
    if whole:
        q |= Q(**{f"{prefix}organisation_id__in": whole})
    return q


def enrolment_q(user: Any, prefix: str = "") -> Q:
    """Enrolments the user may see, as a filter on a model reached through ``prefix``."""
    return (
        Q(**{f"{prefix}preceptee_id": user.pk})
        | Q(**{f"{prefix}mentor_id": user.pk})
        | Q(**{f"{prefix}line_manager_id": user.pk})
        | Q(**{f"{prefix}programme__organisation_id__in": lead_organisation_ids(user)})
        | _head_of_service_q(user, prefix)
    )


@access.register(Programme)
class ProgrammePolicy(access.Policy):
    """Programmes are no secret inside the organisations that run or share them."""

    def scope(self, user: Any, queryset: models.QuerySet) -> models.QuerySet:
        if access.is_administrator(user):
            return queryset
        orgs = access.organisation_ids(user)
        ics = {m.organisation.ics_id for m in access.memberships(user) if m.organisation.ics_id}
        # A mentor from another organisation sees the programme of the preceptee they mentor.
        mentoring = Enrolment.objects.filter(mentor_id=user.pk).values("programme_id")
        return queryset.filter(
            Q(organisation_id__in=orgs) | Q(shared_with_ics=True, organisation__ics_id__in=ics) | Q(pk__in=mentoring)
        )

    def allows(self, user: Any, obj: Any, action: str) -> bool:
        # change, close, delete, enrol
        return is_lead_of(user, obj)


@access.register(Enrolment)
class EnrolmentPolicy(access.Policy):
    def scope(self, user: Any, queryset: models.QuerySet) -> models.QuerySet:
        if access.is_administrator(user):
            return queryset
        return queryset.filter(enrolment_q(user))

    def sees(self, user: Any, obj: Any) -> bool:
        # The first terms of ``enrolment_q``: the people named on it and, when the programme was
        # read with it, its leads.
        if user.pk in (obj.preceptee_id, obj.mentor_id, obj.line_manager_id) or access.is_administrator(user):
            return True
        return Enrolment.programme.is_cached(obj) and obj.programme.organisation_id in lead_organisation_ids(user)

    def allows(self, user: Any, obj: Any, action: str) -> bool:
        lead = obj.programme.organisation_id in lead_organisation_ids(user)
        mentor = obj.mentor_id == user.pk
        manager = obj.line_manager_id == user.pk
        preceptee = obj.preceptee_id == user.pk
        current = obj.is_current
        match action:
            case "manage" | "record_outcome":
                return lead
            case "change":
                return lead or mentor or manager
            case "record_review":
                return mentor and current
            case "add_goal" | "log_time":
                return (preceptee or mentor) and current
            case "write_reflection" | "needs_assessment":
                return preceptee
            case "confirm_completion":
                return (mentor or manager) and current
            case "evaluate":
                return preceptee and obj.status == Enrolment.Status.COMPLETED
            case "certificate":
                return (preceptee or lead or mentor or manager) and obj.status == Enrolment.Status.COMPLETED
        return False


@access.register(ReviewMeeting)
class ReviewMeetingPolicy(access.Policy):
    def scope(self, user: Any, queryset: models.QuerySet) -> models.QuerySet:
        return queryset.filter(
            Q(enrolment__preceptee_id=user.pk)
            | Q(enrolment__mentor_id=user.pk)
            | Q(enrolment__line_manager_id=user.pk)
            | Q(enrolment__programme__organisation_id__in=lead_organisation_ids(user))
        )

    def allows(self, user: Any, obj: Any, action: str) -> bool:
        mentor = obj.enrolment.mentor_id == user.pk
        match action:
            case "correct":
                return mentor and not obj.is_locked()
            case "addendum":
                return mentor and obj.is_locked()
            case "acknowledge":
                return obj.enrolment.preceptee_id == user.pk and obj.status == ReviewMeeting.Status.HELD
        return False


def practice_q(user: Any, prefix: str = "") -> Q:
    """The enrolments the user takes part in: as preceptee, mentor or line manager."""
    return (
        Q(**{f"{prefix}preceptee_id": user.pk})
        | Q(**{f"{prefix}mentor_id": user.pk})
        | Q(**{f"{prefix}line_manager_id": user.pk})
    )


def record_sight(user: Any, enrolment: Enrolment) -> dict[str, bool]:
    """Which of an enrolment's records the user may open, without a query: ``records`` (goals,
    reflections, protected time, needs assessment: preceptee, mentor, line manager) and ``reviews``
    (also the programme lead of the programme's organisation). Mirrors the policies here."""
    records = user.pk in {enrolment.preceptee_id, enrolment.mentor_id, enrolment.line_manager_id}
    reviews = records or enrolment.programme.organisation_id in lead_organisation_ids(user)
    return {"records": records, "reviews": reviews}


def practice_enrolments(user: Any) -> models.QuerySet:
    """Enrolments whose goals, reflections, protected time and needs assessment the user may open
    (programme leads, Heads of Service and administrators are not among them)."""
    return access.scope(user, Enrolment).filter(practice_q(user))


def review_enrolments(user: Any) -> models.QuerySet:
    """Enrolments whose review meeting records the user may read: the practice roles and the programme lead."""
    return access.scope(user, Enrolment).filter(
        practice_q(user) | Q(programme__organisation_id__in=lead_organisation_ids(user))
    )


def _goal_like_scope(user: Any, queryset: models.QuerySet, prefix: str) -> models.QuerySet:
    return queryset.filter(practice_q(user, prefix))


@access.register(Goal)
class GoalPolicy(access.Policy):
    def scope(self, user: Any, queryset: models.QuerySet) -> models.QuerySet:
        return _goal_like_scope(user, queryset, "enrolment__")

    def allows(self, user: Any, obj: Any, action: str) -> bool:
        return action in {"change", "update"} and user.pk in {obj.enrolment.preceptee_id, obj.enrolment.mentor_id}


@access.register(ProtectedTime)
class ProtectedTimePolicy(access.Policy):
    def scope(self, user: Any, queryset: models.QuerySet) -> models.QuerySet:
        return _goal_like_scope(user, queryset, "enrolment__")

    def allows(self, user: Any, obj: Any, action: str) -> bool:
        # Corrected or deleted by whoever may log time: the preceptee and mentor, while it runs.
        return action == "change" and access.can(user, obj.enrolment, "log_time")


@access.register(NeedsAssessment)
class NeedsAssessmentPolicy(access.Policy):
    def scope(self, user: Any, queryset: models.QuerySet) -> models.QuerySet:
        return _goal_like_scope(user, queryset, "enrolment__")

    def allows(self, user: Any, obj: Any, action: str) -> bool:
        return action == "change" and obj.enrolment.preceptee_id == user.pk


def reflection_q(user: Any) -> Q:
    return (
        Q(author_id=user.pk)
        | Q(status=Reflection.Status.FINISHED, shared_with_mentor=True, enrolment__mentor_id=user.pk)
        | Q(status=Reflection.Status.FINISHED, shared_with_line_manager=True, enrolment__line_manager_id=user.pk)
    )


@access.register(Reflection)
class ReflectionPolicy(access.Policy):
    """Never the programme lead, HR or administrators: only the author and those they share with."""

    def scope(self, user: Any, queryset: models.QuerySet) -> models.QuerySet:
        return queryset.filter(reflection_q(user))

    def allows(self, user: Any, obj: Any, action: str) -> bool:
        match action:
            case "change" | "share":
                return obj.author_id == user.pk
            case "feedback":
                return obj.status == Reflection.Status.FINISHED and (
                    (obj.shared_with_mentor and obj.enrolment.mentor_id == user.pk)
                    or (obj.shared_with_line_manager and obj.enrolment.line_manager_id == user.pk)
                )
        return False


@access.register(Evaluation)
class EvaluationPolicy(access.Policy):
    def scope(self, user: Any, queryset: models.QuerySet) -> models.QuerySet:
        return queryset.filter(enrolment__preceptee_id=user.pk)

    def allows(self, user: Any, obj: Any, action: str) -> bool:
        return action == "change" and obj.enrolment.preceptee_id == user.pk


@access.register(ExportJob)
class ExportJobPolicy(access.Policy):
    """An export job and its file belong to the person who asked for it."""

    def scope(self, user: Any, queryset: Any) -> Any:
        return queryset.filter(requested_by_id=user.pk)

    def allows(self, user: Any, obj: Any, action: str) -> bool:
        return obj.requested_by_id == user.pk


@access.register(OfferPerson)
class OfferPersonPolicy(access.Policy):
    """The "offer preceptorship" pages (programmes/offer.py): a programme lead sees their
    organisations' practitioners in registered professions, a line manager their team's; both mark
    transitions and record declines; only the lead enrols. Administrators read and never act."""

    def scope(self, user: Any, queryset: models.QuerySet) -> models.QuerySet:
        return offer.scope(user, queryset)

    def allows(self, user: Any, obj: Any, action: str) -> bool:
        match action:
            case "enrol":
                return offer.may_enrol(user, obj)
            case "mark" | "decline":
                return offer.may_act(user, obj)
        return False
