# ruff: noqa: F811 - the fixtures are imported here and named as test arguments
"""The default view of each dashboard is prepared by the rebuild, with the figures it shows: it is
the live computation of the same build, it moves with a change only at the next rebuild, and a lead
of two organisations or a filtered view still works its figures out live."""

from __future__ import annotations

import datetime

from django.urls import reverse

from preceptorship.models import Membership
from preceptorship.tests.factories import UserFactory, person
from programmes.models import PreparedDashboard
from programmes.reporting import pages, prepared, summary
from programmes.reporting.measures import Period
from programmes.tests.exports_reading import csv_rows
from programmes.tests.factories_reports import ReportEnrolmentFactory, ReportProgrammeFactory, rebuild_figures
from programmes.tests.test_views_reports import ics_lead, lead, mentor, programme, this_month  # noqa: F401 (fixtures)
from progression.models import ProgressionCase
from progression.tests.factories import FrameworkFactory

Role = Membership.Role
Kind = PreparedDashboard.Kind


def _enrol(programme, mentor, n, start_date, **fields):
    return [ReportEnrolmentFactory(programme=programme, mentor=mentor, start_date=start_date, **fields)
            for _ in range(n)]


def _page(client, user, name: str, **query: str) -> str:
    client.force_login(user)
    return client.get(reverse(name), query).content.decode()


def test_the_prepared_lead_view_is_the_live_computation_of_the_same_build(client, lead, programme, mentor,
                                                                         organisation, today, this_month):
    _enrol(programme, mentor, 7, this_month)
    _enrol(ReportProgrammeFactory(organisation=organisation), mentor, 3, this_month - datetime.timedelta(days=40))
    rebuild_figures()
    period = prepared.default_period(today)
    built_at, sections = prepared.view(Kind.LEAD, [organisation.pk], period)
    assert built_at == summary.last_build().built_at
    assert sections == pages.lead_sections(pages.lead_figures([organisation.pk], period, today), [organisation.pk], today)
    earlier = this_month - datetime.timedelta(days=40)
    assert f"{earlier:%b %Y}, Starts: 3" in sections["figures"]  # the lead's own small number, in full
    page = _page(client, lead, "programmes:dashboard")
    for html in sections.values():
        assert html in page
    # Nothing of the viewer: no name, no form token.
    assert "Lena" not in "".join(sections.values()) and "csrf" not in "".join(sections.values())


def test_the_prepared_ics_view_is_the_live_computation_of_the_same_build(client, ics_lead, programme, mentor,
                                                                        organisation, other_organisation, today,
                                                                        this_month):
    _enrol(programme, mentor, 6, this_month)
    _enrol(ReportProgrammeFactory(organisation=other_organisation), person(other_organisation, Role.MENTOR), 2,
           this_month)
    rebuild_figures()
    period = prepared.default_period(today)
    ics = organisation.ics_id
    built_at, sections = prepared.view(Kind.ICS, [ics], period)
    names = prepared.ics_names(ics)
    assert sections == pages.ics_sections(names, pages.ics_figures([ics], names, period, today))
    page = _page(client, ics_lead, "programmes:ics-dashboard")
    assert sections["figures"] in page
    # The same figures as a view the lead asks for (a bound form: worked out live), but for the
    # filters its links carry.
    live = _page(client, ics_lead, "programmes:ics-dashboard", profession="")
    assert sections["figures"] in live.replace("?profession=", "")


def test_a_change_moves_the_prepared_figures_at_the_next_rebuild(client, lead, programme, mentor, this_month):
    _enrol(programme, mentor, 7, this_month)
    rebuild_figures()
    assert PreparedDashboard.objects.filter(kind=Kind.LEAD, key=programme.organisation_id).exists()
    assert 'figure-value">7<' in _page(client, lead, "programmes:dashboard")
    _enrol(programme, mentor, 2, this_month)
    assert 'figure-value">7<' in _page(client, lead, "programmes:dashboard")  # as of the build
    rebuild_figures()
    page = _page(client, lead, "programmes:dashboard")
    assert 'figure-value">9<' in page and 'figure-value">7<' not in page


def test_a_lead_of_two_organisations_sees_both_worked_out_live(client, lead, programme, mentor, organisation,
                                                               other_organisation, this_month, today):
    Membership.objects.create(user=lead, organisation=other_organisation, role=Role.PROGRAMME_LEAD)
    _enrol(programme, mentor, 7, this_month)
    _enrol(ReportProgrammeFactory(organisation=other_organisation), person(other_organisation, Role.MENTOR), 9,
           this_month)
    rebuild_figures()
    assert prepared.view(Kind.LEAD, [organisation.pk, other_organisation.pk], prepared.default_period(today)) is None
    page = _page(client, lead, "programmes:dashboard")
    assert 'figure-value">16<' in page and "Figures as of" in page


def test_a_filtered_view_is_worked_out_live(client, lead, programme, mentor, organisation, this_month):
    other = ReportProgrammeFactory(organisation=organisation, name="Physiotherapy preceptorship")
    _enrol(programme, mentor, 6, this_month)
    _enrol(other, mentor, 8, this_month)
    rebuild_figures()
    assert 'figure-value">14<' in _page(client, lead, "programmes:dashboard")
    page = _page(client, lead, "programmes:dashboard", programme=str(other.pk))
    assert 'figure-value">8<' in page and 'figure-value">14<' not in page
    assert f"?programme={other.pk}" in page  # its downloads carry the filter


def test_another_period_than_the_builds_is_not_prepared(lead, programme, mentor, organisation, today, this_month):
    _enrol(programme, mentor, 6, this_month)
    rebuild_figures()
    assert prepared.view(Kind.LEAD, [organisation.pk], Period.last_months(6, today)) is None


def test_the_dashboard_lists_the_first_mentors_and_the_download_all(client, lead, organisation, programme, mentor):
    for i in range(pages.MENTORS_SHOWN + 3):
        person(organisation, Role.MENTOR, last_name=f"Mentor{i:02d}")
    rebuild_figures()
    page = _page(client, lead, "programmes:dashboard")
    assert f"The first {pages.MENTORS_SHOWN} mentors" in page and reverse("programmes:mentor-directory") in page
    response = client.get(reverse("programmes:dashboard-export", args=["mentors", "csv"]))
    rows = list(csv_rows(response))[1:]
    assert len(rows) == pages.MENTORS_SHOWN + 4  # every mentor, the fixture's too


def test_a_case_changing_stage_moves_the_prepared_progression_cases_at_the_next_rebuild(client, lead, organisation):
    manager = person(organisation, Role.LINE_MANAGER)
    head = person(organisation, Role.HEAD_OF_SERVICE)
    cases = [ProgressionCase.objects.create(
        practitioner=UserFactory(), organisation=organisation, framework=FrameworkFactory(), target_role="Advanced",
        line_manager=manager, head_of_service=head, opened_by=manager, stage=ProgressionCase.Stage.DRAFT,
    ) for _ in range(4)]
    rebuild_figures()
    drafts, submitted = "<title>Draft: 4</title>", "<title>With the Head of Service: 4</title>"
    assert drafts in _page(client, lead, "programmes:dashboard")
    ProgressionCase.objects.filter(pk__in=[case.pk for case in cases]).update(stage=ProgressionCase.Stage.SUBMITTED)
    assert drafts in _page(client, lead, "programmes:dashboard")  # as of the build
    rebuild_figures()
    page = _page(client, lead, "programmes:dashboard")
    assert submitted in page and drafts not in page
