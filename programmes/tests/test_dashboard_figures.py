# ruff: noqa: F811 - the fixtures are imported here and named as test arguments
"""The dashboards read the summary rebuilt every few minutes, and say when their figures are from:
every change to a record that moves a figure moves it at the next rebuild. The ICS lead opens one
organisation's detail."""

from __future__ import annotations

import datetime
from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import timezone

from preceptorship.models import Membership
from preceptorship.tests.factories import UserFactory, person
from programmes.models import Enrolment, Evaluation, Extension, ProtectedTime
from programmes.reporting import summary, tasks
from programmes.tests.exports_reading import csv_rows
from programmes.tests.factories_reports import (
    ReportEnrolmentFactory,
    held_review,
    rebuild_figures,
)
from programmes.tests.test_views_reports import ics_lead, lead, mentor, programme, this_month  # noqa: F401 (fixtures)
from progression.models import ProgressionCase
from progression.tests.factories import FrameworkFactory

Role = Membership.Role
REASON = Enrolment.WithdrawalReason


def _enrol(programme, mentor, n, start_date, **fields):
    return [ReportEnrolmentFactory(programme=programme, mentor=mentor, start_date=start_date, **fields)
            for _ in range(n)]


def _csv(client, table: str) -> list[list[str]]:
    response = client.get(reverse("programmes:dashboard-export", args=[table, "csv"]))
    return csv_rows(response)[1:]


def _summary(client) -> dict[str, str]:
    return {row[0]: row[2] for row in _csv(client, "summary")}


def test_a_first_dashboard_builds_the_figures_and_then_shows_them_as_of_that_build(client, lead, programme, mentor,
                                                                                   this_month):
    _enrol(programme, mentor, 7, this_month)
    client.force_login(lead)
    page = client.get(reverse("programmes:dashboard")).content.decode()
    build = summary.last_build()
    assert 'figure-value">7<' in page
    assert f"Figures as of {timezone.localtime(build.built_at):%H:%M}." in page
    _enrol(programme, mentor, 2, this_month)
    assert 'figure-value">7<' in client.get(reverse("programmes:dashboard")).content.decode()  # as of the build
    rebuild_figures()
    assert 'figure-value">9<' in client.get(reverse("programmes:dashboard")).content.decode()
    assert summary.last_build().built_at >= build.built_at


def test_the_home_page_and_the_ics_dashboard_say_when_their_figures_are_from(client, ics_lead, programme, mentor,
                                                                             this_month):
    _enrol(programme, mentor, 6, this_month)
    rebuild_figures()
    as_of = f"Figures as of {timezone.localtime(summary.last_build().built_at):%H:%M}."
    client.force_login(ics_lead)
    assert as_of in client.get(reverse("home")).content.decode()
    assert as_of in client.get(reverse("programmes:ics-dashboard")).content.decode()
    assert as_of in client.get(reverse("programmes:ics-organisation", args=[programme.organisation.pk])).content.decode()


def test_the_scheduled_task_rebuilds_the_figures(client, lead, programme, mentor, this_month):
    _enrol(programme, mentor, 6, this_month)
    rebuild_figures()
    _enrol(programme, mentor, 5, this_month)
    tasks.rebuild_dashboard_figures()
    client.force_login(lead)
    assert _summary(client)["active_now"] == "11"


@pytest.fixture
def started(programme, mentor, this_month):
    """Ten enrolments started three months ago, and the figures built."""
    enrolments = _enrol(programme, mentor, 10, this_month - datetime.timedelta(days=80))
    rebuild_figures()
    return enrolments


def test_enrolling_moves_the_starts_and_the_active_enrolments(client, lead, started, programme, mentor, this_month):
    client.force_login(lead)
    assert (_summary(client)["starts"], _summary(client)["active_now"]) == ("10", "10")
    _enrol(programme, mentor, 5, this_month)
    rebuild_figures()
    assert (_summary(client)["starts"], _summary(client)["active_now"]) == ("15", "15")
    assert _csv(client, "monthly")[-1] == [f"{this_month:%Y-%m}", "5", "0", "15"]


def test_completing_moves_the_completions_and_the_completion_rate(client, lead, started, today):
    client.force_login(lead)
    assert _summary(client)["completions"] == "0"
    Enrolment.objects.filter(pk__in=[e.pk for e in started[:5]]).update(status=Enrolment.Status.COMPLETED,
                                                                         completed_on=today)
    rebuild_figures()
    found = _summary(client)
    assert (found["completions"], found["completion_rate_percent"], found["active_now"]) == ("5", "100", "5")
    assert found["median_months_to_complete"] != ""


