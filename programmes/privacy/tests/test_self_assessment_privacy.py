"""The practitioner's own ratings and the settlements of their disagreements are their personal data:
in their subject access export, and the settlement's reason blanked with the other comments when
their cases are stripped."""

from __future__ import annotations

import pytest

from programmes.privacy import services
from programmes.privacy.services.common import strip_case
from progression import services as progression_services
from progression.models import Competency, CompetencyAssessment
from progression.tests.factories import Cast, small_framework

pytestmark = pytest.mark.django_db


def _settled_case(cast: Cast) -> tuple[object, Competency]:
    framework = progression_services.framework_set_self_assessment(
        actor=cast.lead, framework=small_framework(owner=cast.organisation), self_assessed=True)
    case = cast.open_case(framework)
    competency = Competency.objects.filter(section__framework=framework).first()
    progression_services.self_assessment_save(actor=cast.practitioner, case=case,
                                              ratings={competency.pk: "developing"})
    progression_services.disagreement_settle(actor=cast.manager, case=case, competency=competency,
                                             outcome="worker", reason="Agreed in supervision on the ward round.")
    return case, competency


def test_the_export_holds_the_practitioners_own_ratings_and_the_settlements(organisation, team) -> None:
    cast = Cast(organisation, team)
    _case, competency = _settled_case(cast)
    section = next(s for s in services.collect(cast.practitioner).sections if s.key == "competency_assessments")
    row = next(r for r in section.rows if r["competency_id"] == competency.pk)
    assert row["self_status"] == "developing" and row["self_status_label"] == "Developing"
    assert row["settled_reason"] == "Agreed in supervision on the ward round."


def test_stripping_a_case_blanks_the_settlements_reason(organisation, team) -> None:
    cast = Cast(organisation, team)
    case, competency = _settled_case(cast)
    strip_case(case, names=["Worker"])
    assert CompetencyAssessment.objects.get(case=case, competency=competency).settled_reason == ""
