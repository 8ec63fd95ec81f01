"""Demo self-assessment: the council's own self-assessed copy of the social worker framework, and one
case on it where the practitioner has rated every competency, their manager has marked them, one
disagreement is settled and two wait for the manager.

``build(directory=, today=)`` runs after ``bench.demo.progression``. Everything goes through the
services a person would use; running it again changes nothing. All names are fictional.
"""

from __future__ import annotations

import datetime
from typing import Any

from django.db import transaction

from bench.demo.progression import SW, TARGET, _practitioner
from progression import frameworks_io, services
from progression.models import Competency, Framework, ProgressionCase
from progression.selectors import framework_with_content

SLUG = "council-social-worker-self-assessed"
PRACTITIONER = ("practitioner_sw_self", "Nadia", "Corbett", "social-work", "council-north")


def _framework(lead: Any, council: Any) -> Framework:
    framework = Framework.objects.filter(slug=SLUG, status=Framework.Status.PUBLISHED).first()
    if framework is not None:
        return framework
    shipped = framework_with_content(Framework.objects.filter(slug=SW, status=Framework.Status.PUBLISHED)).get()
    data = frameworks_io.export_data([shipped])[0]
    data.update(slug=SLUG, version=None, name=f"{shipped.name} (self-assessed)",
                source="The council's copy of the shipped framework, rated by the worker and the manager")
    framework = services.framework_import(actor=lead, data=frameworks_io.normalise(data), owner=council,
                                          publish=True)
    return services.framework_set_self_assessment(actor=lead, framework=framework, self_assessed=True)


def build(*, directory: Any, today: datetime.date) -> ProgressionCase:
    users = directory.users
    council = directory.organisations["council"]
    key, first, last, profession, team_key = PRACTITIONER
    practitioner = _practitioner(first, last, profession, council, directory.teams[team_key], today,
                                 password_hash=users["practitioner_sw"].password)
    with transaction.atomic():
        framework = _framework(users["council_lead"], council)
        existing = ProgressionCase.objects.filter(practitioner=practitioner, framework=framework).first()
        if existing is not None:
            return existing
        return _case(users, framework, practitioner, council, directory.teams[team_key], today)


def _case(users: dict[str, Any], framework: Framework, practitioner: Any, council: Any, team: Any,
          today: datetime.date) -> ProgressionCase:
    manager = users["manager_sw"]
    case = services.progression_case_open(actor=manager, practitioner=practitioner, framework=framework,
                                          target_role=TARGET, head_of_service=users["head_of_service"],
                                          organisation=council, team=team)
    competencies = list(Competency.objects.filter(section__framework=framework).order_by("section__order", "order"))
    services.evidence_add(actor=practitioner, case=case, title="Supervision notes and audited case files",
                          example_date=today - datetime.timedelta(days=40),
                          description="Six months of supervision notes and two audited case files the worker led.",
                          competencies=competencies)
    for n, competency in enumerate(competencies):
        status = "developing" if n in (2, 5) else "reached"
        services.competency_mark(actor=manager, case=case, competency=competency, status=status,
                                 reached_on=None, comment="Seen in supervision and in the audited case files.")
    # The worker rates themselves: higher than the manager on three competencies.
    ratings = {c.pk: "reached" for c in competencies}
    ratings[competencies[7].pk] = "exceeded"
    services.self_assessment_save(actor=practitioner, case=case, ratings=ratings)
    case.refresh_from_db()
    services.disagreement_settle(actor=manager, case=case, competency=competencies[7], outcome="manager",
                                 reason="Reached, and agreed in supervision: exceeding it needs examples of "
                                        "leading others, which come next.")
    return case
