"""Who may reach each progression URL (read by preceptorship/tests/test_access_matrix.py).

A case is seen by its practitioner and line manager and by the Head of Service, Operational
Director and HR of the practitioner's organisation; each of those acts only at their own step.
Frameworks built here are drafts, seen only by the owning organisation's programme lead.
"""

from __future__ import annotations

from typing import Any

from django.core.files.base import ContentFile
from django.utils import timezone

from preceptorship.models import Membership
from preceptorship.tests.factories import person
from progression import services
from progression.models import Competency, Evidence, EvidencePack, ProgressionCase, Section
from progression.tests.factories import small_framework

Role = Membership.Role
Stage = ProgressionCase.Stage

ANON = {"anonymous": 302}
NOT_POST = {"GET": {"anonymous": 302, "*": 405}}
# Everyone who sees a case of their own organisation; outsiders and other organisations get 404.
CASE_READERS = ("practitioner", "line_manager", "head_of_service", "operational_director", "hr")


def _readers(status: int, **exceptions: int) -> dict[str, int]:
    table = {**ANON, **{f"own:{role}": status for role in CASE_READERS}, "own:administrator": status,
             "other:administrator": status, "own:*": 404, "other:*": 404}
    table.update({f"own:{role}": code for role, code in exceptions.items()})
    return table


def _lead_only(status: int) -> dict[str, int]:
    return {**ANON, "own:programme_lead": status, "own:administrator": status, "other:administrator": status,
            "own:*": 404, "other:*": 404}


EXPECTATIONS: dict[str, dict[str, dict[str, int]]] = {
    "progression:framework-list": {"GET": {**ANON, "*": 200}},
    "progression:framework-import": {
        "GET": {**ANON, "programme_lead": 200, "administrator": 200, "*": 403},
        "POST": {**ANON, "programme_lead": 200, "administrator": 200, "*": 403},
    },
    "progression:framework-detail": {"GET": _lead_only(200)},
    "progression:framework-edit": {"GET": _lead_only(200), "POST": _lead_only(200)},
    "progression:framework-export": {"GET": _lead_only(200)},
    # Structured editing of a draft: an empty form is shown again with its errors.
    "progression:framework-section-add": {"GET": _lead_only(200), "POST": _lead_only(200)},
    "progression:framework-section-edit": {"GET": _lead_only(200), "POST": _lead_only(200)},
    "progression:framework-section-delete": {"GET": _lead_only(200), "POST": _lead_only(302)},
    "progression:framework-competency-add": {"GET": _lead_only(200), "POST": _lead_only(200)},
    "progression:framework-competency-edit": {"GET": _lead_only(200), "POST": _lead_only(200)},
    "progression:framework-competency-delete": {"GET": _lead_only(200), "POST": _lead_only(302)},
    # Nothing named to move: a message and back to the framework.
    "progression:framework-move": {**NOT_POST, "POST": _lead_only(302)},
    # A draft already exists, so a new version is refused with a message and a redirect.
    "progression:framework-new-version": {**NOT_POST, "POST": _lead_only(302)},
    # The first POST shows the check page; only its confirm button publishes.
    "progression:framework-publish": {**NOT_POST, "POST": _lead_only(200)},
    # Retiring too: the first POST names the open cases on the version; only its confirm retires.
    "progression:framework-retire": {**NOT_POST, "POST": _lead_only(200)},
    "progression:case-list": {"GET": {**ANON, "*": 200}},
    "progression:case-waiting": {"GET": {**ANON, "*": 200}},
    "progression:case-open": {
        "GET": {**ANON, "line_manager": 200, "practitioner": 200, "*": 403},
        "POST": {**ANON, "line_manager": 200, "practitioner": 200, "*": 403},
    },
    "progression:case-detail": {"GET": _readers(200)},
    "progression:case-take-up": {**NOT_POST, "POST": _readers(403)},
    "progression:case-competency": {
        "GET": _readers(200),
        # The manager's empty mark is refused on the form; the worker's empty comment is saved.
        "POST": _readers(403, line_manager=200, practitioner=302),
    },
    "progression:evidence-add": {
        "GET": _readers(403, line_manager=200, practitioner=200),
        "POST": _readers(403, line_manager=200, practitioner=200),
    },
    "progression:evidence-file": {"GET": _readers(200)},
    "progression:evidence-detail": {"GET": _readers(200)},
    # Whoever added it (nobody here) or the line manager, while the case is a draft.
    "progression:evidence-delete": {
        "GET": _readers(403, line_manager=200),
        "POST": _readers(403, line_manager=302),
    },
    "progression:case-submit": {**NOT_POST, "POST": _readers(403, line_manager=302)},
    # An empty form is shown again with its errors.
    "progression:case-statement": {
        "GET": _readers(403, practitioner=200), "POST": _readers(403, practitioner=200),
    },
    "progression:case-statement-unable": {
        "GET": _readers(403, line_manager=200), "POST": _readers(403, line_manager=200),
    },
    "progression:case-withdraw": {
        "GET": _readers(403, line_manager=200), "POST": _readers(403, line_manager=200),
    },
    "progression:case-decide": {
        "GET": _readers(403, head_of_service=200),
        "POST": _readers(403, head_of_service=200),
    },
    "progression:case-hr": {"GET": _readers(403, hr=200), "POST": _readers(403, hr=200)},
    "progression:case-told": {"GET": _readers(403, line_manager=200), "POST": _readers(403, line_manager=200)},
    # The first POST shows the check page; only its confirm button produces the letter.
    "progression:case-confirm": {**NOT_POST, "POST": _readers(403, line_manager=200, hr=200)},
    "progression:case-letter": {
        "GET": {**_readers(403, practitioner=200, line_manager=200, hr=200), "own:administrator": 403,
                "other:administrator": 403},
    },
    "progression:pack-request": {**NOT_POST, "POST": _readers(302)},
    "progression:pack-detail": {"GET": _readers(200)},
    "progression:pack-download": {"GET": _readers(200)},
    "progression:letter-template": {
        "GET": {**ANON, "hr": 200, "programme_lead": 200, "*": 403},
        "POST": {**ANON, "hr": 200, "programme_lead": 200, "*": 403},
    },
    # Heads of Service delegate their own decisions; a delegation is withdrawn by whoever gave it.
    "progression:delegations": {
        "GET": {**ANON, "head_of_service": 200, "*": 403},
        "POST": {**ANON, "head_of_service": 200, "*": 403},
    },
    "progression:delegation-withdraw": {
        **NOT_POST,
        "POST": {**ANON, "own:head_of_service": 302, "own:administrator": 302, "other:administrator": 302,
                 "own:*": 404, "other:*": 404},
    },
}


