"""Tells a progression case's eligibility panel about a completed preceptorship.

Registered with ``progression.selectors.register_preceptorship_lookup`` when the app loads, so
``progression`` shows it without importing this app. It informs the decision; it never blocks it.
"""

from __future__ import annotations

from typing import Any

from django.utils.formats import date_format

from programmes.models import Enrolment
from progression.selectors import register_preceptorship_lookup


def completed_preceptorship(practitioner: Any) -> str | None:
    """The practitioner's latest completed preceptorship, as "<programme>, completed <date>: <outcome>"."""
    # Only the three values shown: the case page reads this on every request.
    found = (
        Enrolment.objects.filter(preceptee_id=practitioner.pk, status=Enrolment.Status.COMPLETED)
        .order_by("-completed_on", "-pk").values_list("programme__name", "completed_on", "outcome").first()
    )
    if found is None:
        return None
    text, completed_on, outcome = found
    if completed_on:
        text += f", completed {date_format(completed_on, 'j F Y')}"
    if outcome:
        text += f": {outcome}"
    return text


register_preceptorship_lookup(completed_preceptorship)
