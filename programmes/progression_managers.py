"""Tells progression who a line manager manages in a preceptorship (the line manager named on a
current enrolment), so their authority over progression cases covers those people.

Registered with ``progression.line_managers.register_managed_lookup`` when the app loads, so
``progression`` uses it without importing this app.
"""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet

from programmes.models import Enrolment
from progression.line_managers import register_managed_lookup


def managed_preceptees(user: Any) -> QuerySet:
    return Enrolment.objects.filter(line_manager_id=user.pk, status__in=Enrolment.CURRENT).values("preceptee_id")


register_managed_lookup(managed_preceptees)