def _secret(viewer: Any, text: str) -> str | None:
    # Administrators see every organisation's records, so only others are checked for leaks.
    return None if viewer is not None and viewer.is_superuser else text


def _framework(world: Any, viewer: Any, target: str) -> tuple[dict[str, int], str | None]:
    owner = world.organisation if target == "own" else world.other_organisation
    framework = small_framework(owner=owner, status="draft")
    framework.name = f"Draft framework of {owner.name} {framework.pk}"
    framework.save(update_fields=["name"])
    return {"pk": framework.pk}, _secret(viewer, framework.name)


def _framework_section(world: Any, viewer: Any, target: str) -> tuple[dict[str, int], str | None]:
    kwargs, secret = _framework(world, viewer, target)
    return {**kwargs, "section": Section.objects.filter(framework_id=kwargs["pk"]).first().pk}, secret


def _framework_competency(world: Any, viewer: Any, target: str) -> tuple[dict[str, int], str | None]:
    kwargs, secret = _framework(world, viewer, target)
    competency = Competency.objects.filter(section__framework_id=kwargs["pk"]).first()
    return {**kwargs, "competency": competency.pk}, secret


def _open_case(world: Any, viewer: Any, target: str, stage: str = Stage.DRAFT) -> ProgressionCase:
    users = world.users if target == "own" else world.other_users
    organisation = world.organisation if target == "own" else world.other_organisation
    case = services.progression_case_open(
        actor=users["line_manager"], practitioner=users["practitioner"], framework=small_framework(),
        target_role=f"Advanced Practitioner for {organisation.name}", head_of_service=users["head_of_service"],
        organisation=organisation, team=world.team if target == "own" else world.other_team,
    )
    if stage != Stage.DRAFT:
        # Straight to the stage under test: the chain itself is tested through the services.
        ProgressionCase.objects.filter(pk=case.pk).update(stage=stage)
        case.refresh_from_db()
    return case


