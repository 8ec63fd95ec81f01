"""Secondary suppression: a figure hidden for fewer than five people cannot be worked out from the
total and the other cells of its table, on the dashboards, in their downloads or on the home page."""

from __future__ import annotations

import datetime
import html
import re

import pytest
from django.urls import reverse

from preceptorship.models import Membership
from preceptorship.tests.factories import person, profession
from programmes.models import Enrolment
from programmes.reporting import measures
from programmes.reporting.measures import SUPPRESSED, Figure, count
from programmes.tests.exports_reading import csv_rows, xlsx_rows
from programmes.tests.factories_reports import ReportEnrolmentFactory, ReportProgrammeFactory

Role = Membership.Role
PROTECTED = "not shown (protects a small number)"


def _hidden(found: dict) -> dict:
    return {name: figure.label for name, figure in found.items() if figure.hidden}


# The rule.


def test_one_hidden_cell_hides_the_smallest_other_non_zero_cell():
    cells = {"a": count(3), "b": count(10), "c": count(20), "none": count(0), "total": count(33)}
    found = measures.protect(cells, [(["a", "b", "c", "none"], "total")])
    assert _hidden(found) == {"a": SUPPRESSED, "b": PROTECTED}


def test_two_hidden_cells_need_nothing_more():
    cells = {"a": count(3), "b": count(2), "c": count(20), "total": count(25)}
    found = measures.protect(cells, [(["a", "b", "c"], "total")])
    assert _hidden(found) == {"a": SUPPRESSED, "b": SUPPRESSED}


def test_a_group_without_a_hidden_cell_is_left_alone():
    cells = {"a": count(5), "b": count(0), "total": count(5)}
    assert _hidden(measures.protect(cells, [(["a", "b"], "total")])) == {}


def test_the_total_is_hidden_when_no_other_cell_can_be():
    # Three people's hours against a total that has more people behind it: the other cells are zero.
    cells = {"small": Figure(6, 3, "hours"), "none": Figure(0, 0, "hours"), "total": Figure(6, 9, "hours")}
    found = measures.protect(cells, [(["small", "none"], "total")])
    assert _hidden(found) == {"small": SUPPRESSED, "total": PROTECTED}


def test_a_cell_hidden_for_protection_is_protected_in_the_group_it_totals():
    """An organisation's starts hidden beside the system's total would be the sum of its months."""
    cells = {
        "a": count(3), "b": count(10), "system": count(13),
        "b-january": count(5), "b-february": count(5), "b-march": count(0),
    }
    found = measures.protect(cells, [(["a", "b"], "system"), (["b-january", "b-february", "b-march"], "b")])
    assert _hidden(found) == {"a": SUPPRESSED, "b": PROTECTED, "b-january": PROTECTED}


def test_a_protected_figure_says_why_on_pages_charts_and_files():
    figure = Figure(10, 10, protects=True)
    assert str(figure) == PROTECTED
    assert figure.export_value() == PROTECTED
    assert figure.number is None and figure.hidden and not figure.suppressed


def test_those_not_offered_preceptorship_cannot_be_worked_out():
    rows = measures.protect_offer([measures.OfferRow("Home Council", "Podiatry", count(10), count(8))])
    assert str(rows[0].offered) == PROTECTED  # 10 - 8 would give the two who were not offered
    assert rows[0].newly_registered.value == 10 and rows[0].offer == "some"


def test_a_share_of_people_beside_its_denominator_hides_a_small_numerator_or_remainder():
    assert str(measures.share(2, 10)) == PROTECTED  # 20% of 10 active enrolments gives the 2
    assert str(measures.share(8, 10)) == PROTECTED  # and 80% gives the 2 left out
    assert str(measures.share(3, 4)) == SUPPRESSED
    assert str(measures.share(5, 10)) == "50%" and str(measures.share(0, 10)) == "0%"


# Through HTTP.


def _enrol(organisation, n: int, start_date: datetime.date) -> None:
    programme = ReportProgrammeFactory(organisation=organisation)
    mentor = person(organisation, Role.MENTOR)
    for _ in range(n):
        ReportEnrolmentFactory(programme=programme, mentor=mentor, start_date=start_date)


