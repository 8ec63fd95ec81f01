"""Access expectations of the preceptor register's pages (read by
preceptorship/tests/test_access_matrix.py).

A register line is the mentor role of the target organisation's mentor: its programme lead keeps
it, the mentor sees it and records their own training and evaluation (the lead's form is 403 to
them). A review meeting's wellbeing page is the review's mentor's alone: others who read the
review get 403. POSTs carry no body: the training form has no required field, so it saves (302);
the others show their errors (200).
"""

from __future__ import annotations

import datetime
from decimal import Decimal
from typing import Any

from preceptorship.models import Membership
from programmes.preceptors.models import Preceptor, TimeGiven
from programmes.tests.factories import EnrolmentFactory, ProgrammeFactory
from programmes.tests.factories_practice import ReviewFactory

ANON = {"anonymous": 302}
LEAD_PAGE = {**ANON, "programme_lead": 200, "*": 403}
MENTOR_PAGE = {**ANON, "mentor": 200, "*": 403}
NOT_POSTED = {**ANON, "*": 405}
NOT_GOT = {**ANON, "*": 405}


def _line(own: int, **others: int) -> dict[str, int]:
    """``own`` for the own organisation's lead, ``others`` for single own roles, 404 otherwise."""
    table = {**ANON, "own:programme_lead": own, "own:*": 404, "other:*": 404}
    table.update({f"own:{role}": value for role, value in others.items()})
    return table


EXPECTATIONS: dict[str, dict[str, dict[str, int]]] = {
    "programmes:preceptors:register": {"GET": LEAD_PAGE, "POST": NOT_POSTED},
    "programmes:preceptors:register-export": {"GET": LEAD_PAGE},
    "programmes:preceptors:entry": {"GET": _line(200, mentor=403), "POST": _line(200, mentor=403)},
    "programmes:preceptors:training": {"GET": _line(200, mentor=200), "POST": _line(302, mentor=302)},
    "programmes:preceptors:evaluation": {"GET": _line(403, mentor=200), "POST": _line(403, mentor=200)},
    # Every member sees their own organisation (403 unless they lead it); the ICS lead and the
    # administrator also see the other one.
    "programmes:preceptors:allowance": {
        method: {**ANON, "own:programme_lead": 200, "own:*": 403, "other:ics_lead": 403,
                 "other:administrator": 403, "other:*": 404}
        for method in ("GET", "POST")
    },
    "programmes:preceptors:feedback": {"GET": LEAD_PAGE, "POST": NOT_POSTED},
    "programmes:preceptors:mine": {"GET": MENTOR_PAGE, "POST": NOT_POSTED},
    "programmes:preceptors:time": {"GET": MENTOR_PAGE, "POST": MENTOR_PAGE},
    "programmes:preceptors:time-delete": {
        "GET": NOT_GOT, "POST": {**ANON, "own:mentor": 302, "own:*": 404, "other:*": 404},
    },
    "programmes:preceptors:wellbeing": {
        method: {**ANON, "own:mentor": 200, "own:practitioner": 403, "own:line_manager": 403,
                 "own:programme_lead": 403, "own:*": 404, "other:*": 404}
        for method in ("GET", "POST")
    },
}


def _users(world: Any, target: str) -> dict[str, Any]:
    return world.users if target == "own" else world.other_users


def _organisation(world: Any, target: str) -> Any:
    return world.organisation if target == "own" else world.other_organisation


def _preceptor(world: Any, viewer: Any, target: str) -> dict[str, int]:
    mentor = _users(world, target)["mentor"]
    line = Preceptor.objects.get(user=mentor, organisation=_organisation(world, target), role=Membership.Role.MENTOR)
    return {"pk": line.pk}


def _organisation_pk(world: Any, viewer: Any, target: str) -> dict[str, int]:
    return {"pk": _organisation(world, target).pk}


def _enrolment(world: Any, target: str) -> Any:
    users = _users(world, target)
    return EnrolmentFactory(
        programme=ProgrammeFactory(organisation=_organisation(world, target)), preceptee=users["practitioner"],
        mentor=users["mentor"], line_manager=users["line_manager"],
    )


def _time(world: Any, viewer: Any, target: str) -> tuple[dict[str, int], str]:
    enrolment = _enrolment(world, target)
    secret = f"Went through the {target} preceptee's safeguarding worries"
    entry = TimeGiven.objects.create(enrolment=enrolment, mentor=enrolment.mentor, on=enrolment.start_date,
                                     hours=Decimal("1.5"), note=secret)
    return {"pk": entry.pk}, secret


def _review(world: Any, viewer: Any, target: str) -> dict[str, int]:
    enrolment = _enrolment(world, target)
    review = ReviewFactory(enrolment=enrolment, number=1, held_on=enrolment.start_date + datetime.timedelta(days=7))
    return {"pk": review.pk}


def _fmt(world: Any, viewer: Any, target: str) -> dict[str, str]:
    return {"fmt": "csv"}


BUILDERS = {
    "programmes:preceptors:register-export": _fmt,
    "programmes:preceptors:entry": _preceptor,
    "programmes:preceptors:training": _preceptor,
    "programmes:preceptors:evaluation": _preceptor,
    "programmes:preceptors:allowance": _organisation_pk,
    "programmes:preceptors:time-delete": _time,
    "programmes:preceptors:wellbeing": _review,
}
