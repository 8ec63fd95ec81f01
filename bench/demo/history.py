"""Demo of a preceptorship finished years ago, and the progression evidence that points back at it.

``build(directory=, today=)`` runs at the end of ``bench.demo.practice`` (after the
progression demo has opened the cases). Two social workers whose progression case is a draft
(Rosa Delgado's, still being evidenced, and Hollie Quinn's, returned by the Head of Service)
completed the council's social work preceptorship a year after they first registered: review
meetings held and acknowledged, a reflection shared with their mentor and line manager, the
outcome recorded. So the case's eligibility panel names a completed preceptorship, and evidence
on the case links that reflection and a review meeting.

The services refuse an enrolment that starts more than two years ago, so the enrolment is made
today through them and its start date is then moved back (with the record and notification
times). Everything after that goes through the services, but for the second meeting, missed on
the day and held a fortnight later: the service records a missed meeting only with a new date
from today on, so ``_missed`` writes it as the service would have then, and the demo shows a
missed meeting too. Running it again changes nothing: someone already enrolled on the programme
is left alone. All names and text are fictional.
"""

from __future__ import annotations

import datetime
from typing import Any

from django.db import transaction
from django.utils import timezone

from bench.demo import progression as progression_demo
from preceptorship import audit
from preceptorship.models import Notification, Profession, User
from programmes import services
from programmes.models import Enrolment, Programme, Reflection, ReviewMeeting, Transition
from programmes.schedule import add_months
from progression import services as progression_services
from progression.models import Competency, ProgressionCase

PROGRAMME = "Social work preceptorship (assessed first year)"
PRACTITIONERS = ["practitioner_sw", "practitioner_sw_returned"]

DISCUSSIONS = [
    "First weeks in the North Locality team: induction, a protected caseload and weekly supervision. "
    "Agreed to shadow two Care Act assessments before leading one.",
    "Leading assessments now, with the mentor reading each write-up. Talked through a first safeguarding "
    "concern and how the enquiry was decided.",
    "Caseload at the expected level for the end of the first year. Evidence gathered for every standard; "
    "the final review will confirm completion.",
]
REFLECTION = {
    "what": "A carer's assessment where the carer broke down and said she could not go on.",
    "so_what": "I had planned the visit around the forms, not around her. Slowing down and listening gave "
               "a far better picture of the risk to both of them than the questions did.",
    "now_what": "I now start carers' assessments with an open question and leave the forms to the end, and I "
                "bring any risk I hear to supervision the same week.",
}


def _at(day: datetime.date) -> datetime.datetime:
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time(15, 0)))


def _programme(directory: Any) -> Programme:
    council = directory.organisations["council"]
    existing = Programme.objects.filter(organisation=council, name=PROGRAMME).first()
    if existing:
        return existing
    return services.programme_create(
        actor=directory.users["council_lead"], name=PROGRAMME, organisation=council,
        professions=list(Profession.objects.filter(slug="social-work")),
        transitions=[Transition.NEWLY_REGISTERED], entry_level="Range 5", exit_level="Range 6",
        length_months=12, review_interval_months=4, mentor_capacity=6,
    )


def _enrol_in_the_past(directory: Any, programme: Programme, practitioner: User, today: datetime.date) -> Enrolment:
    users = directory.users
    enrolment = services.enrolment_create(
        actor=users["council_lead"], programme=programme, preceptee=practitioner, start_date=today,
        transition=Transition.NEWLY_REGISTERED, mentor=users["mentor_sw"], line_manager=users["manager_sw"],
        confirm_over_capacity=True,
    )
    # Started a month after first registering (the services take starts of the last two years only).
    start = add_months(practitioner.first_registered_on, 1)
    Enrolment.objects.filter(pk=enrolment.pk).update(start_date=start, created_at=_at(start))
    enrolment.refresh_from_db()
    schedule = services.enrolment_schedule(enrolment)
    enrolment.completion_due, enrolment.next_review_due = schedule.completion, schedule.review_due(1)
    enrolment.save(update_fields=["completion_due", "next_review_due"])
    return enrolment


def _reviews(enrolment: Enrolment) -> list[ReviewMeeting]:
    reviews = []
    for number, discussion in enumerate(DISCUSSIONS, start=1):
        enrolment.refresh_from_db()
        held_on = add_months(enrolment.start_date, 4 * number) - datetime.timedelta(days=3)
        if number == 2:
            _missed(enrolment, on=held_on - datetime.timedelta(days=14), moved_to=held_on)
        review = services.review_record(
            actor=enrolment.mentor, enrolment=enrolment, held_on=held_on, discussion=discussion,
            wellbeing=3 + number // 2, confidence=2 + number, attended_line_manager=number == len(DISCUSSIONS),
            protected_time_received="yes",
        )
        ReviewMeeting.objects.filter(pk=review.pk).update(recorded_at=_at(held_on))
        services.review_acknowledge(actor=enrolment.preceptee, review=review)
        reviews.append(review)
    return reviews


