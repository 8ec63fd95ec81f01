"""``{% load supervision %}``: whether a reader of a case page is one of the case's people, who
read its supervision notes (``progression.supervision.access``)."""

from __future__ import annotations

from typing import Any

from django import template

from progression.supervision.access import may_read_notes

register = template.Library()


@register.filter
def reads_supervision_notes(case: Any, user: Any) -> bool:
    return may_read_notes(user, case)
