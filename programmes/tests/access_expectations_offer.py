"""Access expectations for the "offer preceptorship" pages (read by preceptorship/tests/test_access_matrix.py).

A programme lead sees their organisation's practitioners in registered professions, a line manager
their team's; both mark transitions and record or undo declines; only the lead enrols. Administrators
read every record and act on none. Anyone else is refused the list (403), and gets 404 for a person
(their scope holds nobody), as does a lead or line manager asking about someone outside their
organisation or team.
"""

from __future__ import annotations

from itertools import count
from typing import Any

from django.utils import timezone

from preceptorship.models import Membership
from preceptorship.tests.factories import person, profession
from programmes.models import OfferDecline, OfferPerson, Transition, TransitionMark
from programmes.tests.factories import ProgrammeFactory

Role = Membership.Role
_serial = count()

LIST = {"anonymous": 302, "programme_lead": 200, "line_manager": 200, "administrator": 200, "*": 403}
READ = {"anonymous": 302, "own:programme_lead": 200, "own:line_manager": 200, "administrator": 200, "*": 404}
ACT = {"anonymous": 302, "own:programme_lead": 200, "own:line_manager": 200, "administrator": 403, "*": 404}
ACT_POST = {**ACT, "own:programme_lead": 302, "own:line_manager": 302}
ENROL = {**ACT, "own:line_manager": 403}
POST_ONLY = {"anonymous": 302, "*": 405}

EXPECTATIONS: dict[str, dict[str, dict[str, int]]] = {
    "programmes:offer-list": {"GET": LIST},
    "programmes:offer-person": {"GET": READ},
    "programmes:offer-mark": {"GET": ACT, "POST": ACT},
    "programmes:offer-mark-remove": {"GET": POST_ONLY, "POST": ACT_POST},
    "programmes:offer-decline": {"GET": ACT, "POST": ACT},
    "programmes:offer-decline-undo": {"GET": POST_ONLY, "POST": ACT_POST},
    "programmes:offer-enrol": {"GET": ENROL, "POST": ENROL},
}


def _newly_registered(world: Any, target: str) -> OfferPerson:
    own = target == "own"
    organisation = world.organisation if own else world.other_organisation
    user = person(organisation, Role.PRACTITIONER, team=world.team if own else world.other_team,
                  profession=profession(), first_registered_on=timezone.localdate(),
                  last_name=f"Offerable-{target}-{next(_serial)}")
    ProgrammeFactory(organisation=organisation, professions=[profession()])
    return OfferPerson.objects.get(user=user, role=Role.PRACTITIONER)


def _secret(viewer: Any, found: OfferPerson) -> str | None:
    """The name that must not show about another organisation's person: administrators read every organisation."""
    return None if viewer is not None and viewer.is_superuser else found.user.last_name


def _person(world: Any, viewer: Any, target: str) -> tuple[dict[str, int], str | None]:
    found = _newly_registered(world, target)
    return {"pk": found.pk}, _secret(viewer, found)


def _mark(world: Any, viewer: Any, target: str) -> tuple[dict[str, int], str | None]:
    found = _newly_registered(world, target)
    mark = TransitionMark.objects.create(person=found.user, organisation=found.organisation,
                                         transition=Transition.INTERNATIONAL, recorded_at=timezone.now())
    return {"pk": found.pk, "mark_pk": mark.pk}, _secret(viewer, found)


def _decline(world: Any, viewer: Any, target: str) -> tuple[dict[str, int], str | None]:
    found = _newly_registered(world, target)
    decline = OfferDecline.objects.create(person=found.user, organisation=found.organisation, reason="Not now",
                                          declined_on=timezone.localdate(), recorded_at=timezone.now())
    return {"pk": found.pk, "decline_pk": decline.pk}, _secret(viewer, found)


BUILDERS = {
    "programmes:offer-person": _person,
    "programmes:offer-mark": _person,
    "programmes:offer-mark-remove": _mark,
    "programmes:offer-decline": _person,
    "programmes:offer-decline-undo": _decline,
    "programmes:offer-enrol": _person,
}
