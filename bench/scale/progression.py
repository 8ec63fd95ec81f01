"""The scale ICS's progression: the frameworks, and cases at every stage with their evidence and
decisions."""

from __future__ import annotations

import datetime

from django.utils import timezone

from bench.scale.common import (
    CHAIN,
    EVIDENCE_PER_CASE,
    EVIDENCE_TITLES,
    SENTENCES,
    STAGE_MIX,
    STEPS_TO,
    BuildState,
    People,
    allocate,
    at,
    days,
)
from preceptorship.models import Membership, Organisation
from programmes.models import Programme
from progression.models import (
    Competency,
    CompetencyAssessment,
    CompetencyMark,
    Decision,
    Evidence,
    Framework,
    ProgressionCase,
    Section,
)

Role = Membership.Role
Stage = ProgressionCase.Stage


class ProgressionBuilder(BuildState):
    """The shared frameworks, and each organisation's progression cases."""

    def frameworks(self) -> None:
        now = timezone.now()
        specs = [
            ("standards", "Scale ICS practice standards, Level 1 to Level 2", "Level 1", "Level 2",
             [("Practice", 4, True), ("Communication", 4, True), ("Leadership", 4, False)]),
            ("social-work", "Scale ICS social work career progression, Range 6 to Range 7", "Range 6", "Range 7",
             [("Range 6 entry point", 5, False), ("Range 6 key competencies", 10, True),
              ("Range 7 key competencies", 10, True)]),
            ("ahp", "Scale ICS allied health career progression, Band 6 to Band 7", "Band 6", "Band 7",
             [("Band 6 entry point", 5, False), ("Band 6 key competencies", 10, True),
              ("Band 7 key competencies", 10, True)]),
        ]
        self.framework_competencies: dict[str, list[Competency]] = {}
        self.required: dict[str, set[int]] = {}
        self.framework: dict[str, Framework] = {}
        for key, name, from_level, to_level, sections in specs:
            framework = Framework.objects.create(
                name=name, slug=f"scale-{key}", source="Scale ICS workforce team", from_level=from_level,
                to_level=to_level, status=Framework.Status.PUBLISHED, published_at=now,
            )
            rows = self.out.insert(Section, [
                Section(framework=framework, title=title, order=i, required_for_sign_off=required)
                for i, (title, _, required) in enumerate(sections)
            ])
            competencies = self.out.insert(Competency, [
                Competency(section=section, code=f"{i + 1}.{c + 1}", order=c,
                           statement=f"{SENTENCES[(i * 3 + c) % len(SENTENCES)]} (competency {i + 1}.{c + 1})",
                           guidance="Examples from practice, dated, with the outcome for the person.")
                for i, (section, (_, count, _)) in enumerate(zip(rows, sections, strict=True)) for c in range(count)
            ])
            by_section = {s.pk: required for s, (_, _, required) in zip(rows, sections, strict=True)}
            self.framework[key] = framework
            self.framework_competencies[key] = competencies
            self.required[key] = {c.pk for c in competencies if by_section[c.section_id]}
        self.framework["standards"].professions.set(
            [p for p in self.professions.values() if p.kind in ("ahp", "nursing", "midwifery")])
        self.shared_programme: Programme | None = None


    def progression(self, organisation: Organisation, people: People) -> None:
        rng, today = self.rng, self.today
        stages = allocate(len(people.practitioners), STAGE_MIX, rng)
        cases: list[ProgressionCase] = []
        for (practitioner, t), stage in zip(people.practitioners, stages, strict=True):
            key = "social-work" if practitioner.profession and practitioner.profession.slug == "social-work" else "ahp"
            manager = rng.choice(people.line_managers[t])
            waiting_for_manager = stage == Stage.DRAFT and rng.random() < 0.1
            changed = today - days(rng.uniform(1, 40 if stage in (Stage.SUBMITTED, Stage.RECOMMENDED) else 300))
            case = ProgressionCase(
                practitioner=practitioner, organisation=organisation, team=self.teams[organisation.pk][t],
                framework=self.framework[key],
                target_role="Advanced Practitioner, Range 7" if key == "social-work" else "Senior practitioner, Band 7",
                line_manager=None if waiting_for_manager else manager,
                head_of_service=people.heads_of_service[t % 2],
                opened_by=practitioner if waiting_for_manager or rng.random() < 0.2 else manager,
                stage=stage, stage_changed_at=at(changed, 12), revision=STEPS_TO[stage] + 1,
                created_at=at(changed - days(rng.uniform(60, 300))),
            )
            if stage == Stage.DECLINED:
                case.return_reasons = "The Range 7 competencies on leadership are not yet evidenced."
                case.returned_by_role = Role.OPERATIONAL_DIRECTOR
            elif stage == Stage.WITHDRAWN:
                case.withdrawal_reason = "Opened on the wrong framework."
            elif stage == Stage.DRAFT and not waiting_for_manager and rng.random() < 0.15:
                case.return_reasons = "Please add dated examples for the key competencies."
                case.returned_by_role = Role.HEAD_OF_SERVICE
            if STEPS_TO[stage] >= 1:
                # Submitted cases carry the practitioner's statement on the table.
                case.statement, case.statement_by = ProgressionCase.Statement.AGREED, practitioner
                case.statement_at = at(changed - days(rng.uniform(1, 5)))
            if STEPS_TO[stage] >= 4 and stage != Stage.DECLINED:
                case.hr_reference = f"HR-{organisation.pk}-{practitioner.pk}"
                case.effective_date = changed.replace(day=1)
            if STEPS_TO[stage] >= 5 and stage != Stage.DECLINED:
                case.told_verbally_on, case.told_by = changed, manager
            cases.append(case)
        self.out.insert(ProgressionCase, cases)
        assessments: list[CompetencyAssessment] = []
        evidence: list[Evidence] = []
        decisions: list[Decision] = []
        for case, (practitioner, t) in zip(cases, people.practitioners, strict=True):
            key = "social-work" if case.framework_id == self.framework["social-work"].pk else "ahp"
            competencies = self.framework_competencies[key]
            required = self.required[key]
            progressed = case.stage not in (Stage.DRAFT, Stage.DECLINED)
            ready = rng.uniform(0.2, 0.9)
            opened = case.created_at.date()
            marker = case.line_manager_id or people.line_managers[t][0].pk
            for competency in competencies:
                met = (progressed and (competency.pk in required or rng.random() < 0.8)) or rng.random() < ready
                status = (rng.choice([CompetencyAssessment.Status.REACHED, CompetencyAssessment.Status.EXCEEDED])
                          if met else rng.choice([CompetencyAssessment.Status.NOT_YET,
                                                  CompetencyAssessment.Status.DEVELOPING]))
                marked = status != CompetencyAssessment.Status.NOT_YET
                reached_on = opened + days(rng.uniform(0, 60)) if met else None
                assessments.append(CompetencyAssessment(
                    case=case, competency=competency, status=status, reached_on=reached_on,
                    manager_comment="Seen in practice and discussed in supervision." if marked else "",
                    worker_comment="See the evidence linked." if met and rng.random() < 0.4 else "",
                    marked_by_id=marker if marked else None, marked_at=at(reached_on or opened) if marked else None,
                ))
            for i in range(EVIDENCE_PER_CASE):
                evidence.append(Evidence(
                    case=case, title=rng.choice(EVIDENCE_TITLES), example_date=opened - days(rng.uniform(0, 400)),
                    description=" ".join(rng.sample(SENTENCES, 2)), added_by_id=practitioner.pk if i % 3 else marker,
                    created_at=at(opened + days(i)),
                ))
            decisions.extend(self.decisions(case, people, marker, opened))
        self.out.insert(CompetencyAssessment, assessments)
        self.out.insert(CompetencyMark, [
            CompetencyMark(assessment=a, status=a.status, reached_on=a.reached_on, comment=a.manager_comment,
                           marked_by_id=a.marked_by_id, marked_at=a.marked_at)
            for a in assessments if a.marked_at
        ])
        self.out.insert(Evidence, evidence)
        through = Evidence.competencies.through
        links = []
        per_case = {}
        for a in assessments:
            per_case.setdefault(a.case_id, []).append(a.competency_id)
        for item in evidence:
            for competency_id in rng.sample(per_case[item.case_id], rng.choice([1, 1, 2, 3])):
                links.append(through(evidence_id=item.pk, competency_id=competency_id))
        self.out.insert(through, links)
        self.out.insert(Decision, decisions)

    def decisions(self, case: ProgressionCase, people: People, manager_id: int,
                  opened: datetime.date) -> list[Decision]:
        rng = self.rng
        actors = {Role.LINE_MANAGER: manager_id, Role.HEAD_OF_SERVICE: case.head_of_service_id,
                  Role.OPERATIONAL_DIRECTOR: people.director.pk, Role.HR: people.hr.pk}
        when = at(opened)
        rows = [Decision(case=case, actor_id=case.opened_by_id, role=Role.LINE_MANAGER
                         if case.opened_by_id == manager_id else Role.PRACTITIONER, at=when,
                         decision=Decision.Kind.OPENED, from_stage="", to_stage=Stage.DRAFT)]
        if case.line_manager_id and case.opened_by_id != case.line_manager_id:
            when += days(rng.uniform(1, 10))
            rows.append(Decision(case=case, actor_id=manager_id, role=Role.LINE_MANAGER, at=when,
                                 decision=Decision.Kind.TAKEN_UP, from_stage=Stage.DRAFT, to_stage=Stage.DRAFT))
        if case.returned_by_role == Role.HEAD_OF_SERVICE:
            when += days(rng.uniform(20, 60))
            rows.append(Decision(case=case, actor_id=manager_id, role=Role.LINE_MANAGER, at=when,
                                 decision=Decision.Kind.SUBMITTED, from_stage=Stage.DRAFT, to_stage=Stage.SUBMITTED))
            when += days(rng.uniform(3, 15))
            rows.append(Decision(case=case, actor_id=case.head_of_service_id, role=Role.HEAD_OF_SERVICE, at=when,
                                 decision=Decision.Kind.RETURNED, from_stage=Stage.SUBMITTED, to_stage=Stage.DRAFT,
                                 comment=case.return_reasons))
        steps = CHAIN[:STEPS_TO[case.stage]]
        if case.stage == Stage.DECLINED:
            steps = CHAIN[:2]
        for kind, source, target, role in steps:
            when += days(rng.uniform(3, 20))
            rows.append(Decision(case=case, actor_id=actors[role], role=role, at=when, decision=kind,
                                 from_stage=source, to_stage=target))
        if case.stage == Stage.WITHDRAWN:
            rows.append(Decision(case=case, actor_id=manager_id, role=Role.LINE_MANAGER, at=when + days(5),
                                 decision=Decision.Kind.WITHDRAWN, from_stage=Stage.DRAFT, to_stage=Stage.WITHDRAWN,
                                 comment=case.withdrawal_reason))
        if case.stage == Stage.DECLINED:
            rows.append(Decision(case=case, actor_id=people.director.pk, role=Role.OPERATIONAL_DIRECTOR,
                                 at=when + days(5), decision=Decision.Kind.DECLINED, from_stage=Stage.RECOMMENDED,
                                 to_stage=Stage.DECLINED, comment=case.return_reasons))
        return rows
