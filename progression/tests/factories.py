from __future__ import annotations

import factory

from preceptorship.models import Membership, Organisation, Team, User
from preceptorship.tests.factories import person, profession
from progression import services
from progression.models import Competency, Framework, ProgressionCase, Section

Role = Membership.Role


class FrameworkFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Framework

    name = factory.Sequence(lambda n: f"Test framework {n}")
    slug = factory.Sequence(lambda n: f"test-framework-{n}")
    version = 1
    status = Framework.Status.PUBLISHED


class SectionFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Section

    framework = factory.SubFactory(FrameworkFactory)
    title = factory.Sequence(lambda n: f"Section {n}")
    order = factory.Sequence(lambda n: n)


class CompetencyFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Competency

    section = factory.SubFactory(SectionFactory)
    code = factory.Sequence(lambda n: f"C{n}")
    statement = factory.Sequence(lambda n: f"Does thing {n} well.")
    order = factory.Sequence(lambda n: n)


def small_framework(*, owner: Organisation | None = None, status: str = Framework.Status.PUBLISHED) -> Framework:
    """Two sections of two competencies; the second section is required for sign-off."""
    framework = FrameworkFactory(owner=owner, status=status)
    entry = SectionFactory(framework=framework, title="Entry", order=1)
    key = SectionFactory(framework=framework, title="Key", order=2, required_for_sign_off=True)
    for section in (entry, key):
        for order in (1, 2):
            CompetencyFactory(section=section, code=f"{section.title[0]}{order}", order=order)
    return framework


def shipped(slug: str = "social-worker-range-6-to-7") -> Framework:
    return Framework.objects.get(slug=slug, version=1)


class Cast:
    """Everyone around one practitioner's case, in one organisation."""

    def __init__(self, organisation: Organisation, team: Team, *, email_prefix: str = "") -> None:
        """``email_prefix`` tells a second cast's people apart from the first's."""
        self.organisation = organisation
        self.team = team
        sw = profession("social-work")
        at = f"@{email_prefix}example.org"
        self.practitioner = person(organisation, Role.PRACTITIONER, team=team, email=f"worker{at}", profession=sw)
        self.manager = person(organisation, Role.LINE_MANAGER, team=team, email=f"manager{at}")
        self.hos = person(organisation, Role.HEAD_OF_SERVICE, team=team, email=f"hos{at}")
        self.director = person(organisation, Role.OPERATIONAL_DIRECTOR, email=f"director{at}")
        self.hr = person(organisation, Role.HR, email=f"hr{at}")
        self.colleague = person(organisation, Role.PRACTITIONER, team=team, email=f"colleague{at}")
        self.lead = person(organisation, Role.PROGRAMME_LEAD, email=f"lead{at}")

    def open_case(self, framework: Framework | None = None) -> ProgressionCase:
        return services.progression_case_open(
            actor=self.manager, practitioner=self.practitioner, framework=framework or small_framework(),
            target_role="Advanced Practitioner, Range 7", head_of_service=self.hos,
            organisation=self.organisation, team=self.team,
        )


def evidence_required(case: ProgressionCase, actor: User) -> None:
    """The framework's number of dated pieces of evidence for each competency of the required sections."""
    import datetime

    required = list(Competency.objects.filter(section__framework=case.framework, section__required_for_sign_off=True)
                    .select_related("section"))
    for number in range(case.framework.evidence_per_competency):
        services.evidence_add(actor=actor, case=case, title=f"Supervision example {number + 1}",
                              example_date=datetime.date(2024, 1, 1), description="Seen in supervision.",
                              competencies=required)


def agree(case: ProgressionCase) -> ProgressionCase:
    """The practitioner reads the table and agrees (again, after a return cleared their statement)."""
    return services.progression_case_statement(actor=case.practitioner, case=case, agrees=True)


def mark_required(case: ProgressionCase, manager: User, *, statement: bool = True) -> None:
    """Everything a case needs before it can be submitted: the required sections evidenced and reached,
    then the practitioner's statement (``statement=False`` leaves it out)."""
    import datetime

    evidence_required(case, manager)
    for competency in Competency.objects.filter(section__framework=case.framework, section__required_for_sign_off=True):
        services.competency_mark(actor=manager, case=case, competency=competency, status="reached",
                                 reached_on=datetime.date(2024, 1, 1), comment="Seen in supervision.")
    if statement:
        case.refresh_from_db()
        services.progression_case_statement(actor=case.practitioner, case=case, agrees=True)
    case.refresh_from_db()
