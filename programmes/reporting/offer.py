"""The national baseline measures of the ICS dashboard: preceptorship offered to newly registered AHPs."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, replace

from django.db.models import Sum

from preceptorship.figures import Figure, count, protect
from programmes.models import OfferFigures
from programmes.reporting.period import Period


@dataclass(frozen=True)
class OfferRow:
    organisation: str
    profession: str
    newly_registered: Figure
    offered: Figure

    @property
    def offer(self) -> str:
        """All, some or none of the newly registered AHPs were offered preceptorship."""
        total, offered = self.newly_registered.value or 0, self.offered.value or 0
        if offered == 0:
            return "none"
        return "all" if offered >= total else "some"


def preceptorship_offer(organisation_ids: Iterable[int], period: Period) -> list[OfferRow]:
    """Per organisation and AHP profession: practitioners first registered in the period, and how
    many of them have an enrolment with that organisation; one query of the summary
    (``OfferFigures``, rebuilt with the other figures)."""
    rows = (
        OfferFigures.objects.filter(organisation_id__in=list(organisation_ids), month__range=(period.start, period.end))
        .order_by()
        .values("organisation__name", "profession__name")
        .annotate(newly=Sum("newly_registered"), offered_sum=Sum("offered"))
        .order_by("organisation__name", "profession__name")
    )
    return protect_offer([
        OfferRow(row["organisation__name"], row["profession__name"], count(row["newly"]), count(row["offered_sum"]))
        for row in rows
    ])


def protect_offer(rows: list[OfferRow]) -> list[OfferRow]:
    """``protect`` for each row: those offered and those not (the difference, never shown but
    worked out by subtraction) add up to the newly registered."""
    cells: dict[tuple[int, str], Figure] = {}
    for i, row in enumerate(rows):
        cells[(i, "offered")] = row.offered
        cells[(i, "not offered")] = count((row.newly_registered.value or 0) - (row.offered.value or 0))
        cells[(i, "newly")] = row.newly_registered
    hidden = protect(cells, [([(i, "offered"), (i, "not offered")], (i, "newly")) for i in range(len(rows))])
    return [replace(row, newly_registered=hidden[(i, "newly")], offered=hidden[(i, "offered")])
            for i, row in enumerate(rows)]


def offer_summary(rows: list[OfferRow]) -> dict[str, Figure]:
    """Organisations offering preceptorship to all, some or none of their newly registered AHPs
    (the national baseline's 64% / 24% / 12%): an organisation offers to all only if every
    profession does, to none only if no profession does."""
    offers: dict[str, set[str]] = {}
    for row in rows:
        offers.setdefault(row.organisation, set()).add(row.offer)
    classes = {"all": 0, "some": 0, "none": 0}
    for found in offers.values():
        classes["all" if found == {"all"} else "none" if found == {"none"} else "some"] += 1
    total = len(offers)
    # Organisations, not people: never suppressed.
    return {name: Figure(round(100 * n / total) if total else None, 0, "%") for name, n in classes.items()}
