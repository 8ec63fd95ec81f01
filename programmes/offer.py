"""Who should be offered preceptorship and is not enrolled (seed 001: preceptorship offered to all).

A practitioner in a registered profession (allied health, social work, nursing, midwifery) is
listed for their organisation when one of these holds and preceptorship for it has not been
given:

- newly registered: first registered (the staff record) within the last ``NEWLY_REGISTERED_MONTHS``;
- new in post: started in post (the staff record) within the last ``NEW_IN_POST_MONTHS``;
- returning to practice, internationally recruited or changing sector: what the staff record
  cannot tell, marked by a programme lead or line manager (``TransitionMark``).

Left out: anyone with a current enrolment with that organisation, a completed one for the same
transition (for "new in post", one started since they started in post), and anyone whose
decline is standing (``OfferDecline``). The reasons are worked out in the database, so a page of
the list, its length and its filters are one query whatever the number of people.
"""

from __future__ import annotations

import datetime
from collections.abc import Collection
from dataclasses import dataclass
from typing import Any

from django.db.models import BooleanField, Exists, ExpressionWrapper, OuterRef, Q, QuerySet
from django.utils import timezone

from preceptorship import access
from preceptorship.models import Membership, Profession
from preceptorship.templatetags.dates import day_month_year
from programmes.models import Enrolment, OfferDecline, OfferPerson, Programme, Transition, TransitionMark
from programmes.schedule import add_months

Role = Membership.Role

NEWLY_REGISTERED_MONTHS = 12
NEW_IN_POST_MONTHS = 6
REGISTERED_KINDS = (Profession.Kind.AHP, Profession.Kind.SOCIAL_WORK, Profession.Kind.NURSING,
                    Profession.Kind.MIDWIFERY)
NEW_IN_POST = "new_in_post"

# Each reason, the annotation that says it holds, and the transition an enrolment for it takes.
REASONS: dict[str, str] = {
    Transition.NEWLY_REGISTERED: "Newly registered",
    Transition.RETURN_TO_PRACTICE: "Returning to practice",
    Transition.INTERNATIONAL: "Internationally recruited",
    Transition.CHANGE_OF_SETTING: "Changing setting or sector",
    NEW_IN_POST: "New in post",
}


def lead_organisation_ids(user: Any) -> set[int]:
    return access.organisation_ids(user, Role.PROGRAMME_LEAD)


def managed_team_ids(user: Any) -> set[int]:
    return access.team_ids(user, Role.LINE_MANAGER)


def may_see_offer(user: Any) -> bool:
    """The offer pages are for programme leads (their organisations' people), line managers with a
    team (their team's people) and administrators (who read, never act)."""
    return access.is_administrator(user) or bool(lead_organisation_ids(user) or managed_team_ids(user))


def may_act(user: Any, person: Membership) -> bool:
    """Marking a transition and recording or undoing a decline: the person's programme lead or line manager."""
    return person.organisation_id in lead_organisation_ids(user) or (
        person.team_id is not None and person.team_id in managed_team_ids(user)
    )


def may_enrol(user: Any, person: Membership) -> bool:
    """Enrolling stays the programme lead's (programmes/access.py: only a lead enrols)."""
    return person.organisation_id in lead_organisation_ids(user)


def scope(user: Any, queryset: QuerySet[OfferPerson] | None = None) -> QuerySet[OfferPerson]:
    """Practitioners in a registered profession the user may see on the offer pages."""
    queryset = OfferPerson.objects.all() if queryset is None else queryset
    queryset = queryset.filter(role=Role.PRACTITIONER, user__profession__kind__in=REGISTERED_KINDS)
    if access.is_administrator(user):
        return queryset
    return queryset.filter(
        Q(organisation_id__in=lead_organisation_ids(user)) | Q(team_id__in=managed_team_ids(user))
    )


def _enrolments(**more: Any) -> QuerySet[Enrolment]:
    return Enrolment.objects.filter(preceptee_id=OuterRef("user_id"), organisation_id=OuterRef("organisation_id"),
                                    **more)


