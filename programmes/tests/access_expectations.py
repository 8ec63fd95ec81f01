"""Access expectations for the programme lead's URLs (read by preceptorship/tests/test_access_matrix.py).

Who sees what (docs/architecture.md, "Access"): programmes are visible inside the organisation that runs them; only
its programme leads (and administrators) change them. An enrolment is seen by its preceptee,
mentor, line manager, the programme lead and the Head of Service of the preceptee's service;
the lead, mentor and line manager change it; only the lead manages mentors and the outcome.
Administrators may read every enrolment but act on none (they work in the admin screens).
"""

from __future__ import annotations

import datetime
from itertools import count
from typing import Any

from django.utils import timezone

from preceptorship.models import Membership
from preceptorship.tests.factories import person
from programmes.models import Enrolment
from programmes.schedule import add_months
from programmes.tests.factories import EnrolmentFactory, ProgrammeFactory

Role = Membership.Role
_serial = count()

READ_ENROLMENT = {
    "anonymous": 302, "own:practitioner": 200, "own:mentor": 200, "own:line_manager": 200,
    "own:programme_lead": 200, "own:head_of_service": 200, "administrator": 200, "*": 404,
}
# Lead, mentor and line manager change; the others who can read it are refused.
CHANGE_ENROLMENT = {
    "anonymous": 302, "own:mentor": 200, "own:line_manager": 200, "own:programme_lead": 200,
    "own:practitioner": 403, "own:head_of_service": 403, "administrator": 403, "*": 404,
}
LEAD_ONLY_ENROLMENT = {
    "anonymous": 302, "own:programme_lead": 200, "own:practitioner": 403, "own:mentor": 403,
    "own:line_manager": 403, "own:head_of_service": 403, "administrator": 403, "*": 404,
}
CONFIRM_COMPLETION = {
    "anonymous": 302, "own:mentor": 200, "own:line_manager": 200, "own:programme_lead": 403,
    "own:practitioner": 403, "own:head_of_service": 403, "administrator": 403, "*": 404,
}
CERTIFICATE = {
    "anonymous": 302, "own:practitioner": 200, "own:mentor": 200, "own:line_manager": 200,
    "own:programme_lead": 200, "own:head_of_service": 403, "administrator": 403, "*": 404,
}
EVALUATE = {
    "anonymous": 302, "own:practitioner": 200, "own:mentor": 403, "own:line_manager": 403,
    "own:programme_lead": 403, "own:head_of_service": 403, "administrator": 403, "*": 404,
}
LEAD_PROGRAMME = {
    "anonymous": 302, "own:programme_lead": 200, "administrator": 200, "own:*": 403, "other:*": 404,
}
LEAD_PROGRAMME_POST = {
    "anonymous": 302, "own:programme_lead": 302, "administrator": 302, "own:*": 403, "other:*": 404,
}
POST_ONLY = {"anonymous": 302, "*": 405}
LEAD_PAGE = {"anonymous": 302, "programme_lead": 200, "*": 403}

