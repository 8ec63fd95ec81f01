"""Navigation links and home-page panels for the programme lead's side and the timeline."""

from __future__ import annotations

from typing import Any

from django.db.models import Exists, OuterRef
from django.http import HttpRequest
from django.urls import reverse
from django.utils import timezone

from preceptorship import access
from preceptorship.home import Panel, register_nav, register_panel
from preceptorship.models import Membership
from programmes import offer, selectors
from programmes.models import Enrolment, Evaluation, NeedsAssessment

Role = Membership.Role

register_nav("Programmes", "programmes:programme-list", access.any_role(Role.PROGRAMME_LEAD), order=20)
register_nav("Enrolments", "programmes:enrolment-list", access.any_role(Role.PROGRAMME_LEAD), order=21)
register_nav("Mentors", "programmes:mentor-list", access.any_role(Role.PROGRAMME_LEAD), order=22)


def _own_preceptorship(request: HttpRequest) -> dict[str, Any]:
    """The preceptee's current (or latest) enrolment with its timeline."""
    from programmes.views.common import timeline_context

    user = request.user
    shared = NeedsAssessment.objects.filter(enrolment=OuterRef("pk"), submitted_at__isnull=False)
    enrolment = (
        selectors.enrolments_for(user).filter(preceptee_id=user.pk)
        .exclude(status=Enrolment.Status.WITHDRAWN)
        .annotate(needs_shared=Exists(shared), evaluated=Exists(Evaluation.objects.filter(enrolment=OuterRef("pk"))))
        .order_by("-start_date").first()
    )
    if enrolment is None:
        return {"enrolment": None}
    # Talked through at review 1: asked for here, on the preceptee's home, until it is shared.
    ask_for_needs = enrolment.is_current and not enrolment.reviews_held and not enrolment.needs_shared
    return timeline_context(enrolment, user, timezone.localdate()) | {
        "ask_for_needs": ask_for_needs, "first_task": _first_task(enrolment, user, ask_for_needs=ask_for_needs),
        "completed": enrolment.status == Enrolment.Status.COMPLETED,
    }


def _first_task(enrolment: Enrolment, user: Any, *, ask_for_needs: bool) -> tuple[str, str, str] | None:
    """What the preceptee should do first, as (link text, URL, why), or None: a review record waiting
    for them, then the needs assessment before review 1, then the evaluation once they have completed."""
    waiting = selectors.reviews_to_acknowledge(user).filter(enrolment=enrolment).first()
    if waiting is not None:
        return (f"Read the record of review meeting {waiting.number} and acknowledge it", waiting.get_absolute_url(),
                "Your mentor recorded the meeting; add a comment if you want to.")
    if ask_for_needs:
        return ("Fill in your needs assessment", reverse("programmes:needs-assessment", args=[enrolment.pk]),
                "Share it with your mentor and line manager before your first review meeting.")
    if enrolment.status == Enrolment.Status.COMPLETED and not enrolment.evaluated:
        return ("Tell us how your preceptorship went", reverse("programmes:evaluation", args=[enrolment.pk]),
                "Your answers are only ever reported with those of at least four others.")
    return None


def _completions(request: HttpRequest) -> dict[str, Any]:
    return {"enrolments": list(selectors.completions_to_confirm(request.user)[:20])}


register_panel(Panel(
    title="Your preceptorship",
    template="programmes/lead/panels/own_preceptorship.html",
    allowed=access.any_role(Role.PRACTITIONER),
    context=_own_preceptorship,
    order=10,
))
register_panel(Panel(
    title="Completions to confirm",
    template="programmes/lead/panels/completions.html",
    allowed=access.any_role(Role.LINE_MANAGER, Role.MENTOR),
    context=_completions,
    order=40,
))


def _offers_preceptorship(user: Any) -> bool:
    return bool(offer.lead_organisation_ids(user) or offer.managed_team_ids(user))


register_nav("Offer preceptorship", "programmes:offer-list", _offers_preceptorship, order=23)
