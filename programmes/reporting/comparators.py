"""The national baseline figures (seed 001) beside an organisation's or an ICS's own, measured the
same way where the product's records allow it, and saying so where they do not.

The baseline (the AHP Preceptorship and Foundation Support programme's 2023 collection, 172
organisations; the HCPC Year in registration survey 2022; ESR 2023) counts organisations for the
offer and the multi-professional share: so do these, as rates of organisations. The other two
national figures are of people and come from sources the product does not hold: the page says so
instead of showing a figure measured differently."""

from __future__ import annotations

import datetime
from collections.abc import Iterable
from dataclasses import dataclass

from django.db.models import Count

from preceptorship.figures import Figure
from programmes.models import Programme
from programmes.reporting.offer import offer_summary, preceptorship_offer
from programmes.reporting.period import Period


@dataclass(frozen=True)
class Comparator:
    measure: str
    national: Figure
    ours: Figure | None
    how: str


def _rate(numerator: int, denominator: int) -> Figure:
    # Organisations, not people: never suppressed (as ``offer_summary``).
    return Figure(round(100 * numerator / denominator) if denominator else None, 0, "%")


def comparators(organisation_ids: Iterable[int], today: datetime.date) -> list[Comparator]:
    """Two queries: the offer summary of the last 12 months and the multi-professional programmes."""
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
            "AHPs leaving the NHS in their first year", national["leavers"], None,
            "Not measured the same way: the national figure counts leavers from the whole NHS in the Electronic "
            "Staff Record; the product knows only who withdrew from a programme, not who left the NHS.",
        ),
        Comparator(
            "AHPs with no structured period of learning on entering the workplace", national["unstructured"], None,
            "Not measured the same way: the national figure is what registrants said in a survey (HCPC Year in "
            "registration 2022); the product holds no survey of that kind. The offer figures above are the "
            "nearest measure.",
        ),
    ]
