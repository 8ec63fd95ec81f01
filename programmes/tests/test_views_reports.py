"""The dashboards and the mentor directory through HTTP: who sees what, filters, suppression, and a
constant number of queries at two data sizes."""

from __future__ import annotations

import datetime
import io
import re

import pytest
from django.urls import reverse
from openpyxl import load_workbook

from preceptorship.models import Membership
from preceptorship.tests.factories import TeamFactory, person, profession
from programmes.models import Enrolment, Evaluation
from programmes.reporting.measures import SUPPRESSED
from programmes.tests.exports_reading import csv_rows, xlsx_rows
from programmes.tests.factories_reports import (
    ReportEnrolmentFactory,
    ReportProgrammeFactory,
    held_review,
    rebuild_figures,
)

Role = Membership.Role


@pytest.fixture
def this_month(today: datetime.date) -> datetime.date:
    return today.replace(day=1)


@pytest.fixture
def lead(organisation):
    return person(organisation, Role.PROGRAMME_LEAD, first_name="Lena", last_name="Lead")


@pytest.fixture
def ics_lead(organisation):
    return person(organisation, Role.ICS_LEAD)


@pytest.fixture
def programme(organisation):
    return ReportProgrammeFactory(organisation=organisation, name="Occupational therapy preceptorship")


@pytest.fixture
def mentor(organisation):
    return person(organisation, Role.MENTOR, first_name="Morag", last_name="Mentor",
                  profession=profession("occupational-therapy"))


def _enrol(programme, mentor, n, start_date, **fields):
    return [ReportEnrolmentFactory(programme=programme, mentor=mentor, start_date=start_date, **fields)
            for _ in range(n)]


def _client(client, user):
    client.force_login(user)
    return client


def test_the_lead_sees_their_organisations_figures_and_not_the_neighbours(
    client, lead, programme, mentor, other_organisation, this_month
):
    _enrol(programme, mentor, 7, this_month)
    _enrol(ReportProgrammeFactory(organisation=other_organisation, name="Neighbours' programme"),
           person(other_organisation, Role.MENTOR), 9, this_month)
    page = _client(client, lead).get(reverse("programmes:dashboard")).content.decode()
    assert "Active enrolments now" in page
    assert 'figure-value">7<' in page  # active now
    assert 'figure-value">9<' not in page
    assert "Neighbours&#x27; programme" not in page and "Neighbours' programme" not in page
    assert 'role="img"' in page and "Show the numbers for" in page


def test_the_filter_lists_the_leads_own_programmes_and_teams_and_every_profession(
    client, lead, programme, organisation, other_organisation
):
    """Each of the three lists keeps its own choices, in order of name, a team named with its
    organisation, and a choice is still checked against the lead's own."""
    TeamFactory(organisation=organisation, name="Wards B")
    TeamFactory(organisation=organisation, name="Wards A")
    neighbours = TeamFactory(organisation=other_organisation, name="Neighbours' wards")
    ReportProgrammeFactory(organisation=other_organisation, name="Neighbours' programme")
    page = _client(client, lead).get(reverse("programmes:dashboard")).content.decode()
    team_select = page.split('name="team"')[1].split("</select>")[0]
    assert re.findall(r"<option[^>]*>([^<]*)", team_select) == [
        "All teams", f"Wards A ({organisation.name})", f"Wards B ({organisation.name})"]
    programme_select = page.split('name="programme"')[1].split("</select>")[0]
    assert re.findall(r"<option[^>]*>([^<]*)", programme_select) == ["All programmes", programme.name]
    assert profession("nursing").name in page.split('name="profession"')[1].split("</select>")[0]
    chosen = client.get(reverse("programmes:dashboard"), {"team": neighbours.pk}).content.decode()
    assert "Select a valid choice" in chosen


def _headline(page: str, label: str) -> str:
    found = re.search(r'figure-value">([^<]*)</span>\s*<span class="app-dashboard__figure-label">' + re.escape(label),
                      page)
    assert found, label
    return found.group(1)


