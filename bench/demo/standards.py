"""The demo council's own copy of the AHP preceptorship standards, made and changed by its programme
lead through the services: protected caseload switched on (the council's occupational therapy
programme protects 60% for the first 12 months, and one preceptee's review recorded 70%), and
preceptor time switched on at 12 hours a year for each preceptee. The national sets give no figure
for either; these are the council's own choices, fictional. Runs after ``bench.demo.practice`` and
``bench.demo.preceptors``; running it again changes nothing."""

from __future__ import annotations

import datetime
from typing import Any

from programmes.reporting import services
from programmes.reporting.models import Criterion, RuleKind, StandardSet

PRECEPTOR_HOURS = 12


def build(*, directory: Any, today: datetime.date) -> None:
    council, lead = directory.organisations["council"], directory.users["council_lead"]
    national = StandardSet.objects.filter(organisation__isnull=True, name__startswith="AHP").first()
    if national is None or StandardSet.objects.filter(organisation=council, code=national.code).exists():
        return
    copy = services.standard_set_copy(actor=lead, standard_set=national, organisation=council)
    for criterion in Criterion.objects.filter(standard_set=copy, kind=RuleKind.PROTECTED_CASELOAD):
        services.criterion_change(actor=lead, criterion=criterion, parameter=None, enabled=True)
    for criterion in Criterion.objects.filter(standard_set=copy, kind=RuleKind.PRECEPTOR_TIME):
        services.criterion_change(actor=lead, criterion=criterion, parameter=PRECEPTOR_HOURS, enabled=True)