EXPECTATIONS: dict[str, dict[str, dict[str, int]]] = {
    "programmes:programme-list": {"GET": {"anonymous": 302, "*": 200}},
    "programmes:programme-create": {"GET": LEAD_PAGE, "POST": LEAD_PAGE},
    "programmes:programme-detail": {
        "GET": {"anonymous": 302, "own:*": 200, "administrator": 200, "other:*": 404},
    },
    "programmes:programme-edit": {"GET": LEAD_PROGRAMME, "POST": LEAD_PROGRAMME},
    "programmes:programme-close": {"GET": POST_ONLY, "POST": LEAD_PROGRAMME_POST},
    "programmes:programme-delete": {"GET": POST_ONLY, "POST": LEAD_PROGRAMME_POST},
    "programmes:programme-enrol": {"GET": LEAD_PROGRAMME, "POST": LEAD_PROGRAMME},
    "programmes:programme-enrol-cohort": {"GET": LEAD_PROGRAMME, "POST": LEAD_PROGRAMME},
    "programmes:enrolment-list": {"GET": LEAD_PAGE},
    "programmes:mentor-list": {"GET": LEAD_PAGE},
    "programmes:enrolment-detail": {"GET": READ_ENROLMENT},
    "programmes:enrolment-pause": {"GET": CHANGE_ENROLMENT, "POST": CHANGE_ENROLMENT},
    "programmes:enrolment-extend": {"GET": CHANGE_ENROLMENT, "POST": CHANGE_ENROLMENT},
    "programmes:enrolment-withdraw": {"GET": CHANGE_ENROLMENT, "POST": CHANGE_ENROLMENT},
    # Paused: the return date form (an empty date is today); done, back to the enrolment.
    "programmes:enrolment-resume": {
        "GET": CHANGE_ENROLMENT,
        "POST": {**CHANGE_ENROLMENT, "own:mentor": 302, "own:line_manager": 302, "own:programme_lead": 302},
    },
    "programmes:enrolment-people": {"GET": LEAD_ONLY_ENROLMENT, "POST": LEAD_ONLY_ENROLMENT},
    "programmes:completion-confirm": {"GET": CONFIRM_COMPLETION, "POST": CONFIRM_COMPLETION},
    "programmes:completion-outcome": {"GET": LEAD_ONLY_ENROLMENT, "POST": LEAD_ONLY_ENROLMENT},
    "programmes:certificate": {"GET": CERTIFICATE, "POST": {"anonymous": 302, "*": 405}},
    "programmes:evaluation": {"GET": EVALUATE, "POST": EVALUATE},
}


def _programme(world: Any, viewer: Any, target: str) -> dict[str, int]:
    organisation = world.organisation if target == "own" else world.other_organisation
    return {"pk": ProgrammeFactory(organisation=organisation, name=f"Programme {target} {next(_serial)}").pk}


def _enrolment_for(**fields: Any) -> Any:
    def build(world: Any, viewer: Any, target: str) -> dict[str, int]:
        own = target == "own"
        users = world.users if own else world.other_users
        organisation = world.organisation if own else world.other_organisation
        enrolment = EnrolmentFactory(
            programme=ProgrammeFactory(organisation=organisation), organisation=organisation,
            team=world.team if own else world.other_team, preceptee=users["practitioner"],
            mentor=users["mentor"], line_manager=users["line_manager"], **fields,
        )
        return {"pk": enrolment.pk}

    return build


def _near_completion() -> datetime.date:
    return add_months(timezone.localdate(), -18) + datetime.timedelta(days=10)


_current = _enrolment_for()
_completing = _enrolment_for(start_date=_near_completion())
_completed = _enrolment_for(completed=True)

BUILDERS = {
    "programmes:programme-detail": _programme,
    "programmes:programme-edit": _programme,
    "programmes:programme-close": _programme,
    "programmes:programme-delete": _programme,
    "programmes:programme-enrol": _programme,
    "programmes:programme-enrol-cohort": _programme,
    "programmes:enrolment-detail": _current,
    "programmes:enrolment-pause": _current,
    "programmes:enrolment-extend": _current,
    "programmes:enrolment-withdraw": _current,
    "programmes:enrolment-resume": _enrolment_for(status=Enrolment.Status.PAUSED),
    "programmes:enrolment-people": _current,
    "programmes:completion-confirm": _completing,
    "programmes:completion-outcome": _completing,
    "programmes:certificate": _completed,
    "programmes:evaluation": _completed,
}


def CANARIES(world: Any) -> list[str]:  # noqa: N802 - the name the matrix looks for
    """A preceptee of the other organisation, enrolled there: their name must never show to anyone here."""
    other = world.other_organisation
    preceptee = person(other, Role.PRACTITIONER, first_name="Wilhelmina", last_name="Canaryfield-Leadside")
    EnrolmentFactory(programme=ProgrammeFactory(organisation=other), organisation=other, preceptee=preceptee)
    return [preceptee.last_name]