def test_withdrawing_with_a_reason_moves_the_withdrawals_and_their_reasons(client, lead, started, today):
    client.force_login(lead)
    for enrolment in started[:5]:
        Enrolment.objects.filter(pk=enrolment.pk).update(status=Enrolment.Status.WITHDRAWN, withdrawn_on=today,
                                                         withdrawal_reason=REASON.LEFT_PROFESSION)
    rebuild_figures()
    assert _summary(client)["withdrawals_first_12_months"] == "5"
    reasons = {row[0]: row[1] for row in _csv(client, "withdrawals")}
    assert reasons[REASON.LEFT_PROFESSION.label] == "5" and reasons[REASON.LEFT_ORGANISATION.label] == "0"


def test_reviews_held_on_time_or_late_move_the_share_on_time(client, lead, started, this_month):
    client.force_login(lead)
    assert _summary(client)["reviews_on_time_percent"] == ""  # no figure
    due = this_month - datetime.timedelta(days=30)
    for index, enrolment in enumerate(started):
        held_review(enrolment, 1, due=due, held=due + datetime.timedelta(days=3 if index < 8 else 20))
    rebuild_figures()
    assert _summary(client)["reviews_on_time_percent"] == "80"


def test_a_review_falling_due_moves_the_overdue_reviews(client, lead, started, today):
    client.force_login(lead)
    Enrolment.objects.filter(pk__in=[e.pk for e in started]).update(next_review_due=today + datetime.timedelta(3))
    rebuild_figures()
    assert _summary(client)["reviews_overdue_now"] == "0"
    Enrolment.objects.filter(pk__in=[e.pk for e in started[:6]]).update(next_review_due=today - datetime.timedelta(1))
    rebuild_figures()
    assert _summary(client)["reviews_overdue_now"] == "6"


def test_protected_time_moves_the_hours_received(client, lead, started, today):
    client.force_login(lead)
    assert _summary(client)["protected_time_hours"] == "0.0"
    for enrolment in started:
        ProtectedTime.objects.create(enrolment=enrolment, on=today, hours=Decimal("2.5"),
                                     activity=ProtectedTime.Activity.STUDY)
    rebuild_figures()
    assert _summary(client)["protected_time_hours"] == "25.0"


def test_an_evaluation_moves_the_evaluation_figures(client, lead, started, today):
    client.force_login(lead)
    for enrolment in started[:5]:
        Evaluation.objects.create(enrolment=enrolment, support_received=4, confidence_now=5, protected_time=3,
                                  would_recommend=Evaluation.Recommend.YES)
    rebuild_figures()
    evaluation = {row[0]: (row[2], row[3]) for row in _csv(client, "evaluation")}
    assert evaluation["support_received"] == ("4.0", "5") and evaluation["would_recommend_percent"] == ("100", "5")


def test_an_extension_moves_the_extensions(client, lead, started):
    client.force_login(lead)
    for enrolment in started[:6]:
        Extension.objects.create(enrolment=enrolment, months=3, reason="Long sickness")
    Extension.objects.create(enrolment=started[0], months=2, reason="Again")
    rebuild_figures()
    assert _summary(client)["extensions"] == "7"  # seven extensions, six people


def test_a_progression_case_changing_stage_moves_the_cases_at_each_stage(client, organisation):
    head = person(organisation, Role.HEAD_OF_SERVICE, Role.PROGRAMME_LEAD)
    manager = person(organisation, Role.LINE_MANAGER)
    cases = [ProgressionCase.objects.create(
        practitioner=UserFactory(), organisation=organisation, framework=FrameworkFactory(), target_role="Advanced",
        line_manager=manager, head_of_service=head, opened_by=manager, stage=ProgressionCase.Stage.DRAFT,
    ) for _ in range(6)]
    client.force_login(head)
    stages = {row[0]: row[2] for row in _csv(client, "progression")}
    assert (stages["draft"], stages["submitted"]) == ("6", "0")
    ProgressionCase.objects.filter(pk__in=[case.pk for case in cases]).update(stage=ProgressionCase.Stage.SUBMITTED)
    stages = {row[0]: row[2] for row in _csv(client, "progression")}
    assert (stages["draft"], stages["submitted"]) == ("0", "6")


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
    assert f"<th scope=\"row\" class=\"nhsuk-table__header\">{this_month:%b %Y}</th>" in text
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
        rebuild_figures()
        # Session, user, memberships (3), the last build (1), the ICS's organisations (1), the four
        # figure queries, progression stages (1), the offer measures (1), the unread count (1),
        # profession choices (1).
        with django_assert_num_queries(13) as queries:
            assert client.get(url).status_code == 200
        counts.append(len(queries.captured_queries))
    assert counts[0] == counts[1]
