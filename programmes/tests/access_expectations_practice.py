"""Access expectations of the practice pages (read by preceptorship/tests/test_access_matrix.py).

Each builder makes a fresh enrolment in the target organisation whose preceptee, mentor and line
manager are that organisation's practitioner, mentor and line manager. So, for the own
organisation: "practitioner" is the preceptee, "mentor" and "line_manager" are theirs, and the
programme lead leads the programme. Reflections are never seen by the programme lead, HR or the
administrator; goals, protected time and the needs assessment only by preceptee, mentor and
line manager; review records also by the programme lead.
"""

from __future__ import annotations

import datetime
from typing import Any

from django.utils import timezone

from programmes.models import Enrolment, Reflection, ReviewDraft, ReviewMeeting
from programmes.tests.factories import EnrolmentFactory, ProgrammeFactory
from programmes.tests.factories_practice import (
    GoalFactory,
    NeedsAssessmentFactory,
    ProtectedTimeFactory,
    ReflectionFactory,
    ReviewFactory,
)

ANON = {"anonymous": 302}
PRACTICE = ("practitioner", "mentor", "line_manager")


def _who(status: int, *roles: str, **others: int) -> dict[str, int]:
    """``status`` for the named roles of the own organisation, 404 for everyone else (and the other
    organisation), 302 for anonymous; ``others`` overrides single roles (``line_manager=403``)."""
    table = {**ANON, **{f"own:{role}": status for role in roles}, "own:*": 404, "other:*": 404}
    table.update({f"own:{role}": value for role, value in others.items()})
    return table


NOT_GET = {**ANON, "*": 405}

READ_PRACTICE = {"GET": _who(200, *PRACTICE)}
READ_REVIEWS = {"GET": _who(200, *PRACTICE, "programme_lead")}
MENTOR_FORM = {method: _who(200, "mentor", practitioner=403, line_manager=403, programme_lead=403)
               for method in ("GET", "POST")}
GOAL_FORM = {method: _who(200, "practitioner", "mentor", line_manager=403) for method in ("GET", "POST")}
PRECEPTEE_FORM = {method: _who(200, "practitioner", mentor=403, line_manager=403) for method in ("GET", "POST")}

EXPECTATIONS: dict[str, dict[str, dict[str, int]]] = {
    "programmes:caseload": {"GET": {**ANON, "mentor": 200, "*": 403}},
    "programmes:team": {"GET": {**ANON, "line_manager": 200, "*": 403}},
    "programmes:my-preceptorship": {"GET": {**ANON, "*": 200}},
    "programmes:review-list": READ_REVIEWS,
    "programmes:review-detail": {**READ_REVIEWS, "POST": {**ANON, "*": 405}},
    "programmes:review-record": MENTOR_FORM,
    "programmes:review-not-held": MENTOR_FORM,
    "programmes:review-draft-discard": {
        "GET": NOT_GET,
        "POST": _who(302, "mentor", practitioner=403, line_manager=403, programme_lead=403),
    },
    "programmes:review-correct": MENTOR_FORM,
    "programmes:review-addendum": {
        "GET": NOT_GET,
        "POST": _who(200, "mentor", practitioner=403, line_manager=403, programme_lead=403),
    },
    "programmes:review-acknowledge": {
        "GET": NOT_GET,
        "POST": _who(302, "practitioner", mentor=403, line_manager=403, programme_lead=403),
    },
    "programmes:goal-list": READ_PRACTICE,
    "programmes:goal-detail": {**READ_PRACTICE, "POST": {**ANON, "*": 405}},
    "programmes:goal-create": GOAL_FORM,
    "programmes:goal-update": GOAL_FORM,
    "programmes:goal-progress": {"GET": NOT_GET, "POST": _who(200, "practitioner", "mentor", line_manager=403)},
    "programmes:reflection-list": READ_PRACTICE,
    "programmes:reflection-detail": {**READ_PRACTICE, "POST": {**ANON, "*": 405}},
    "programmes:reflection-create": {
        "GET": _who(200, "practitioner", mentor=403, line_manager=403),
        # Without a reflective model chosen, back to the choice.
        "POST": _who(302, "practitioner", mentor=403, line_manager=403),
    },
    "programmes:reflection-update": PRECEPTEE_FORM,
    "programmes:reflection-share": {
        "GET": NOT_GET,
        "POST": _who(302, "practitioner", mentor=403, line_manager=403),
    },
    "programmes:reflection-feedback": {
        "GET": NOT_GET,
        "POST": _who(200, "mentor", "line_manager", practitioner=403),
    },
    # The reflection page's script saves drafts here and reads JSON back: signed out is a 401, not
    # the sign-in page. With no body: nothing to create (400); an empty draft is saved as empty (200).
    "programmes:reflection-autosave-new": {
        "GET": {"*": 405},
        "POST": {**_who(400, "practitioner", mentor=403, line_manager=403), "anonymous": 401},
    },
    "programmes:reflection-autosave": {"GET": {"*": 405}, "POST": {**_who(200, "practitioner"), "anonymous": 401}},
    "programmes:protected-time": READ_PRACTICE,
    "programmes:protected-time-log": GOAL_FORM,
    "programmes:protected-time-correct": GOAL_FORM,
    # GET asks "are you sure"; POST deletes, then goes back to the list.
    "programmes:protected-time-delete": {"GET": _who(200, "practitioner", "mentor", line_manager=403),
                                         "POST": _who(302, "practitioner", "mentor", line_manager=403)},
    "programmes:needs-assessment": READ_PRACTICE,
    "programmes:needs-assessment-edit": PRECEPTEE_FORM,
}


