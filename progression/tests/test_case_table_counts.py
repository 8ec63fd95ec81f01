"""The case table's evidence count per competency counts this case's evidence only, in a fixed
number of queries whatever the evidence of other cases (docs/performance.md)."""

from __future__ import annotations

import datetime

import pytest

from preceptorship.models import Membership
from preceptorship.tests.factories import person
from progression import selectors, services
from progression.models import Competency
from progression.tests.factories import mark_required, small_framework

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
    # The case page has read the case's evidence already: the same counts from it, in one query.
    evidence = selectors.case_evidence_shown(case)
    with django_assert_num_queries(1):
        table = selectors.case_table(case, evidence)
    assert {row.competency.code: row.evidence_count for section in table for row in section.rows} == counts
    assert sorted(item.codes for item in evidence) == [[first.code], [first.code, second.code]]


def test_the_case_page_shows_each_change_to_the_case_at_once(client, cast):
    """A mark, evidence added or deleted, a worker's comment and a submission each show on the case
    page's next request."""
    case = cast.open_case(small_framework())
    client.force_login(cast.manager)
    assert "Evidence </span>0 of 1 needed</td>" in client.get(case.get_absolute_url()).content.decode()
    row = case.assessments.order_by("competency__section__order", "competency__order").first()
    services.competency_mark(actor=cast.manager, case=case, competency=row.competency, status="developing",
                             reached_on=None, comment="Seen leading the handover")
    assert "Seen leading the handover" in client.get(case.get_absolute_url()).content.decode()
    add_evidence(cast, case, [row.competency], title="Led the ward round")
    mistake = add_evidence(cast, case, [row.competency], title="Added by mistake")
    page = client.get(case.get_absolute_url()).content.decode()
    assert "Evidence </span>2</td>" in page and "No evidence yet" not in page
    assert ">Led the ward round</a>" in page and ">Added by mistake</a>" in page
    services.evidence_delete(actor=cast.manager, evidence=mistake)
    page = client.get(case.get_absolute_url()).content.decode()
    assert "Evidence </span>1</td>" in page and ">Added by mistake</a>" not in page
    services.competency_worker_comment(actor=cast.practitioner, case=case, competency=row.competency,
                                       comment="I chaired it twice")
    assert "I chaired it twice" in client.get(case.get_absolute_url()).content.decode()
    mark_required(case, cast.manager)
    services.progression_case_submit(actor=cast.manager, case=case, comment="Ready for you")
    assert "Ready for you" in client.get(case.get_absolute_url()).content.decode()



def test_each_evidence_item_shows_its_codes_in_the_frameworks_order_from_the_table_or_read(cast):
    framework = small_framework()
    first, second, third, fourth = Competency.objects.filter(section__framework=framework).order_by(
        "section__order", "order")
    case = cast.open_case(framework)
    add_evidence(cast, case, [fourth, first, third])
    in_order = [first.code, third.code, fourth.code]
    [read] = selectors.case_evidence_shown(case)  # the codes read from the framework
    assert read.codes == in_order and read.competency_ids == [first.pk, third.pk, fourth.pk]
    rows = selectors.case_table_values(case)
    [from_table] = selectors.case_evidence_shown(case, [(row["competency_id"], row["competency__code"]) for row in rows])
    assert from_table.codes == in_order
    # Given only part of the framework (say, a competency the table does not hold), the codes are read.
    [partial] = selectors.case_evidence_shown(case, [(first.pk, first.code)])
    assert partial.codes == in_order
