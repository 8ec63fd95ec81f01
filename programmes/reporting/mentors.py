"""Mentors' loads against their capacity (the lead's dashboard and the mentor directory)."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from django.db.models import QuerySet

from preceptorship.models import Membership, Profession, User
from programmes import selectors

Role = Membership.Role


DEFAULT_CAPACITY = selectors.DEFAULT_CAPACITY


# Mentors: capacity is operational information about staff, not about preceptees, so loads are
# shown as they are (a mentor's load of 2 out of 4 must be readable to find someone with room).


def mentors(organisation_ids: Iterable[int], profession: Profession | None = None) -> QuerySet[Membership]:
    """One row per mentor role, with ``load`` (current preceptees) and ``capacity``; one query."""
    expressions = selectors.mentor_load_expressions("user_id")
    rows = (
        Membership.objects.filter(role=Role.MENTOR, organisation_id__in=list(organisation_ids), user__is_active=True)
        .select_related("user", "user__profession", "organisation", "team")
        .annotate(
            load=expressions["current_load"], capacity=expressions["capacity"],
        )
        .order_by("user__profession__name", "user__last_name", "user__first_name", "organisation__name", "pk")
    )
    if profession:
        rows = rows.filter(user__profession=profession)
    return rows


def mentor_rows(organisation_ids: Iterable[int], profession: Profession | None = None,
                limit: int | None = None) -> list[list[Any]]:
    """``mentors`` as table rows (name, organisation, profession, team, load, capacity), read as
    plain values: a download lists every mentor of the lead's organisations, and making a model
    instance of each, with its user, profession, organisation and team, took as long as the query.
    With ``limit``, the first ``limit`` mentors only (the dashboard's table)."""
    values = mentors(organisation_ids, profession).values_list(
        "user__first_name", "user__last_name", "user__email", "organisation__name", "user__profession__name",
        "team__name", "load", "capacity",
    )
    if limit is not None:
        values = values[:limit]
    # The mentor's name as ``User.__str__`` gives it: the full name, or the e-mail address.
    return [[User.name_from(first, last, email), organisation, profession or "", team or "", load, capacity]
            for first, last, email, organisation, profession, team, load, capacity in values]