def _enrolment_in(world: Any, target: str) -> Enrolment:
    users = world.users if target == "own" else world.other_users
    organisation = world.organisation if target == "own" else world.other_organisation
    return EnrolmentFactory(
        programme=ProgrammeFactory(organisation=organisation), preceptee=users["practitioner"],
        mentor=users["mentor"], line_manager=users["line_manager"],
    )


def _enrolment(world: Any, viewer: Any, target: str) -> tuple[dict[str, int], str]:
    enrolment = _enrolment_in(world, target)
    return {"pk": enrolment.pk}, f"{enrolment.programme.name}"


def _review(world: Any, viewer: Any, target: str, *, locked: bool = False) -> tuple[dict[str, int], str]:
    secret = f"Discussed the {target} preceptee's first safeguarding referral"
    review = ReviewFactory(enrolment=_enrolment_in(world, target), number=1, discussion=secret)
    if locked:
        ReviewMeeting.objects.filter(pk=review.pk).update(recorded_at=timezone.now() - datetime.timedelta(days=8))
    return {"pk": review.pk}, secret


def _locked_review(world: Any, viewer: Any, target: str) -> tuple[dict[str, int], str]:
    return _review(world, viewer, target, locked=True)


def _review_draft(world: Any, viewer: Any, target: str) -> tuple[dict[str, int], str]:
    secret = f"Draft notes on the {target} preceptee's caseload worries"
    enrolment = _enrolment_in(world, target)
    ReviewDraft.objects.create(enrolment=enrolment, number=1, answers={"discussion": [secret]})
    return {"pk": enrolment.pk}, secret


def _goal(world: Any, viewer: Any, target: str) -> tuple[dict[str, int], str]:
    goal = GoalFactory(enrolment=_enrolment_in(world, target), what=f"Lead a {target} falls clinic")
    return {"pk": goal.pk}, goal.what


def _time(world: Any, viewer: Any, target: str) -> tuple[dict[str, int], str]:
    entry = ProtectedTimeFactory(enrolment=_enrolment_in(world, target), note=f"Shadowed the {target} falls team")
    return {"pk": entry.pk}, entry.note


def _shared_reflection(world: Any, viewer: Any, target: str) -> tuple[dict[str, int], str]:
    reflection = ReflectionFactory(enrolment=_enrolment_in(world, target), title=f"Reflection on a {target} visit",
                                   shared_with_mentor=True, shared_with_line_manager=True)
    return {"pk": reflection.pk}, reflection.title


def _draft_reflection(world: Any, viewer: Any, target: str) -> tuple[dict[str, int], str]:
    reflection = ReflectionFactory(enrolment=_enrolment_in(world, target), title=f"Draft about a {target} visit",
                                   status=Reflection.Status.DRAFT)
    return {"pk": reflection.pk}, reflection.title


def _needs(world: Any, viewer: Any, target: str) -> tuple[dict[str, int], str]:
    assessment = NeedsAssessmentFactory(enrolment=_enrolment_in(world, target), submitted_at=timezone.now(),
                                        reasonable_adjustments=f"Adjustment for the {target} preceptee")
    return {"pk": assessment.enrolment_id}, assessment.reasonable_adjustments


BUILDERS = {
    **{name: _enrolment for name in (
        "programmes:review-list", "programmes:review-record", "programmes:review-not-held", "programmes:goal-list",
        "programmes:goal-create", "programmes:reflection-list", "programmes:reflection-create",
        "programmes:reflection-autosave-new",
        "programmes:protected-time", "programmes:protected-time-log", "programmes:needs-assessment-edit",
    )},
    "programmes:needs-assessment": _needs,
    "programmes:review-detail": _review,
    "programmes:review-correct": _review,
    "programmes:review-acknowledge": _review,
    "programmes:review-addendum": _locked_review,
    "programmes:review-draft-discard": _review_draft,
    "programmes:goal-detail": _goal,
    "programmes:goal-update": _goal,
    "programmes:goal-progress": _goal,
    "programmes:protected-time-correct": _time,
    "programmes:protected-time-delete": _time,
    "programmes:reflection-detail": _shared_reflection,
    "programmes:reflection-update": _shared_reflection,
    "programmes:reflection-share": _shared_reflection,
    "programmes:reflection-feedback": _shared_reflection,
    "programmes:reflection-autosave": _draft_reflection,
}


def CANARIES(world: Any) -> list[str]:  # noqa: N802 - the name the access matrix looks for
    """The other organisation's shared reflection and needs assessment: never on any own-organisation page."""
    enrolment = _enrolment_in(world, "other")
    reflection = ReflectionFactory(enrolment=enrolment, title="Canary reflection from the neighbours",
                                   shared_with_mentor=True)
    assessment = NeedsAssessmentFactory(enrolment=enrolment, submitted_at=timezone.now(),
                                        reasonable_adjustments="Canary adjustment from the neighbours")
    return [reflection.title, assessment.reasonable_adjustments]
