"""Navigation links and home-page panels for career progression."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest

from preceptorship import access
from preceptorship.home import Panel, register_nav, register_panel
from preceptorship.models import Membership

Role = Membership.Role

CASE_ROLES = (Role.LINE_MANAGER, Role.HEAD_OF_SERVICE, Role.OPERATIONAL_DIRECTOR, Role.HR, Role.PRACTITIONER)


def _waiting(request: HttpRequest) -> dict[str, Any]:
    from progression import selectors

    cases = list(selectors.waiting_for(request.user)[:10])
    return {"cases": cases}


def _own(request: HttpRequest) -> dict[str, Any]:
    from progression.models import ProgressionCase

    cases = list(
        ProgressionCase.objects.filter(practitioner=request.user).select_related("framework").order_by("-created_at")[:3]
    )
    return {"cases": cases}


def _has_own_case(user: Any) -> bool:
    from progression.models import ProgressionCase

    return access.has_role(user, Role.PRACTITIONER) and ProgressionCase.objects.filter(practitioner=user).exists()


register_nav("Progression cases", "progression:case-list", access.any_role(*CASE_ROLES), order=40)
register_nav("Frameworks", "progression:framework-list", lambda user: True, order=60)
register_nav("Letter template", "progression:letter-template", access.any_role(Role.HR), order=65)
register_nav("Delegate your decisions", "progression:delegations", access.any_role(Role.HEAD_OF_SERVICE), order=66)
register_panel(Panel(
    title="Progression cases waiting for you",
    template="progression/includes/home_waiting.html",
    allowed=access.any_role(Role.LINE_MANAGER, Role.HEAD_OF_SERVICE, Role.OPERATIONAL_DIRECTOR, Role.HR),
    context=_waiting,
    order=30,
))
register_panel(Panel(
    title="Your progression case",
    template="progression/includes/home_own.html",
    allowed=_has_own_case,
    context=_own,
    order=35,
))


# Skills passports ------------------------------------------------------------------------------------

SUPPORT_WORKER_BANDS = {"band 2", "band 3", "band 4"}


def _keeps_passport(user: Any) -> bool:
    """A support worker (a worker of band 2, 3 or 4) or anyone who has started a passport."""
    from progression.models import SkillsPassport

    if not access.has_role(user, Role.PRACTITIONER):
        return False
    return _is_support_worker(user) or SkillsPassport.objects.filter(worker=user).exists()


def _own_passports(request: HttpRequest) -> dict[str, Any]:
    from progression.models import SkillsPassport
    from progression.views.passports import counted_passports

    return {"passports": list(counted_passports(SkillsPassport.objects.filter(worker=request.user)))}


def _team_waiting(request: HttpRequest) -> dict[str, Any]:
    from progression.models import PassportSkill, SkillsPassport

    in_scope = access.scope(request.user, SkillsPassport).exclude(worker=request.user)
    waiting = PassportSkill.objects.filter(passport__in=in_scope, verification=PassportSkill.Verification.WAITING)
    return {"waiting": waiting.count(), "workers": waiting.values("passport__worker").distinct().count()}


def _verifies_passports(user: Any) -> bool:
    """A line manager who may see someone else's passport. Asked on every page they open: first
    whether anyone else in their organisations has a passport, a query cheap to build (the scope's,
    with the people they manage, costs three times as much to build as to run), then the scope
    only when someone has one."""
    from progression.models import SkillsPassport

    organisations = access.organisation_ids(user, Role.LINE_MANAGER)
    if not organisations:
        return False
    others = SkillsPassport.objects.exclude(worker_id=user.pk)
    if not access.is_administrator(user) and not others.filter(organisation_id__in=organisations).exists():
        return False  # the scope shows a line manager passports of their organisations only
    return access.scope(user, others).exists()


def _is_support_worker(user: Any) -> bool:
    band = " ".join((user.band or "").split()).casefold()
    return band in SUPPORT_WORKER_BANDS and access.has_role(user, Role.PRACTITIONER)


def _passport_nav(user: Any) -> bool:
    """The header link, on every page: for a support worker (who keeps passports: no query, so other
    workers' pages cost nothing more; anyone else who started one finds it on their home page) and for
    a line manager of someone who has one."""
    return _is_support_worker(user) or _verifies_passports(user)


register_nav("Skills passport", "progression:passport-list", _passport_nav, order=41)
register_panel(Panel(
    title="Your skills passport",
    template="progression/includes/home_passports.html",
    allowed=_keeps_passport,
    context=_own_passports,
    order=36,
))
register_panel(Panel(
    title="Your team's skills passports",
    template="progression/includes/home_passports_team.html",
    allowed=_verifies_passports,
    context=_team_waiting,
    order=37,
))