def _case_at(stage: str) -> Any:
    def build(world: Any, viewer: Any, target: str) -> tuple[dict[str, int], str | None]:
        case = _open_case(world, viewer, target, stage)
        return {"pk": case.pk}, _secret(viewer, case.target_role)

    return build


def _competency(world: Any, viewer: Any, target: str) -> dict[str, int]:
    case = _open_case(world, viewer, target)
    competency = Competency.objects.filter(section__framework=case.framework).first()
    return {"pk": case.pk, "competency": competency.pk}


def _evidence(world: Any, viewer: Any, target: str) -> tuple[dict[str, int], str | None]:
    case = _open_case(world, viewer, target)
    evidence = Evidence(case=case, title="Evidence", example_date="2024-01-01", description="Shows it.",
                        original_filename="notes.pdf", content_type="application/pdf", size=9)
    evidence.file.save("notes.pdf", ContentFile(b"%PDF-1.4\n"), save=False)
    evidence.save()
    return {"pk": case.pk, "evidence": evidence.pk}, None


def _letter(world: Any, viewer: Any, target: str) -> dict[str, int]:
    case = _open_case(world, viewer, target, Stage.CONFIRMED)
    case.letter_file.save("letter.pdf", ContentFile(b"%PDF-1.4\n"), save=True)
    return {"pk": case.pk}


def _pack(world: Any, viewer: Any, target: str) -> dict[str, int]:
    case = _open_case(world, viewer, target)
    pack = EvidencePack(case=case, status=EvidencePack.Status.READY, progress=100)
    pack.file.save("pack.pdf", ContentFile(b"%PDF-1.4\n"), save=True)
    return {"pk": pack.pk}


def _delegation(world: Any, viewer: Any, target: str) -> dict[str, int]:
    users = world.users if target == "own" else world.other_users
    organisation = world.organisation if target == "own" else world.other_organisation
    stand_in = person(organisation, Role.HEAD_OF_SERVICE)
    delegation = services.delegation_create(actor=users["head_of_service"], delegate=stand_in,
                                            starts_on=timezone.localdate(), ends_on=timezone.localdate())
    return {"pk": delegation.pk}


BUILDERS = {
    "progression:framework-detail": _framework,
    "progression:framework-edit": _framework,
    "progression:framework-export": _framework,
    "progression:framework-new-version": _framework,
    "progression:framework-publish": _framework,
    "progression:framework-retire": _framework,
    "progression:framework-section-add": _framework,
    "progression:framework-section-edit": _framework_section,
    "progression:framework-section-delete": _framework_section,
    "progression:framework-competency-add": _framework_section,
    "progression:framework-competency-edit": _framework_competency,
    "progression:framework-competency-delete": _framework_competency,
    "progression:framework-move": _framework,
    "progression:case-detail": _case_at(Stage.DRAFT),
    "progression:case-take-up": _case_at(Stage.DRAFT),
    "progression:case-competency": _competency,
    "progression:evidence-add": _case_at(Stage.DRAFT),
    "progression:evidence-file": _evidence,
    "progression:evidence-detail": _evidence,
    "progression:evidence-delete": _evidence,
    "progression:case-submit": _case_at(Stage.DRAFT),
    "progression:case-statement": _case_at(Stage.DRAFT),
    "progression:case-statement-unable": _case_at(Stage.DRAFT),
    "progression:case-withdraw": _case_at(Stage.DRAFT),
    "progression:case-decide": _case_at(Stage.SUBMITTED),
    "progression:case-hr": _case_at(Stage.SIGNED_OFF),
    "progression:case-told": _case_at(Stage.HR_RECORDED),
    "progression:case-confirm": _case_at(Stage.WORKER_TOLD),
    "progression:case-letter": _letter,
    "progression:pack-request": _case_at(Stage.DRAFT),
    "progression:pack-detail": _pack,
    "progression:pack-download": _pack,
    "progression:delegation-withdraw": _delegation,
}


def CANARIES(world: Any) -> list[str]:  # noqa: N802 - the name the matrix looks for
    case = _open_case(world, None, "other")
    case.target_role = "Canary progression role"
    case.save(update_fields=["target_role"])
    return [case.target_role]
