# ruff: noqa: F811 - the fixtures are imported here and named as test arguments
"""Dashboard figures are cached per person, scope, period and filters until a record they read
changes; the page says when they were worked out. The ICS lead opens one organisation's detail."""

from __future__ import annotations

import pytest
from django.core.cache import cache
from django.urls import reverse
from django.utils import timezone

from preceptorship.models import Membership
from preceptorship.tests.factories import person
from programmes import reporting
from programmes.models import Enrolment
from programmes.tests.factories_reports import ReportEnrolmentFactory, ReportProgrammeFactory, held_review
from programmes.tests.test_views_reports import ics_lead, lead, mentor, programme, this_month  # noqa: F401 (fixtures)

Role = Membership.Role


@pytest.fixture(autouse=True)
def empty_cache():
    cache.clear()
    yield
    cache.clear()


def _enrol(programme, mentor, n, start_date):
    return [ReportEnrolmentFactory(programme=programme, mentor=mentor, start_date=start_date) for _ in range(n)]


def test_the_dashboard_is_worked_out_once_until_a_record_changes(client, lead, programme, mentor,
                                                                  django_assert_max_num_queries, this_month):
    enrolments = _enrol(programme, mentor, 7, this_month)
    client.force_login(lead)
    first = client.get(reverse("programmes:dashboard")).content.decode()
    assert 'figure-value">7<' in first
    assert f"Figures as of {timezone.localtime():%H:}" in first
    # Session, user, memberships, the unread count: nothing of the figures.
    with django_assert_max_num_queries(5):
        again = client.get(reverse("programmes:dashboard")).content.decode()
    assert 'figure-value">7<' in again
    held_review(enrolments[0], 1, due=this_month, held=this_month)  # any change to what the figures read
    _enrol(programme, mentor, 2, this_month)
    assert 'figure-value">9<' in client.get(reverse("programmes:dashboard")).content.decode()
    Enrolment.objects.get(pk=enrolments[1].pk).delete()
    assert 'figure-value">8<' in client.get(reverse("programmes:dashboard")).content.decode()


def test_filters_and_people_have_figures_of_their_own(client, lead, programme, mentor, organisation, this_month):
    _enrol(programme, mentor, 6, this_month)
    other = ReportProgrammeFactory(organisation=organisation, name="Physiotherapy preceptorship")
    _enrol(other, mentor, 8, this_month)
    client.force_login(lead)
    assert 'figure-value">14<' in client.get(reverse("programmes:dashboard")).content.decode()
    filtered = client.get(reverse("programmes:dashboard"), {"programme": programme.pk}).content.decode()
    assert 'figure-value">6<' in filtered and 'figure-value">14<' not in filtered
    # Another lead of another organisation never gets this lead's figures from the cache.
    neighbour = person(ReportProgrammeFactory().organisation, Role.PROGRAMME_LEAD)
    client.force_login(neighbour)
    assert 'figure-value">14<' not in client.get(reverse("programmes:dashboard")).content.decode()


def test_a_bulk_change_without_signals_shows_within_the_cache_time(client, lead, programme, mentor, this_month):
    enrolments = _enrol(programme, mentor, 6, this_month)
    client.force_login(lead)
    elsewhere = ReportProgrammeFactory()
    client.get(reverse("programmes:dashboard"))
    Enrolment.objects.filter(pk=enrolments[0].pk).update(programme=elsewhere)  # an update sends no signal
    assert 'figure-value">6<' in client.get(reverse("programmes:dashboard")).content.decode()  # as of before
    reporting.data_changed()  # what CACHE_SECONDS' expiry does at the latest
    assert 'figure-value">5<' in client.get(reverse("programmes:dashboard")).content.decode()
    assert reporting.CACHE_SECONDS <= 600


def test_the_ics_lead_opens_one_organisations_detail(client, ics_lead, programme, mentor, other_organisation,
                                                     far_organisation, this_month):
    preceptees = _enrol(programme, mentor, 6, this_month)
    client.force_login(ics_lead)
    dashboard = client.get(reverse("programmes:ics-dashboard")).content.decode()
    detail_url = reverse("programmes:ics-organisation", args=[programme.organisation.pk])
    assert f'href="{detail_url}"' in dashboard
    assert "Figures as of" in dashboard
    page = client.get(detail_url, {"profession": ""})
    assert page.status_code == 200
    text = page.content.decode()
    assert programme.organisation.name in text
    for caption in ("Starts, completions and active enrolments by month", "Withdrawals in the first 12 months",
                    "Wellbeing and confidence by review", "Programme evaluation", "Progression cases by stage"):
        assert caption in text
    assert f"<th scope=\"row\" class=\"nhsuk-table__header\">{this_month:%Y-%m}</th>" in text
    for enrolment in preceptees:
        assert enrolment.preceptee.email not in text and enrolment.preceptee.last_name not in text
    assert client.get(reverse("programmes:ics-organisation", args=[other_organisation.pk])).status_code == 200
    assert client.get(reverse("programmes:ics-organisation", args=[far_organisation.pk])).status_code == 404
    assert client.get(reverse("programmes:ics-organisation", args=[987654])).status_code == 404


def test_the_ics_dashboard_shows_cases_by_stage_per_organisation(client, ics_lead, programme, mentor, this_month):
    _enrol(programme, mentor, 6, this_month)
    client.force_login(ics_lead)
    text = client.get(reverse("programmes:ics-dashboard")).content.decode()
    assert "Progression cases by organisation and stage" in text
    assert "Each organisation in detail" in text
    csv = client.get(reverse("programmes:ics-export", args=["progression_by_organisation", "csv"]))
    assert csv.content.decode("utf-8-sig").splitlines()[0] == (
        "organisation,stage,stage_label,cases,mean_days_in_stage")


def test_one_organisations_page_takes_the_same_queries_at_two_sizes(client, ics_lead, programme, mentor,
                                                                      django_assert_num_queries, this_month):
    client.force_login(ics_lead)
    url = reverse("programmes:ics-organisation", args=[programme.organisation.pk])
    counts = []
    for size in (2, 12):
        for enrolment in _enrol(programme, mentor, size, this_month):
            held_review(enrolment, 1, due=this_month, held=this_month)
        # Session, user, memberships (3), the ICS's organisations (1), the seven figure queries,
        # progression stages (1), the offer measures (1), the unread count (1), profession choices (1).
        with django_assert_num_queries(15) as queries:
            assert client.get(url).status_code == 200
        counts.append(len(queries.captured_queries))
    assert counts[0] == counts[1]