def test_the_lead_sees_their_own_small_numbers_in_full_but_not_the_anonymous_evaluation(
    client, lead, programme, mentor, this_month
):
    """Three people, whose names the lead's enrolment download lists anyway: their dashboard and
    home page show 3, not "fewer than 5"; the evaluation answers, anonymous, stay hidden."""
    enrolments = _enrol(programme, mentor, 3, this_month, next_review_due=this_month)
    Evaluation.objects.create(enrolment=enrolments[0], support_received=4, confidence_now=4, protected_time=3,
                              would_recommend=Evaluation.Recommend.YES)
    rebuild_figures()
    logged_in = _client(client, lead)
    page = logged_in.get(reverse("programmes:dashboard")).content.decode()
    assert _headline(page, "Active enrolments now") == "3" and _headline(page, "Reviews overdue now") == "3"
    assert "Fewer than 5 people: not shown" not in page  # no hatched chart mark
    evaluation = page.split("Programme evaluation (aggregates")[1]
    assert SUPPRESSED in evaluation
    home = logged_in.get(reverse("home")).content.decode()
    assert 'figure-value">3<' in home and SUPPRESSED not in home
    summary_rows = {row[0]: row[2] for row in csv_rows(
        logged_in.get(reverse("programmes:dashboard-export", args=["summary", "csv"])))}
    assert summary_rows["active_now"] == "3" and summary_rows["reviews_overdue_now"] == "3"
    answers = csv_rows(logged_in.get(reverse("programmes:dashboard-export", args=["evaluation", "csv"])))
    assert SUPPRESSED in answers[1]


def test_the_ics_lead_sees_the_same_small_numbers_hidden(client, ics_lead, programme, mentor, organisation,
                                                        this_month):
    _enrol(programme, mentor, 3, this_month, next_review_due=this_month)
    logged_in = _client(client, ics_lead)
    page = logged_in.get(reverse("programmes:ics-organisation", args=[organisation.pk])).content.decode()
    assert SUPPRESSED in page
    assert "Fewer than 5 people: not shown" in page  # the chart legend explains the hatched marks
    rows = {row[0]: row for row in csv_rows(logged_in.get(reverse("programmes:ics-export",
                                                                  args=["organisations", "csv"])))}
    assert rows[organisation.name][1] == SUPPRESSED
    assert 'figure-value">3<' not in logged_in.get(reverse("home")).content.decode()


def test_filters_apply_and_a_bad_filter_shows_an_error_not_a_500(client, lead, programme, mentor, organisation, this_month):
    other = ReportProgrammeFactory(organisation=organisation, name="Physiotherapy preceptorship")
    _enrol(programme, mentor, 6, this_month)
    _enrol(other, mentor, 8, this_month)
    logged_in = _client(client, lead)
    page = logged_in.get(reverse("programmes:dashboard"), {"programme": other.pk}).content.decode()
    assert 'figure-value">8<' in page and 'figure-value">14<' not in page
    page = logged_in.get(reverse("programmes:dashboard"), {
        "programme": "999999", "date_from_0": "31", "date_from_1": "2", "date_from_2": "2026",
    })
    assert page.status_code == 200
    assert "Select a valid choice" in page.content.decode()
    assert "Enter a real date" in page.content.decode()


def test_a_period_ending_before_it_starts_is_refused(client, lead):
    page = _client(client, lead).get(reverse("programmes:dashboard"), {
        "date_from_0": "1", "date_from_1": "6", "date_from_2": "2026",
        "date_to_0": "1", "date_to_1": "1", "date_to_2": "2026",
    }).content.decode()
    assert "The end of the period must be after its start" in page


def test_the_lead_downloads_a_table_as_excel_with_filters(client, lead, programme, mentor, organisation, this_month):
    other = ReportProgrammeFactory(organisation=organisation)
    _enrol(programme, mentor, 6, this_month)
    _enrol(other, mentor, 5, this_month)  # 1 to 4 would make the 6 give them away (secondary suppression)
    response = _client(client, lead).get(
        reverse("programmes:dashboard-export", args=["monthly", "xlsx"]), {"programme": programme.pk}
    )
    assert response.status_code == 200
    assert response["Content-Disposition"].startswith('attachment; filename="monthly-')
    sheet = load_workbook(io.BytesIO(response.content)).active
    rows = list(sheet.values)
    # Each column of figures keeps its place; its flag column, empty while nothing is hidden, is at the end.
    assert rows[0] == ("month", "starts", "completions", "active_enrolments",
                       "starts_hidden", "completions_hidden", "active_enrolments_hidden")
    assert rows[-1] == (f"{this_month:%Y-%m}", 6, 0, 6, None, None, None)


