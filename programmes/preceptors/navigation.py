"""The preceptor register's link for programme leads; the mentor's own preceptor page, and a home
panel when it asks something of them (training to record, this year's evaluation to answer)."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from django.utils import timezone

from preceptorship import access
from preceptorship.home import Panel, register_nav, register_panel
from programmes.preceptors import selectors
from programmes.preceptors.access import is_mentor, may_keep_register
from programmes.preceptors.models import Preceptor, PreceptorEvaluation

register_nav("Preceptor register", "programmes:preceptors:register", may_keep_register, order=23)
register_nav("My preceptor record", "programmes:preceptors:mine", is_mentor, order=36)


def _record(request: HttpRequest) -> dict[str, Any]:
    """Per organisation the mentor mentors for: no training recorded, or this year's evaluation not
    answered yet."""
    today = timezone.localdate()
    preceptors = access.scope(request.user, Preceptor).filter(user_id=request.user.pk).select_related(
        "user", "organisation").order_by("organisation__name", "pk")
    answered = set(PreceptorEvaluation.objects.filter(
        mentor=request.user, year=selectors.year_start(today).year).values_list("organisation_id", flat=True))
    asks = []
    for line in selectors.lines(preceptors, today):
        if selectors.NO_TRAINING in line.flags:
            asks.append(f"Record your preceptor training for {line.preceptor.organisation}")
        if line.preceptor.organisation_id not in answered:
            asks.append(f"Answer this year's preceptor evaluation for {line.preceptor.organisation}")
    return {"asks": asks}


register_panel(Panel("Your preceptor record", "preceptors/panels/record.html", is_mentor, _record, order=27))