def _row(page: str, name: str) -> list[str]:
    """The cells of the first table row headed ``name``."""
    row = re.search(rf'<th scope="row" class="nhsuk-table__header">{re.escape(html.escape(name))}</th>(.*?)</tr>',
                    page, re.S)
    assert row, name
    return [html.unescape(cell.strip()) for cell in re.findall(r"<td[^>]*>(.*?)</td>", row.group(1), re.S)]


@pytest.fixture
def this_month(today: datetime.date) -> datetime.date:
    return today.replace(day=1)


def test_the_ics_dashboard_and_its_files_hide_a_second_organisation_beside_the_systems_total(
    client, organisation, other_organisation, this_month
):
    """3 people in one organisation, 10 in the other: the home page shows the system's 13, so the
    10 must not show anywhere or 13 - 10 gives the 3."""
    _enrol(organisation, 3, this_month)
    _enrol(other_organisation, 10, this_month)
    client.force_login(person(organisation, Role.ICS_LEAD))

    home = client.get(reverse("home")).content.decode()
    assert 'figure-value">13<' in home  # active now and starts, the whole system

    page = client.get(reverse("programmes:ics-dashboard")).content.decode()
    small, large = _row(page, organisation.name), _row(page, other_organisation.name)
    assert small[:2] == [SUPPRESSED] * 2  # active now and starts
    assert large[0] == PROTECTED and large[1] == PROTECTED  # active now and starts
    assert "10" not in large
    assert f"{other_organisation.name}: 10" not in page  # no chart bar of 10 either

    response = client.get(reverse("programmes:ics-export", args=["organisations", "csv"]))
    rows = {row[0]: row for row in csv_rows(response)}
    assert rows[other_organisation.name][1:3] == [PROTECTED, PROTECTED]
    assert rows[organisation.name][1:3] == [SUPPRESSED, SUPPRESSED]

    response = client.get(reverse("programmes:ics-export", args=["organisations", "xlsx"]))
    sheet = {row[0]: row for row in xlsx_rows(response)}
    assert sheet[other_organisation.name][1:3] == (PROTECTED, PROTECTED)

    # Nor is the 10 the sum of that organisation's months.
    response = client.get(reverse("programmes:ics-export", args=["monthly_by_organisation", "csv"]))
    months = [row for row in csv_rows(response)
              if row[0] == other_organisation.name]
    assert [row[2] for row in months if row[1] == f"{this_month:%Y-%m}"] == [PROTECTED]
    assert "10" not in [row[2] for row in months]


def test_an_organisation_of_the_ics_hides_a_second_month_beside_its_starts(client, organisation, this_month):
    """10 starts last month and 3 this month: the ICS dashboard shows the organisation's 13 starts,
    so last month's 10 must not show on its page, in the chart or in the files."""
    last_month = measures.add_months(this_month, -1)
    programme = ReportProgrammeFactory(organisation=organisation)
    mentor = person(organisation, Role.MENTOR)
    for start, n in ((last_month, 10), (this_month, 3)):
        for _ in range(n):
            ReportEnrolmentFactory(programme=programme, mentor=mentor, start_date=start)
    client.force_login(person(organisation, Role.ICS_LEAD))

    home = client.get(reverse("home")).content.decode()
    assert 'figure-value">13<' in home

    page = client.get(reverse("programmes:ics-organisation", args=[organisation.pk])).content.decode()
    assert f"{last_month:%b %Y}, Starts: {PROTECTED}" in page  # the chart's bar and its table
    assert f"{last_month:%b %Y}, Starts: 10" not in page
    assert f"{this_month:%b %Y}, Starts: {SUPPRESSED}" in page

    response = client.get(reverse("programmes:ics-export", args=["monthly_by_organisation", "csv"]))
    rows = {row[1]: row for row in csv_rows(response)}
    assert rows[f"{last_month:%Y-%m}"][2] == PROTECTED
    assert rows[f"{this_month:%Y-%m}"][2] == SUPPRESSED

    response = client.get(reverse("programmes:ics-export", args=["monthly_by_organisation", "xlsx"]))
    sheet = {row[1]: row for row in xlsx_rows(response)}
    assert sheet[f"{last_month:%Y-%m}"][2] == PROTECTED


