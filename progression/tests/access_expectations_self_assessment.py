"""Who may reach the self-assessment pages (read by preceptorship/tests/test_access_matrix.py, like
``access_expectations``).

Whoever manages a framework marks it for self-assessment; on a case using it the practitioner rates
themselves, everyone who sees the case reads the disagreements, and the line manager settles them.
Everyone else who sees the case gets 403, anyone else 404.
"""

from __future__ import annotations

from typing import Any

from progression import services
from progression.models import Competency, Framework, ProgressionCase
from progression.tests.access_expectations import _framework, _lead_only, _open_case, _readers

EXPECTATIONS: dict[str, dict[str, dict[str, int]]] = {
    # An empty POST shows the form again with its error.
    "progression:framework-self-assessment": {"GET": _lead_only(200), "POST": _lead_only(200)},
    # Nothing rated is nothing saved: back to the case.
    "progression:case-self-assessment": {
        "GET": _readers(403, practitioner=200), "POST": _readers(403, practitioner=302),
    },
    "progression:case-disagreements": {"GET": _readers(200)},
    # An empty POST shows the form again with its errors.
    "progression:case-disagreement-settle": {
        "GET": _readers(403, line_manager=200), "POST": _readers(403, line_manager=200),
    },
}


def _self_assessed_case(world: Any, viewer: Any, target: str) -> dict[str, int]:
    case = _open_case(world, viewer, target)
    Framework.objects.filter(pk=case.framework_id).update(self_assessed=True)
    case.framework.refresh_from_db()
    return {"pk": case.pk}


def _disagreement(world: Any, viewer: Any, target: str) -> dict[str, int]:
    kwargs = _self_assessed_case(world, viewer, target)
    case = ProgressionCase.objects.select_related("framework", "practitioner").get(pk=kwargs["pk"])
    competency = Competency.objects.filter(section__framework=case.framework).first()
    services.self_assessment_save(actor=case.practitioner, case=case, ratings={competency.pk: "developing"})
    return {**kwargs, "competency": competency.pk}


BUILDERS = {
    "progression:framework-self-assessment": _framework,
    "progression:case-self-assessment": _self_assessed_case,
    "progression:case-disagreements": _self_assessed_case,
    "progression:case-disagreement-settle": _disagreement,
}