def with_reasons(people: QuerySet[OfferPerson], today: datetime.date) -> QuerySet[OfferPerson]:
    """Each person with ``reason_<value>`` for every reason of ``REASONS``, ``enrolled`` (a current
    enrolment with the organisation) and ``declined`` (a standing decline)."""
    completed = Enrolment.Status.COMPLETED
    marks = TransitionMark.objects.filter(person_id=OuterRef("user_id"), organisation_id=OuterRef("organisation_id"))
    annotations: dict[str, Any] = {
        "enrolled": Exists(_enrolments(status__in=Enrolment.CURRENT)),
        "declined": Exists(OfferDecline.objects.filter(person_id=OuterRef("user_id"),
                                                       organisation_id=OuterRef("organisation_id"),
                                                       undone_at__isnull=True)),
    }
    newly = add_months(today, -NEWLY_REGISTERED_MONTHS)
    annotations[f"reason_{Transition.NEWLY_REGISTERED}"] = Q(
        user__first_registered_on__gte=newly, user__first_registered_on__lte=today,
    ) & ~Exists(_enrolments(status=completed, transition=Transition.NEWLY_REGISTERED))
    for transition in TransitionMark.MARKABLE:
        annotations[f"reason_{transition}"] = Exists(marks.filter(transition=transition)) & ~Exists(
            _enrolments(status=completed, transition=transition)
        )
    annotations[f"reason_{NEW_IN_POST}"] = Q(
        user__started_in_post_on__gte=add_months(today, -NEW_IN_POST_MONTHS), user__started_in_post_on__lte=today,
    ) & ~Exists(_enrolments(status=completed, start_date__gte=OuterRef("user__started_in_post_on")))
    return people.annotate(**{
        name: ExpressionWrapper(value, output_field=BooleanField()) if isinstance(value, Q) else value
        for name, value in annotations.items()
    })


def any_reason() -> Q:
    return Q(*(Q(**{f"reason_{value}": True}) for value in REASONS), _connector=Q.OR)


def waiting(user: Any, today: datetime.date) -> QuerySet[OfferPerson]:
    """The people the user should offer preceptorship to: a reason holds, not enrolled, not declined."""
    return with_reasons(scope(user), today).filter(any_reason(), enrolled=False, declined=False)


def not_enrolled(user: Any, today: datetime.date) -> QuerySet[OfferPerson]:
    """Everyone on the offer pages who is not on a programme now (to mark a transition the staff record cannot show)."""
    return with_reasons(scope(user), today).filter(enrolled=False)


def waiting_count(organisations: Collection[int], today: datetime.date) -> int:
    """How many people ``organisations`` should offer preceptorship to (as ``waiting`` finds them
    for their programme lead), counted with the conditions as plain filters (nothing annotated) and
    the marked reasons as one subquery. It reads every practitioner of the organisations with their
    staff record, so the lead's dashboard shows the count its rebuild made (``pages.lead_sections``)."""
    if not organisations:
        return 0
    completed = Enrolment.Status.COMPLETED
    newly = add_months(today, -NEWLY_REGISTERED_MONTHS)
    # A mark whose own transition has no completed enrolment: any of the marked reasons.
    marked = TransitionMark.objects.filter(
        person_id=OuterRef("user_id"), organisation_id=OuterRef("organisation_id"),
        transition__in=TransitionMark.MARKABLE,
    ).exclude(Exists(Enrolment.objects.filter(
        preceptee_id=OuterRef("person_id"), organisation_id=OuterRef("organisation_id"), status=completed,
        transition=OuterRef("transition"),
    )))
    reason = (
        (Q(user__first_registered_on__gte=newly, user__first_registered_on__lte=today)
         & ~Exists(_enrolments(status=completed, transition=Transition.NEWLY_REGISTERED)))
        | Exists(marked)
        | (Q(user__started_in_post_on__gte=add_months(today, -NEW_IN_POST_MONTHS),
             user__started_in_post_on__lte=today)
           & ~Exists(_enrolments(status=completed, start_date__gte=OuterRef("user__started_in_post_on"))))
    )
    declined = OfferDecline.objects.filter(person_id=OuterRef("user_id"), organisation_id=OuterRef("organisation_id"),
                                           undone_at__isnull=True)
    people = OfferPerson.objects.filter(role=Role.PRACTITIONER, user__profession__kind__in=REGISTERED_KINDS,
                                        organisation_id__in=organisations)
    return people.filter(reason, ~Exists(_enrolments(status__in=Enrolment.CURRENT)), ~Exists(declined)).count()


