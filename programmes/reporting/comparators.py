"""The national baseline figures (seed 001) beside an organisation's or an ICS's own, measured the
same way where the product's records allow it, and saying so where they do not.

The baseline (the AHP Preceptorship and Foundation Support programme's 2023 collection, 172
organisations; the HCPC Year in registration survey 2022; ESR 2023) counts organisations for the
offer and the multi-professional share: so do these, as rates of organisations. The other two
national figures are of people: ours are rates of the organisations' newly registered AHPs from
the staff record (start, registration and leaving dates) and the enrolments, hidden below 5 people,
with how each differs from the national source."""

from __future__ import annotations

import datetime
from collections.abc import Iterable
from dataclasses import dataclass

from django.db.models import Count

from preceptorship.figures import Figure, percent
from preceptorship.models import Membership, Profession
from programmes.models import Enrolment, Programme
from programmes.reporting.offer import offer_summary, preceptorship_offer
from programmes.reporting.period import Period
from programmes.schedule import add_months


@dataclass(frozen=True)
class Comparator:
    measure: str
    national: Figure
    ours: Figure | None
    how: str


def _rate(numerator: int, denominator: int) -> Figure:
    # Organisations, not people: never suppressed (as ``offer_summary``).
    return Figure(round(100 * numerator / denominator) if denominator else None, 0, "%")


@dataclass(frozen=True)
class _Ahp:
    user_id: int
    organisation_id: int
    started: datetime.date | None
    registered: datetime.date | None
    left: datetime.date | None

    @property
    def newly_registered_at_start(self) -> bool:
        return (self.started is not None and self.registered is not None
                and add_months(self.started, -12) <= self.registered <= self.started)


def _ahps(organisation_ids: list[int]) -> list[_Ahp]:
    """One query: each AHP of the organisations (a person with a role there whose profession is an
    AHP), once per organisation, with the staff record's dates."""
    rows = (
        Membership.objects.filter(organisation_id__in=organisation_ids, user__profession__kind=Profession.Kind.AHP)
        .order_by().values_list("user_id", "organisation_id", "user__started_in_post_on",
                                "user__first_registered_on", "user__left_on").distinct()
    )
    return [_Ahp(*row) for row in rows]


def first_year_leavers(ahps: list[_Ahp], today: datetime.date) -> Figure:
    """Of the AHPs who started in post 12 to 24 months before ``today`` having first registered
    within the 12 months before starting, the share whose leaving date is within 12 months of the
    start. Fewer than 5 such people: not shown."""
    earliest, latest = add_months(today, -24), add_months(today, -12)
    starters = [a for a in ahps if a.newly_registered_at_start and earliest < a.started <= latest]
    leavers = [a for a in starters if a.left is not None and a.left <= add_months(a.started, 12)]
    return percent(len(leavers), len(starters))


def without_structured_support(ahps: list[_Ahp], organisation_ids: list[int], today: datetime.date) -> Figure:
    """Of the AHPs first registered in the 24 months before ``today`` and in post for at least 3
    months, the share with no enrolment in that organisation other than one withdrawn within 3
    months of its start. One query (their enrolments). Fewer than 5 such people: not shown."""
    earliest, settled = add_months(today, -24), add_months(today, -3)
    newly = [a for a in ahps if a.registered is not None and a.registered > earliest
             and a.started is not None and a.started <= settled]
    supported: set[tuple[int, int]] = set()
    # The organisations' enrolments of AHPs registered in the period (one query, even for nobody).
    enrolments = (
        Enrolment.objects.filter(organisation_id__in=organisation_ids, preceptee__first_registered_on__gt=earliest,
                                 preceptee__profession__kind=Profession.Kind.AHP)
        .order_by().values_list("preceptee_id", "organisation_id", "status", "start_date", "withdrawn_on")
    )
    for preceptee_id, organisation_id, status, start_date, withdrawn_on in enrolments:
        if (status == Enrolment.Status.WITHDRAWN and withdrawn_on is not None
                and withdrawn_on < add_months(start_date, 3)):
            continue
        supported.add((preceptee_id, organisation_id))
    unsupported = [a for a in newly if (a.user_id, a.organisation_id) not in supported]
    return percent(len(unsupported), len(newly))


def comparators(organisation_ids: Iterable[int], today: datetime.date) -> list[Comparator]:
    """Four queries: the offer summary of the last 12 months, the multi-professional programmes,
    the organisations' AHPs and their enrolments."""
    organisation_ids = sorted(set(organisation_ids))
    period = Period.last_months(12, today)
    offer = offer_summary(preceptorship_offer(organisation_ids, period))
    offer_how = (
        "Share of your organisations with practitioners first registered in the last 12 months (from the staff "
        "record) whose newly registered AHPs were all, some or none enrolled on a preceptorship programme there. "
        "Organisations with no newly registered AHPs in the period are not counted."
    )
    multi = set(
        Programme.objects.filter(organisation_id__in=organisation_ids, status=Programme.Status.OPEN)
        .annotate(professions_count=Count("professions")).filter(professions_count__gte=2)
        .values_list("organisation_id", flat=True).distinct()
    )
    ahps = _ahps(organisation_ids)
    national = {name: Figure(value, 0, "%") for name, value in
                (("all", 64), ("some", 24), ("none", 12), ("multi", 57), ("leavers", 11), ("unstructured", 32))}
    return [
        Comparator("Organisations offering preceptorship to all their AHPs", national["all"], offer["all"], offer_how),
        Comparator("Organisations offering preceptorship to some of their AHPs", national["some"], offer["some"],
                   offer_how),
        Comparator("Organisations offering no preceptorship to AHPs", national["none"], offer["none"], offer_how),
        Comparator(
            "Organisations offering a multi-professional preceptorship programme", national["multi"],
            _rate(len(multi), len(organisation_ids)),
            "Share of your organisations running at least one open programme for two or more professions.",
        ),
        Comparator(
            "AHPs leaving the NHS in their first year", national["leavers"], first_year_leavers(ahps, today),
            "Share of your organisations' AHPs who started in post 12 to 24 months ago, first registered no more "
            "than 12 months before starting, whose leaving date in the staff record is within 12 months of their "
            "start. It counts leaving the organisation, where the national figure (Electronic Staff Record) counts "
            "leaving the whole NHS, and it is only as complete as the leaving dates the staff file gives. Not "
            "shown for fewer than 5 people.",
        ),
        Comparator(
            "AHPs with no structured period of learning on entering the workplace", national["unstructured"],
            without_structured_support(ahps, organisation_ids, today),
            "Share of your organisations' AHPs first registered in the last 24 months and in post for at least 3 "
            "months who have no preceptorship enrolment there, or only one withdrawn within 3 months of its start. "
            "It is measured from the records, where the national figure is what registrants said in a survey "
            "(HCPC Year in registration 2022). Not shown for fewer than 5 people.",
        ),
    ]
