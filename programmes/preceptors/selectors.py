"""Reads of the preceptor's side: the register lines with their flags and time, and the aggregates
leads see (small numbers hidden).

The register reads a fixed number of queries whatever its length: the page of mentor roles, their
register entries, their first preceptees' starts, their time given this year and the
organisations' default allowances, each in one query.
"""

from __future__ import annotations

import datetime
from collections.abc import Iterable
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.db.models import Avg, Count, Min, Q, QuerySet, Sum

from preceptorship import access
from preceptorship.figures import Figure, mean, share
from programmes.models import Enrolment
from programmes.preceptors.models import (
    REGISTERED_MONTHS_BEFORE,
    Preceptor,
    PreceptorEvaluation,
    PreceptorRecord,
    PreceptorWellbeing,
    RegisterSettings,
    TimeGiven,
)
from programmes.schedule import add_months

NO_TRAINING = "No preceptor training recorded"
REGISTERED_LATE = f"Registered less than {REGISTERED_MONTHS_BEFORE} months before their first preceptee's start"
NOT_REGISTERED = "No registration date recorded"


def year_start(today: datetime.date) -> datetime.date:
    """The first day of the year (1 April to 31 March) ``today`` is in: the NHS's financial year,
    which allowances and evaluations are counted in."""
    return datetime.date(today.year if today.month >= 4 else today.year - 1, 4, 1)


def year_label(start: datetime.date) -> str:
    return f"April {start.year} to March {start.year + 1}"


def flags(*, record: PreceptorRecord | None, registered_on: datetime.date | None,
          first_start: datetime.date | None, today: datetime.date) -> list[str]:
    """Why a mentor is flagged on the register: no training, or registered less than 12 months
    before their first preceptee's start (today's, while they have none) with no exception agreed."""
    found = []
    if record is None or record.training_completed_on is None:
        found.append(NO_TRAINING)
    if record is None or not record.has_exception:
        reference = first_start or today
        if registered_on is None:
            found.append(NOT_REGISTERED)
        elif registered_on > add_months(reference, -REGISTERED_MONTHS_BEFORE):
            found.append(REGISTERED_LATE)
    return found


def first_starts(mentor_ids: Iterable[int]) -> dict[int, datetime.date]:
    """Each mentor's first preceptee's start date, anywhere: one query."""
    rows = (
        Enrolment.objects.filter(mentor_id__in=list(mentor_ids)).order_by().values("mentor_id")
        .annotate(first=Min("start_date")).values_list("mentor_id", "first")
    )
    return dict(rows)


def mentor_flags(mentor_ids: Iterable[int], organisation_id: int, today: datetime.date) -> dict[int, list[str]]:
    """The register's flags of these mentors in one organisation (the enrol form's mentor list):
    three queries whatever their number."""
    from preceptorship.models import User

    ids = list(mentor_ids)
    here = PreceptorRecord.objects.filter(organisation_id=organisation_id, mentor_id__in=ids)
    records = {r.mentor_id: r for r in here}
    starts = first_starts(ids)
    registered = dict(User.objects.filter(pk__in=ids).values_list("pk", "first_registered_on"))
    return {
        pk: flags(record=records.get(pk), registered_on=registered.get(pk), first_start=starts.get(pk), today=today)
        for pk in ids
    }


@dataclass
class Line:
    """One mentor on one organisation's register."""

    preceptor: Preceptor
    record: PreceptorRecord | None
    first_start: datetime.date | None
    given: Decimal
    allowance: Decimal | None
    flags: list[str] = field(default_factory=list)

    @property
    def mentor(self) -> Any:
        return self.preceptor.user

    @property
    def over_allowance(self) -> bool:
        return self.allowance is not None and self.given > self.allowance


def register_queryset(user: Any) -> QuerySet[Preceptor]:
    """The register lines the user keeps (their organisations' mentor roles), in order."""
    from programmes.access import lead_organisation_ids

    return (
        access.scope(user, Preceptor).filter(organisation_id__in=lead_organisation_ids(user))
        .select_related("user", "user__profession", "organisation", "team")
        .order_by("organisation__name", "user__last_name", "user__first_name", "pk")
    )