def test_csv_download_of_the_ics_suppresses_small_numbers(client, ics_lead, programme, mentor, organisation,
                                                          this_month):
    _enrol(programme, mentor, 2, this_month)
    response = _client(client, ics_lead).get(reverse("programmes:ics-export", args=["monthly_by_organisation", "csv"]))
    text = response.content.decode("utf-8-sig")
    # A hidden figure is an empty cell in its number column, and the reason is in its flag column.
    assert text.splitlines()[0] == ("organisation,month,starts,completions,active_enrolments,"
                                    "starts_hidden,completions_hidden,active_enrolments_hidden")
    assert f"{organisation.name},{this_month:%Y-%m},,0,,{SUPPRESSED},,{SUPPRESSED}" in text.splitlines()


def test_the_leads_csv_download_holds_their_own_small_numbers(client, lead, programme, mentor, this_month):
    _enrol(programme, mentor, 2, this_month)
    response = _client(client, lead).get(reverse("programmes:dashboard-export", args=["monthly", "csv"]))
    assert response.content.decode("utf-8-sig").splitlines()[-1] == f"{this_month:%Y-%m},2,0,2,,,"


def test_unknown_table_or_format_is_404(client, lead):
    logged_in = _client(client, lead)
    assert logged_in.get(reverse("programmes:dashboard-export", args=["nope", "csv"])).status_code == 404
    assert logged_in.get(reverse("programmes:dashboard-export", args=["monthly", "pdf"])).status_code == 404


def test_people_without_the_role_are_refused(client, organisation, mentor, ics_lead):
    practitioner = person(organisation, Role.PRACTITIONER)
    assert _client(client, practitioner).get(reverse("programmes:dashboard")).status_code == 403
    assert _client(client, mentor).get(reverse("programmes:ics-dashboard")).status_code == 403
    assert _client(client, ics_lead).get(reverse("programmes:dashboard")).status_code == 403
    assert _client(client, practitioner).get(reverse("programmes:mentor-directory")).status_code == 403


def test_the_ics_lead_compares_organisations_without_personal_records(
    client, ics_lead, programme, mentor, other_organisation, far_organisation, this_month
):
    preceptees = _enrol(programme, mentor, 6, this_month)
    _enrol(ReportProgrammeFactory(organisation=other_organisation), person(other_organisation, Role.MENTOR), 2, this_month)
    _enrol(ReportProgrammeFactory(organisation=far_organisation), person(far_organisation, Role.MENTOR), 11, this_month)
    page = _client(client, ics_lead).get(reverse("programmes:ics-dashboard")).content.decode()
    assert programme.organisation.name in page and other_organisation.name in page
    assert far_organisation.name not in page
    assert ">11<" not in page
    assert SUPPRESSED in page  # the neighbours' two
    for enrolment in preceptees:
        assert enrolment.preceptee.email not in page
        assert enrolment.preceptee.last_name not in page


def test_the_ics_lead_downloads_the_organisations_side_by_side(client, ics_lead, programme, mentor, other_organisation, this_month):
    _enrol(programme, mentor, 6, this_month)
    response = _client(client, ics_lead).get(reverse("programmes:ics-export", args=["organisations", "xlsx"]))
    rows = list(xlsx_rows(response))
    assert rows[0][:3] == ("organisation", "active_now", "starts")
    found = {row[0]: row for row in rows[1:]}
    assert found[programme.organisation.name][1] == 6
    assert found[other_organisation.name][1] == 0