def test_the_lead_sees_every_month_of_their_own_organisation(client, organisation, this_month):
    """The same 10 and 3 on the lead's own dashboard: they see every enrolment behind them."""
    last_month = measures.add_months(this_month, -1)
    programme = ReportProgrammeFactory(organisation=organisation)
    for start, n in ((last_month, 10), (this_month, 3)):
        for _ in range(n):
            ReportEnrolmentFactory(programme=programme, start_date=start)
    client.force_login(person(organisation, Role.PROGRAMME_LEAD))
    page = client.get(reverse("programmes:dashboard")).content.decode()
    assert f"{last_month:%b %Y}, Starts: 10" in page and f"{this_month:%b %Y}, Starts: 3" in page
    response = client.get(reverse("programmes:dashboard-export", args=["monthly", "csv"]))
    rows = {row[0]: row for row in csv_rows(response)}
    assert rows[f"{last_month:%Y-%m}"][1] == "10" and rows[f"{this_month:%Y-%m}"][1] == "3"


def test_the_withdrawal_reasons_hide_a_second_reason_beside_the_withdrawals(client, organisation, this_month):
    """3 left the profession and 10 withdrew for another reason: the ICS shows 13 withdrawals."""
    programme = ReportProgrammeFactory(organisation=organisation)
    mentor = person(organisation, Role.MENTOR)
    start = measures.add_months(this_month, -3)
    reasons = [choice for choice, _ in Enrolment.WithdrawalReason.choices]
    for reason, n in ((reasons[0], 3), (reasons[1], 10)):
        for _ in range(n):
            ReportEnrolmentFactory(programme=programme, mentor=mentor, start_date=start,
                                   status="withdrawn", withdrawn_on=this_month, withdrawal_reason=reason)
    labels = dict(Enrolment.WithdrawalReason.choices)
    client.force_login(person(organisation, Role.ICS_LEAD))

    page = client.get(reverse("programmes:ics-organisation", args=[organisation.pk])).content.decode()
    assert f"{html.escape(labels[reasons[1]])}: {PROTECTED}" in page

    response = client.get(reverse("programmes:ics-export", args=["withdrawals_by_organisation", "csv"]))
    rows = {row[1]: row[2] for row in csv_rows(response)}
    assert rows[labels[reasons[0]]] == SUPPRESSED and rows[labels[reasons[1]]] == PROTECTED


def test_the_share_on_multi_professional_programmes_does_not_give_away_two_people(client, organisation, this_month):
    """10 active enrolments, 2 of them on a programme with two professions: 20% of 10 is 2."""
    mentor = person(organisation, Role.MENTOR)
    single = ReportProgrammeFactory(organisation=organisation)
    multi = ReportProgrammeFactory(organisation=organisation,
                                   professions=[profession("occupational-therapy"), profession("podiatry")])
    for programme, n in ((single, 8), (multi, 2)):
        for _ in range(n):
            ReportEnrolmentFactory(programme=programme, mentor=mentor, start_date=this_month)
    client.force_login(person(organisation, Role.ICS_LEAD))

    response = client.get(reverse("programmes:ics-export", args=["organisations", "csv"]))
    rows = {row[0]: row for row in csv_rows(response)}
    assert rows[organisation.name][1] == "10" and rows[organisation.name][-1] == PROTECTED

    client.force_login(person(organisation, Role.PROGRAMME_LEAD))
    response = client.get(reverse("programmes:dashboard-export", args=["summary", "csv"]))
    assert {row[0]: row[2] for row in csv_rows(response)}["multi_professional_percent"] == "20"


def _enrol_profession(organisation, name: str, n: int, start_date: datetime.date) -> None:
    from preceptorship.tests.factories import UserFactory

    programme = ReportProgrammeFactory(organisation=organisation)
    for _ in range(n):
        ReportEnrolmentFactory(programme=programme, start_date=start_date,
                               preceptee=UserFactory(profession=profession(name)))


def test_a_profession_filter_does_not_give_away_the_other_profession(client, organisation, this_month):
    """3 podiatrists and 10 occupational therapists: the unfiltered ICS dashboard and the home page
    show 13, so the occupational therapists' own view must not show their 10."""
    _enrol_profession(organisation, "podiatry", 3, this_month)
    _enrol_profession(organisation, "occupational-therapy", 10, this_month)
    client.force_login(person(organisation, Role.ICS_LEAD))
    assert 'figure-value">13<' in client.get(reverse("home")).content.decode()

    def counts(name: str) -> list[str]:
        response = client.get(reverse("programmes:ics-export", args=["organisations", "csv"]),
                              {"profession": profession(name).pk})
        return {row[0]: row for row in csv_rows(response)}[organisation.name][1:3]  # active now, starts

    assert counts("occupational-therapy") == [PROTECTED, PROTECTED]
    assert counts("podiatry") == [SUPPRESSED, SUPPRESSED]
    page = client.get(reverse("programmes:ics-dashboard"), {"profession": profession("occupational-therapy").pk})
    assert _row(page.content.decode(), organisation.name)[0] == PROTECTED


