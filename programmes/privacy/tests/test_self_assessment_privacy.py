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


def _passport(cast: Cast) -> object:
    import datetime

    from progression.models import Framework

    framework = small_framework()
    Framework.objects.filter(pk=framework.pk).update(kind=Framework.Kind.SKILLS_PASSPORT, to_level="Band 3")
    framework.refresh_from_db()
    passport = progression_services.passport_start(actor=cast.practitioner, framework=framework)
    skill = Competency.objects.filter(section__framework=framework).first()
    progression_services.passport_skill_record(actor=cast.practitioner, passport=passport, competency=skill,
                                               achieved_on=datetime.date(2024, 5, 1),
                                               evidence_note="Ran the falls group with the physiotherapist.")
    return passport


def test_the_export_holds_the_workers_skills_passports(organisation, team) -> None:
    cast = Cast(organisation, team)
    passport = _passport(cast)
    sections = {s.key: s for s in services.collect(cast.practitioner).sections}
    assert [row["id"] for row in sections["skills_passports"].rows] == [passport.pk]
    notes = [row["evidence_note"] for row in sections["passport_skills"].rows]
    assert "Ran the falls group with the physiotherapist." in notes
    assert services.collect(cast.colleague).counts["passport_skills"] == 0


def test_erasure_deletes_the_workers_skills_passports(organisation, team) -> None:
    from preceptorship.models import Membership
    from preceptorship.tests.factories import person
    from progression.models import SkillsPassport

    cast = Cast(organisation, team)
    _passport(cast)
    dpo = person(organisation, Membership.Role.DATA_PROTECTION, email="dpo@example.org")
    goes, _stays = services.erasure_preview(person=cast.practitioner)
    assert any("skills passports" in line.what and line.count == 4 for line in goes)  # its four skills
    services.person_erase(actor=dpo, person=cast.practitioner)
    assert not SkillsPassport.objects.exists()
