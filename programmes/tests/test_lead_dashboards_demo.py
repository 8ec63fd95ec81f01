"""The demo's programme lead and ICS lead read their dashboards: the lead's own organisation in
full (its progression cases counted by stage), the ICS lead's across organisations with small
numbers hidden."""

from __future__ import annotations

import html
import re
from collections import Counter

import pytest
from django.urls import reverse

from preceptorship.figures import SUPPRESSED
from preceptorship.models import User
from programmes.reporting.models import Criterion, RuleKind
from programmes.tests.exports_reading import csv_rows
from progression.models import ProgressionCase

pytestmark = pytest.mark.django_db

COUNCIL_LEAD = "practice.lead@council.dalesford.example"


def _table_rows(page: str, caption: str) -> dict[str, list[str]]:
    """The rows of the table captioned ``caption``, by their header cell."""
    table = page.split(f">{html.escape(caption)}</caption>")[1].split("</table>")[0]
    rows = {}
    for row in re.findall(r"<tr[^>]*>(.*?)</tr>", table, re.S):
        cells = [html.unescape(re.sub(r"<[^>]+>", "", cell)).strip()
                 for cell in re.findall(r"<t[hd][^>]*>(.*?)</t[hd]>", row, re.S)]
        rows[cells[0]] = cells[1:]
    return rows


def test_the_council_leads_progression_cases_by_stage_count_the_councils_cases(seeded_demo, client):
    lead = User.objects.get(email=COUNCIL_LEAD)
    organisation = lead.memberships.get().organisation
    cases = Counter(ProgressionCase.objects.filter(organisation=organisation).values_list("stage", flat=True))
    assert sum(cases.values()) >= 3  # the demo has cases at several stages
    client.force_login(lead)

    page = client.get(reverse("programmes:dashboard")).content.decode()
    shown = _table_rows(page, "Progression cases by stage")
    labels = dict(ProgressionCase.Stage.choices)
    assert {label: shown[label][0] for label in labels.values()} == {
        label: str(cases.get(stage, 0)) for stage, label in labels.items()
    }
    assert SUPPRESSED not in page.split("Progression cases")[1].split("Enrolments")[0]

    rows = {row[0]: row for row in csv_rows(client.get(reverse("programmes:dashboard-export",
                                                               args=["progression", "csv"])))}
    assert {stage: rows[stage][2] for stage in labels} == {stage: str(cases.get(stage, 0)) for stage in labels}


def test_the_report_tables_show_labels_not_codes_and_align_text_left(seeded_demo, client):
    client.force_login(User.objects.get(email=COUNCIL_LEAD))
    page = client.get(reverse("programmes:dashboard")).content.decode()
    cells = [html.unescape(re.sub(r"<[^>]+>", "", cell)).strip()
             for cell in re.findall(r"<t[hd][^>]*>(.*?)</t[hd]>", page, re.S)]
    codes = [code for code in ("active_now", "reviews_overdue_now", "support_received", "signed_off", "draft", "Code")
             if code in cells]
    assert not codes
    assert "Active enrolments now" in cells and "Draft" in cells
    # The measure's label reads from the left, its value from the right.
    summary = page.split(">Summary</caption>")[1].split("</table>")[0]
    headers = re.findall(r'<th scope="col" class="([^"]*)">', summary)
    assert headers == ["nhsuk-table__header", "nhsuk-table__header nhsuk-table__header--numeric"]
    # The download keeps the stable codes a workforce team feeds into Power BI.
    rows = csv_rows(client.get(reverse("programmes:dashboard-export", args=["summary", "csv"])))
    assert rows[0][:3] == ["measure", "label", "value"] and rows[1][0] == "active_now"


def test_the_ics_lead_reads_labels_where_the_files_hold_codes(seeded_demo, client):
    client.force_login(User.objects.get(email="ics.lead@dalesford.example"))
    page = client.get(reverse("programmes:ics-dashboard")).content.decode()
    summary = _table_rows(page, "Organisations offering preceptorship to all, some or none of their newly "
                                "registered AHPs")
    assert set(summary) == {"Offered to", "All", "Some", "None"}
    rows = csv_rows(client.get(reverse("programmes:ics-export", args=["offer_summary", "csv"])))
    assert [row[0] for row in rows[1:]] == ["all", "some", "none"]
    organisation = User.objects.get(email=COUNCIL_LEAD).memberships.get().organisation
    detail = client.get(reverse("programmes:ics-organisation", args=[organisation.pk])).content.decode()
    months = _table_rows(detail, "Starts, completions and active enrolments by month")
    assert all(re.fullmatch(r"[A-Z][a-z]{2} \d{4}", month) for month in months if month != "Month")
    assert "Review 1" in _table_rows(detail, "Wellbeing and confidence by review (mean score, 1 to 5)")
    rows = csv_rows(client.get(reverse("programmes:ics-export", args=["monthly_by_organisation", "csv"])))
    assert all(re.fullmatch(r"\d{4}-\d{2}", row[1]) for row in rows[1:])


def test_a_rule_of_one_hour_or_one_day_reads_in_the_singular():
    assert Criterion(kind=RuleKind.PROTECTED_TIME, parameter=1).rule == "Protected time recorded at least 1 hour a month"
    assert Criterion(kind=RuleKind.FIRST_MEETING, parameter=1).rule == "First review meeting within 1 day of the start"
    assert Criterion(kind=RuleKind.PROTECTED_TIME, parameter=4).rule == "Protected time recorded at least 4 hours a month"