@dataclass(frozen=True)
class Reason:
    value: str
    label: str
    how: str  # how the person was found: the staff record's date, or who marked them and when

    @property
    def transition(self) -> str:
        """The transition an enrolment for this reason takes ("new in post" is a change of setting)."""
        return Transition.CHANGE_OF_SETTING if self.value == NEW_IN_POST else self.value


def reasons_of(person: OfferPerson, marks: list[TransitionMark]) -> list[Reason]:
    """The reasons that hold for one annotated person, each saying how it was found."""
    user = person.user
    by_transition = {mark.transition: mark for mark in marks}
    found = []
    for value, label in REASONS.items():
        if not getattr(person, f"reason_{value}", False):
            continue
        if value == Transition.NEWLY_REGISTERED:
            how = f"Staff record: first registered {day_month_year(user.first_registered_on)}"
        elif value == NEW_IN_POST:
            how = f"Staff record: started in post {day_month_year(user.started_in_post_on)}"
        else:
            mark = by_transition.get(value)
            who = str(mark.recorded_by) if mark and mark.recorded_by else "someone no longer here"
            on = day_month_year(timezone.localtime(mark.recorded_at).date()) if mark else ""
            how = f"Marked by {who} on {on}" if mark else "Marked"
        found.append(Reason(value, label, how))
    return found


def marks_for(people: list[OfferPerson]) -> dict[tuple[int, int], list[TransitionMark]]:
    """The transition marks of a page of people, in one query, by (person, organisation)."""
    if not people:
        return {}
    found: dict[tuple[int, int], list[TransitionMark]] = {}
    rows = TransitionMark.objects.filter(
        person_id__in={p.user_id for p in people}, organisation_id__in={p.organisation_id for p in people},
    ).select_related("recorded_by").only("person_id", "organisation_id", "transition", "recorded_at",
                                         "recorded_by__first_name", "recorded_by__last_name", "recorded_by__email")
    for mark in rows:
        found.setdefault((mark.person_id, mark.organisation_id), []).append(mark)
    return found


def suitable_programmes(person: Membership) -> QuerySet[Programme]:
    """Open programmes the person can join (their organisation's, or shared across its ICS) for their profession."""
    where = Q(organisation_id=person.organisation_id)
    if person.organisation.ics_id:
        where |= Q(shared_with_ics=True, organisation__ics_id=person.organisation.ics_id)
    return (Programme.objects.filter(where, status=Programme.Status.OPEN, professions=person.user.profession_id)
            .select_related("organisation").order_by("name").distinct())


def proposed(programmes: list[Programme], reasons: list[Reason], programme_id: int | None = None
             ) -> tuple[Programme | None, str | None]:
    """The programme (the one asked for when suitable, else the first that takes the person's first
    reason) and the transition an enrolment would take."""
    transitions = [reason.transition for reason in reasons]
    chosen = next((p for p in programmes if p.pk == programme_id), None)
    if chosen is None:
        chosen = next((p for p in programmes if set(p.transitions) & set(transitions)), None)
    if chosen is None and programmes:
        chosen = programmes[0]
    transition = next((t for t in transitions if chosen is None or t in chosen.transitions), None)
    return chosen, transition or (transitions[0] if transitions else None)


def team_line_manager(person: Membership) -> int | None:
    """The line manager of the person's team (the first recorded), to pre-fill an enrolment."""
    if not person.team_id:
        return None
    return (Membership.objects.filter(team_id=person.team_id, role=Role.LINE_MANAGER)
            .exclude(user_id=person.user_id).order_by("id").values_list("user_id", flat=True).first())
