"""The case table's evidence count per competency counts this case's evidence only, in a fixed
number of queries whatever the evidence of other cases (docs/performance.md)."""

from __future__ import annotations

import datetime

import pytest

from preceptorship.models import Membership
from preceptorship.tests.factories import person
from progression import selectors, services
from progression.models import Competency
from progression.tests.factories import small_framework

pytestmark = pytest.mark.django_db


def add_evidence(cast, case, competencies, title="Example"):
    return services.evidence_add(actor=cast.manager, case=case, title=title, example_date=datetime.date(2024, 3, 1),
                                 description="What happened.", competencies=competencies)


def test_each_row_counts_only_this_cases_evidence(cast, organisation, team, django_assert_num_queries):
    framework = small_framework()
    first, second, third, fourth = Competency.objects.filter(section__framework=framework).order_by(
        "section__order", "order")
    case = cast.open_case(framework)
    add_evidence(cast, case, [first, second])
    add_evidence(cast, case, [first])
    other_worker = person(organisation, Membership.Role.PRACTITIONER, team=team, email="other@example.org")
    other = services.progression_case_open(
        actor=cast.manager, practitioner=other_worker, framework=framework, target_role="Range 7",
        head_of_service=cast.hos, organisation=organisation, team=team)
    for _ in range(3):
        add_evidence(cast, other, [first, third])

    # One query: the assessments with their competency, section, marker and evidence count.
    with django_assert_num_queries(1):
        table = selectors.case_table(case)
    counts = {row.competency.code: row.evidence_count for section in table for row in section.rows}
    assert counts == {first.code: 2, second.code: 1, third.code: 0, fourth.code: 0}