def _missed(enrolment: Enrolment, *, on: datetime.date, moved_to: datetime.date) -> ReviewMeeting:
    """The second meeting missed on the day and held a fortnight later. The service records a
    missed meeting only with a new date from today on, so this one is written as it would have
    recorded it then (and audited), without the calendar update it would have sent."""
    review = ReviewMeeting.objects.create(
        enrolment=enrolment, number=enrolment.reviews_held + 1, status=ReviewMeeting.Status.MISSED,
        due_on=enrolment.next_review_due, next_meeting_on=moved_to, recorded_by=enrolment.mentor,
        reason="An urgent safeguarding visit on the day; both agreed a date a fortnight later.",
    )
    ReviewMeeting.objects.filter(pk=review.pk).update(recorded_at=_at(on))
    audit.record(actor=enrolment.mentor, action="review.missed", obj=review,
                 summary=f"Review {review.number} missed; new date {moved_to}", after={"reason": review.reason})
    return review


def _reflection(enrolment: Enrolment, written_on: datetime.date) -> Reflection:
    preceptee = enrolment.preceptee
    reflection = services.reflection_save(actor=preceptee, enrolment=enrolment, model="driscoll", answers=REFLECTION,
                                          title="Listening first on a carer's assessment", finish=True)
    services.reflection_share(actor=preceptee, reflection=reflection, with_mentor=True, with_line_manager=True)
    Reflection.objects.filter(pk=reflection.pk).update(created_at=_at(written_on),
                                                       shared_at=_at(written_on + datetime.timedelta(days=1)))
    return reflection


def _complete(enrolment: Enrolment, lead: User) -> Enrolment:
    services.completion_confirm(actor=enrolment.mentor, enrolment=enrolment, confirmed=True,
                                early_reason="Reviews were recorded on paper before the service began.")
    services.completion_confirm(actor=enrolment.line_manager, enrolment=enrolment, confirmed=True,
                                early_reason="Reviews were recorded on paper before the service began.")
    enrolment.refresh_from_db()
    return services.completion_record_outcome(
        actor=lead, enrolment=enrolment,
        outcome="Completed the first year; confirmed at Range 6", completed_on=enrolment.completion_due,
        pay_step_on=enrolment.completion_due.replace(day=1),
    )


def _evidence(case: ProgressionCase, practitioner: User, reflection: Reflection, review: ReviewMeeting) -> None:
    entry = list(Competency.objects.filter(section__framework_id=case.framework_id)
                 .order_by("section__order", "order")[:3])
    progression_services.evidence_add(
        actor=practitioner, case=case, title="Carers' assessments: listening before the forms",
        example_date=timezone.localdate(reflection.created_at),
        description="My first-year reflection on a carer's assessment, and how I have run carers' assessments "
                    "since: an open question first, risks taken to supervision the same week.",
        competencies=entry[:2], link=f"reflection:{reflection.pk}",
    )
    progression_services.evidence_add(
        actor=practitioner, case=case, title="Leading Care Act assessments in my first year",
        example_date=review.held_on,
        description="The review meeting where my mentor and I agreed I was leading assessments on my own, with "
                    "my write-ups read for quality.",
        competencies=entry[1:3], link=f"review:{review.pk}",
    )


def _history(directory: Any, programme: Programme, practitioner: User, today: datetime.date) -> None:
    newest = Notification.objects.order_by("-pk").values_list("pk", flat=True).first() or 0
    enrolment = _enrol_in_the_past(directory, programme, practitioner, today)
    reviews = _reviews(enrolment)
    reflection = _reflection(enrolment, reviews[1].held_on + datetime.timedelta(days=10))
    enrolment = _complete(enrolment, directory.users["council_lead"])
    # What the services told people then was read then, not waiting for them today.
    for notification in Notification.objects.filter(pk__gt=newest, recipient__in=[
            practitioner.pk, enrolment.mentor_id, enrolment.line_manager_id]):
        Notification.objects.filter(pk=notification.pk).update(
            created_at=_at(enrolment.completed_on), read_at=_at(enrolment.completed_on))
    case = ProgressionCase.objects.filter(practitioner=practitioner, stage=ProgressionCase.Stage.DRAFT).first()
    if case is not None:
        _evidence(case, practitioner, reflection, reviews[1])


def _practitioners(directory: Any) -> list[User]:
    """Rosa Delgado (in the directory) and Hollie Quinn (added by the progression demo)."""
    extra = {key: f"{first}.{last}@council.dalesford.example".lower()
             for key, first, last, *_ in progression_demo.EXTRA_PRACTITIONERS}
    found = []
    for key in PRACTITIONERS:
        user = directory.users.get(key) or User.objects.filter(email=extra.get(key, "")).first()
        if user is not None and user.first_registered_on is not None:
            found.append(user)
    return found


@transaction.atomic
def build(*, directory: Any, today: datetime.date) -> None:
    programme = _programme(directory)
    for practitioner in _practitioners(directory):
        if not Enrolment.objects.filter(programme=programme, preceptee=practitioner).exists():
            _history(directory, programme, practitioner, today)