def test_a_profession_filter_does_not_give_away_the_other_professions_progression_cases(client, organisation):
    """10 occupational therapists' cases submitted, 20 physiotherapists' and 3 podiatrists': the
    unfiltered ICS dashboard shows 33, so the 10 and the 20 must not both show."""
    from preceptorship.tests.factories import UserFactory
    from progression.models import ProgressionCase
    from progression.tests.factories import FrameworkFactory

    framework = FrameworkFactory()
    manager = person(organisation, Role.LINE_MANAGER)
    head = person(organisation, Role.HEAD_OF_SERVICE)
    for name, n in (("occupational-therapy", 10), ("physiotherapy", 20), ("podiatry", 3)):
        for _ in range(n):
            ProgressionCase.objects.create(
                practitioner=UserFactory(profession=profession(name)), organisation=organisation,
                framework=framework, target_role="Advanced Practitioner", line_manager=manager,
                head_of_service=head, opened_by=manager, stage=ProgressionCase.Stage.SUBMITTED,
            )
    client.force_login(person(organisation, Role.ICS_LEAD))

    def submitted(parameters: dict) -> str:
        response = client.get(reverse("programmes:ics-export", args=["progression_by_organisation", "csv"]),
                              parameters)
        rows = {row[1]: row for row in csv_rows(response)
                if row[0] == organisation.name}
        return rows[ProgressionCase.Stage.SUBMITTED][3]

    assert submitted({}) == "33"
    assert submitted({"profession": profession("occupational-therapy").pk}) == PROTECTED
    assert submitted({"profession": profession("physiotherapy").pk}) == "20"
    assert submitted({"profession": profession("podiatry").pk}) == SUPPRESSED
    page = client.get(reverse("programmes:ics-dashboard"), {"profession": profession("occupational-therapy").pk})
    stage_row = page.content.decode().split(">Progression cases by organisation and stage</caption>")[1]
    assert _row(stage_row, organisation.name)[1] == PROTECTED  # draft, submitted, ...


def test_three_professions_filtered_in_turn_do_not_give_away_the_small_one(client, organisation, this_month):
    """3, 10 and 20 people: 33 unfiltered, so showing both 10 and 20 would give the 3 away."""
    names = ("podiatry", "occupational-therapy", "physiotherapy")
    for name, n in zip(names, (3, 10, 20), strict=True):
        _enrol_profession(organisation, name, n, this_month)
    client.force_login(person(organisation, Role.ICS_LEAD))

    def starts(parameters: dict) -> str:
        response = client.get(reverse("programmes:ics-export", args=["organisations", "csv"]), parameters)
        return {row[0]: row for row in csv_rows(response)}[organisation.name][2]

    assert starts({}) == "33"
    assert [starts({"profession": profession(name).pk}) for name in names] == [SUPPRESSED, PROTECTED, "20"]


def test_the_lead_filters_their_own_programmes_in_full(client, organisation, this_month):
    """The lead sees every enrolment of their programmes: filtered in turn, 3, 10 and 20."""
    mentor = person(organisation, Role.MENTOR)
    programmes = [ReportProgrammeFactory(organisation=organisation) for _ in range(3)]
    for programme, n in zip(programmes, (3, 10, 20), strict=True):
        for _ in range(n):
            ReportEnrolmentFactory(programme=programme, mentor=mentor, start_date=this_month)
    client.force_login(person(organisation, Role.PROGRAMME_LEAD))

    def starts(parameters: dict) -> str:
        response = client.get(reverse("programmes:dashboard-export", args=["summary", "csv"]), parameters)
        return {row[0]: row[2] for row in csv_rows(response)}["starts"]

    assert starts({}) == "33"
    assert [starts({"programme": programme.pk}) for programme in programmes] == ["3", "10", "20"]
