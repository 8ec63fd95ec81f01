"""Navigation links and home-page panels of the practice side.

Each panel's context is built with a fixed number of queries, whatever the caseload size.
"""

from __future__ import annotations

from typing import Any

from django.db.models import F
from django.http import HttpRequest
from django.urls import reverse
from django.utils import timezone

from preceptorship import access
from preceptorship.home import Panel, register_nav, register_panel
from preceptorship.models import Membership
from programmes import selectors
from programmes.models import Enrolment

Role = Membership.Role
PANEL_ROWS = 5

register_nav("Caseload", "programmes:caseload", access.any_role(Role.MENTOR), order=20)
register_nav("Team", "programmes:team", access.any_role(Role.LINE_MANAGER), order=25)
register_nav("My preceptorship", "programmes:my-preceptorship", access.any_role(Role.PRACTITIONER), order=10)


def _by_next_review(queryset: Any) -> Any:
    return queryset.filter(status__in=Enrolment.CURRENT).order_by(F("next_review_due").asc(nulls_last=True), "pk")


def _caseload(request: HttpRequest) -> dict[str, Any]:
    today = timezone.localdate()
    rows = list(_by_next_review(selectors.caseload(request.user))[:PANEL_ROWS])
    current = selectors.caseload(request.user).filter(status__in=Enrolment.CURRENT)
    return {
        "rows": rows, "today": today, "total": current.count(),
        "overdue": current.filter(status=Enrolment.Status.ACTIVE, next_review_due__lt=today).count(),
        "url": reverse("programmes:caseload"),
    }


def _reflections(request: HttpRequest) -> dict[str, Any]:
    return {"reflections": list(selectors.shared_reflections_awaiting_feedback(request.user)[:10])}


def _to_acknowledge(request: HttpRequest) -> dict[str, Any]:
    return {"reviews": list(selectors.reviews_to_acknowledge(request.user)[:10])}


def _team(request: HttpRequest) -> dict[str, Any]:
    rows = list(_by_next_review(selectors.team_enrolments(request.user))[:PANEL_ROWS * 2])
    return {"rows": rows, "today": timezone.localdate(), "url": reverse("programmes:team")}


def _has_shared_reflections(user: Any) -> bool:
    return access.has_role(user, Role.MENTOR, Role.LINE_MANAGER)


register_panel(Panel("Review records to acknowledge", "programmes/practice/panels/to_acknowledge.html",
                     access.any_role(Role.PRACTITIONER), _to_acknowledge, order=10))
register_panel(Panel("Your caseload", "programmes/practice/panels/caseload.html",
                     access.any_role(Role.MENTOR), _caseload, order=20))
register_panel(Panel("Shared reflections awaiting your feedback", "programmes/practice/panels/reflections.html",
                     _has_shared_reflections, _reflections, order=25))
register_panel(Panel("Your team", "programmes/practice/panels/team.html",
                     access.any_role(Role.LINE_MANAGER), _team, order=30))