def test_mentor_directory_by_profession_across_the_ics(client, ics_lead, mentor, other_organisation, far_organisation):
    podiatrist = person(other_organisation, Role.MENTOR, first_name="Piers", last_name="Podiatrist",
                        profession=profession("podiatry"))
    person(far_organisation, Role.MENTOR, first_name="Fay", last_name="Faraway", profession=profession("podiatry"))
    logged_in = _client(client, ics_lead)
    page = logged_in.get(reverse("programmes:mentor-directory"), {"profession": profession("podiatry").pk})
    text = page.content.decode()
    assert str(podiatrist) in text and other_organisation.name in text
    assert f'href="mailto:{podiatrist.email}"' in text  # a way to ask them, across organisations
    assert "Faraway" not in text and "Morag" not in text
    everyone = logged_in.get(reverse("programmes:mentor-directory")).content.decode()
    assert "Morag" in everyone


def test_the_dashboard_and_directory_take_the_same_queries_at_two_sizes(
    client, lead, ics_lead, programme, mentor, organisation, django_assert_num_queries, this_month
):
    def load(size):
        for enrolment in _enrol(programme, mentor, size, this_month - datetime.timedelta(days=100)):
            held_review(enrolment, 1, due=this_month, held=this_month)
        for _ in range(size):
            person(organisation, Role.MENTOR)
            TeamFactory(organisation=organisation)  # a filter choice each

    load(2)
    rebuild_figures()
    client.force_login(lead)
    # Session and user (2), memberships (1), the figures, first mentors, progression cases at each
    # stage and the count of people waiting to be offered preceptorship, prepared by the rebuild
    # for the default view (1), the header's unread count (1), the filter form's programme,
    # profession and team choices, a plain query each (3).
    with django_assert_num_queries(8) as first:
        client.get(reverse("programmes:dashboard"))
    load(25)
    rebuild_figures()
    with django_assert_num_queries(len(first.captured_queries)):
        client.get(reverse("programmes:dashboard"))
    client.force_login(ics_lead)
    # Session, user, memberships (3), the figures prepared by the rebuild for the default view (1),
    # the unread count (1), profession choices (1).
    with django_assert_num_queries(6) as ics_first:
        client.get(reverse("programmes:ics-dashboard"))
    load(10)
    rebuild_figures()
    with django_assert_num_queries(len(ics_first.captured_queries)):
        client.get(reverse("programmes:ics-dashboard"))
    # Session, user, memberships (3), the ICS's organisations (1), the count and the page of mentors
    # with their loads (2), the unread count (1), profession choices (1).
    with django_assert_num_queries(8) as directory:
        client.get(reverse("programmes:mentor-directory"))
    load(10)
    with django_assert_num_queries(len(directory.captured_queries)):
        client.get(reverse("programmes:mentor-directory"))


def test_the_lead_home_page_shows_the_dashboard_summary_and_the_nav_link(client, lead, programme, mentor, this_month):
    _enrol(programme, mentor, 5, this_month)
    page = _client(client, lead).get(reverse("home")).content.decode()
    assert "Your dashboard" in page and "Open the dashboard" in page
    assert f'href="{reverse("programmes:dashboard")}"' in page
    assert Enrolment.objects.count() == 5


def test_the_ics_lead_has_each_organisations_tables_side_by_side(client, ics_lead, programme, mentor,
                                                                  other_organisation, this_month):
    _enrol(programme, mentor, 6, this_month)
    logged_in = _client(client, ics_lead)
    page = logged_in.get(reverse("programmes:ics-dashboard")).content.decode()
    assert "Withdrawals in the first 12 months by organisation and reason" in page
    response = logged_in.get(reverse("programmes:ics-export", args=["monthly_by_organisation", "csv"]))
    lines = response.content.decode("utf-8-sig").splitlines()
    assert lines[0] == ("organisation,month,starts,completions,active_enrolments,"
                        "starts_hidden,completions_hidden,active_enrolments_hidden")
    assert f"{programme.organisation.name},{this_month:%Y-%m},6,0,6,,," in lines
    assert f"{other_organisation.name},{this_month:%Y-%m},0,0,0,,," in lines
    scores = logged_in.get(reverse("programmes:ics-export", args=["scores_by_organisation", "xlsx"]))
    assert list(xlsx_rows(scores))[0] == (
        "organisation", "review_number", "mean_wellbeing", "mean_confidence")