def lines(preceptors: Iterable[Preceptor], today: datetime.date) -> list[Line]:
    """The register lines of ``preceptors`` (already read with their users): four queries."""
    preceptors = list(preceptors)
    if not preceptors:
        return []
    organisation_ids = {p.organisation_id for p in preceptors}
    mentor_ids = {p.user_id for p in preceptors}
    records = {
        (r.organisation_id, r.mentor_id): r
        for r in PreceptorRecord.objects.filter(organisation_id__in=organisation_ids, mentor_id__in=mentor_ids)
    }
    starts = first_starts(mentor_ids)
    given = {
        (row["enrolment__programme__organisation_id"], row["mentor_id"]): row["total"]
        for row in TimeGiven.objects.filter(
            mentor_id__in=mentor_ids, enrolment__programme__organisation_id__in=organisation_ids,
            on__gte=year_start(today), on__lte=today,
        ).order_by().values("enrolment__programme__organisation_id", "mentor_id").annotate(total=Sum("hours"))
    }
    defaults = dict(
        RegisterSettings.objects.filter(organisation_id__in=organisation_ids).values_list(
            "organisation_id", "allowance_hours"
        )
    )
    found = []
    for preceptor in preceptors:
        key = (preceptor.organisation_id, preceptor.user_id)
        record = records.get(key)
        allowance = record.allowance_hours if record is not None and record.allowance_hours is not None else None
        found.append(Line(
            preceptor=preceptor, record=record, first_start=starts.get(preceptor.user_id),
            given=given.get(key) or Decimal(0),
            allowance=allowance if allowance is not None else defaults.get(preceptor.organisation_id),
            flags=flags(record=record, registered_on=preceptor.user.first_registered_on,
                        first_start=starts.get(preceptor.user_id), today=today),
        ))
    return found


def time_given_by(user: Any, today: datetime.date) -> QuerySet[TimeGiven]:
    """The mentor's own time given this year, newest first."""
    return (
        access.scope(user, TimeGiven).filter(on__gte=year_start(today))
        .select_related("enrolment", "enrolment__preceptee", "enrolment__programme")
    )


@dataclass
class Feedback:
    """One organisation's preceptor evaluation and wellbeing, as aggregates of at least five."""

    organisation: Any
    answers: int
    prepared: Figure
    time_enough: Figure
    supported: Figure
    again: Figure
    wellbeing_answers: int
    wellbeing: Figure


def feedback(organisations: Iterable[Any], year: datetime.date) -> list[Feedback]:
    """Per organisation: the year's evaluations and the wellbeing recorded after its review meetings
    this year, averaged; every figure of fewer than five answers is hidden. Two queries."""
    organisations = list(organisations)
    ids = [o.pk for o in organisations]
    evaluations = {
        row["organisation_id"]: row for row in PreceptorEvaluation.objects.filter(
            organisation_id__in=ids, year=year.year
        ).order_by().values("organisation_id").annotate(
            n=Count("pk"), prepared=Avg("prepared"), time_enough=Avg("time_enough"), supported=Avg("supported"),
            yes=Count("pk", filter=Q(again=PreceptorEvaluation.Again.YES)),
        )
    }
    wellbeing = {
        row["review__enrolment__programme__organisation_id"]: row for row in PreceptorWellbeing.objects.filter(
            review__enrolment__programme__organisation_id__in=ids, created_at__date__gte=year,
        ).order_by().values("review__enrolment__programme__organisation_id").annotate(n=Count("pk"), score=Avg("score"))
    }
    found = []
    for organisation in organisations:
        row = evaluations.get(organisation.pk, {})
        n = row.get("n") or 0
        well = wellbeing.get(organisation.pk, {})
        found.append(Feedback(
            organisation=organisation, answers=n,
            prepared=mean(row.get("prepared"), n), time_enough=mean(row.get("time_enough"), n),
            supported=mean(row.get("supported"), n), again=_share_of_answers(row.get("yes"), n),
            wellbeing_answers=well.get("n") or 0, wellbeing=mean(well.get("score"), well.get("n") or 0),
        ))
    return found


def _share_of_answers(yes: int | None, n: int) -> Figure:
    """The share answering yes, hidden with the rest below five answers and when it would give a
    small number away (``share``)."""
    figure = share(yes, n)
    return Figure(figure.value, n, figure.unit, figure.protects)
