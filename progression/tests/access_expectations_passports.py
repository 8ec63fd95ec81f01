"""Who may reach the skills passport pages (read by preceptorship/tests/test_access_matrix.py, like
``access_expectations``).

A passport is seen by its worker (who records its skills) and the line managers of the worker's team
(who verify them); the administrator only reads it. Anyone else gets 404. Workers start their own;
programme leads download the import template.
"""

from __future__ import annotations

from typing import Any

from progression import services
from progression.models import Framework, PassportSkill
from progression.tests.access_expectations import ANON
from progression.tests.factories import small_framework


def _passport_readers(status: int, **exceptions: int) -> dict[str, int]:
    table = {**ANON, "own:practitioner": status, "own:line_manager": status, "own:administrator": status,
             "other:administrator": status, "own:*": 404, "other:*": 404}
    table.update({f"own:{role}": code for role, code in exceptions.items()})
    return table


EXPECTATIONS: dict[str, dict[str, dict[str, int]]] = {
    "progression:passport-list": {"GET": {**ANON, "*": 200}},
    # An empty POST shows the form again with its error.
    "progression:passport-start": {
        "GET": {**ANON, "practitioner": 200, "*": 403}, "POST": {**ANON, "practitioner": 200, "*": 403},
    },
    "progression:passport-template": {"GET": {**ANON, "programme_lead": 200, "administrator": 200, "*": 403}},
    "progression:passport-detail": {"GET": _passport_readers(200)},
    "progression:passport-skill": {
        "GET": _passport_readers(403, practitioner=200), "POST": _passport_readers(403, practitioner=200),
    },
    "progression:passport-verify": {
        "GET": _passport_readers(403, line_manager=200), "POST": _passport_readers(403, line_manager=200),
    },
}


def _passport(world: Any, viewer: Any, target: str) -> dict[str, int]:
    users = world.users if target == "own" else world.other_users
    framework = small_framework()
    Framework.objects.filter(pk=framework.pk).update(kind=Framework.Kind.SKILLS_PASSPORT, to_level="Band 3")
    framework.refresh_from_db()
    passport = services.passport_start(actor=users["practitioner"], framework=framework)
    return {"pk": passport.pk}


def _skill(world: Any, viewer: Any, target: str) -> dict[str, int]:
    kwargs = _passport(world, viewer, target)
    skill = PassportSkill.objects.filter(passport_id=kwargs["pk"]).order_by("pk").first()
    return {**kwargs, "competency": skill.competency_id}


BUILDERS = {
    "progression:passport-detail": _passport,
    "progression:passport-skill": _skill,
    "progression:passport-verify": _skill,
}
