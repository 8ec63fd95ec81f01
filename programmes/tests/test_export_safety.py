"""Every CSV and Excel download is safe to open in a spreadsheet: a text cell that a spreadsheet would
run as a formula (it starts with =, +, -, @, a tab or a line break) comes out as plain text.

The downloads are found from the URL configuration: every URL (with the access matrix's builders
for its arguments) is asked for as each role that may read it, as it is and with ``?format=csv``
and ``?format=xlsx``; every answer that is a CSV or an Excel file is read cell by cell. Names,
teams, organisations, programmes, professions, frameworks and competencies all start with
something hostile, so a download that shows any of them shows a neutralised cell."""

from __future__ import annotations

import csv
import io
import re
from http import HTTPStatus
from typing import Any

import pytest
from django.db.models import F, Value
from django.db.models.functions import Concat
from django.test import Client
from django.urls import reverse
from openpyxl import load_workbook

from preceptorship.models import Membership, Organisation, Profession, Team, User
from preceptorship.spreadsheets import FORMULA_STARTS
from preceptorship.tests.test_access_matrix import BUILDERS, EXPECTATIONS, ROLES, ROUTES, World, _expected, build_world
from programmes import exports
from programmes.models import Programme
from programmes.tests.factories_reports import ReportEnrolmentFactory, ReportProgrammeFactory
from progression.models import Competency, Framework, ProgressionCase, Section
from progression.tests.access_expectations import _open_case

Role = Membership.Role
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
HOSTILE = ['=HYPERLINK("http://x","y")', "+1+1", "@SUM(A1)", "-2+3", "\t=1+1", "\r=1+1"]
# Each text a user or a lead can type that the downloads show, and what it starts with.
HOSTILE_FIELDS = [
    (User, "first_name", HOSTILE[0]),
    (User, "last_name", HOSTILE[1]),
    (Team, "name", HOSTILE[2]),
    (Organisation, "name", HOSTILE[3]),
    (Profession, "name", HOSTILE[4]),
    (Programme, "name", HOSTILE[5]),
    (Framework, "name", HOSTILE[0]),
    (Section, "title", HOSTILE[1]),
    (Competency, "statement", HOSTILE[0]),
    (Competency, "guidance", HOSTILE[2]),
    (ProgressionCase, "target_role", HOSTILE[3]),
]
# Downloads that must be found (so the walk cannot pass by finding none), and whether each shows
# the hostile texts (the staff import's template is fixed text; the matrix's export job is a
# stored file: the background build has its own test below).
KNOWN_DOWNLOADS = {
    "staff:import-template": False,
    "programmes:dashboard-export": True,
    "programmes:ics-export": True,
    "programmes:enrolments-export": True,
    "programmes:mentor-directory-export": True,
    "programmes:export-job-download": False,
    "progression:framework-export": True,
    "progression:passport-template": False,  # fixed text: the skills passport's import template
    "programmes:caseload": True,
    "programmes:team": True,
    "programmes:enrolment-list": True,
    "progression:case-list": True,
    # The audit log's download: its summaries name the records the world's services changed.
    "audit:list": True,
    # The standards scorecards name the programmes (the lead's) and the organisations (the ICS lead's).
    "programmes:standards-export": True,
    "programmes:ics-standards-export": True,
    "programmes:preceptors:register-export": True,  # the mentors' names and organisations
    "equality:figures-export": True,  # the organisations' names (the groups are fixed text)
}
# A URL with a table argument is asked for each table its page lists.
TABLE_PAGES = {"programmes:dashboard-export": "programmes:dashboard", "programmes:ics-export": "programmes:ics-dashboard"}
NUMBER = re.compile(r"-?\d+(\.\d+)?")


def _hostile() -> None:
    """Every exported text starts with a formula (kept unique: the old text follows)."""
    for model, name, start in HOSTILE_FIELDS:
        model.objects.exclude(**{f"{name}__startswith": start}).update(**{name: Concat(Value(start), F(name))})


def _world_with_records(settings: Any) -> World:
    world = build_world(settings)
    _open_case(world, None, "own")
    programme = ReportProgrammeFactory(organisation=world.organisation)
    ReportEnrolmentFactory(programme=programme, mentor=world.users["mentor"], team=world.team,
                           line_manager=world.users["line_manager"], preceptee=world.users["practitioner"])
    return world


def spreadsheet_cells(response: Any) -> list[tuple[str, Any]] | None:
    """(type, value) of every cell of a CSV or Excel answer: "s" text, "n" number, "f" formula; None
    when the answer is neither."""
    content_type = response.get("Content-Type", "")
    body = b"".join(response.streaming_content) if getattr(response, "streaming", False) else response.content
    if content_type.startswith("text/csv"):
        rows = csv.reader(io.StringIO(body.decode("utf-8-sig")))
        return [("n" if NUMBER.fullmatch(cell) else "s", cell) for row in rows for cell in row]
    if content_type.startswith(XLSX):
        workbook = load_workbook(io.BytesIO(body))
        return [(cell.data_type, cell.value) for sheet in workbook.worksheets
                for row in sheet.iter_rows() for cell in row if cell.value is not None]
    return None


def formulas(cells: list[tuple[str, Any]]) -> list[Any]:
    """Cells a spreadsheet would run (a real number such as -3 is a number, not a formula)."""
    return [value for kind, value in cells
            if kind == "f" or (kind == "s" and isinstance(value, str) and value.startswith(FORMULA_STARTS))]


def neutralised(cells: list[tuple[str, Any]]) -> list[Any]:
    return [value for kind, value in cells
            if kind == "s" and isinstance(value, str) and value.startswith("'") and value[1:].startswith(FORMULA_STARTS)]


def _requests(client: Client, name: str, kwargs: dict[str, Any]) -> list[tuple[str, Any]]:
    """(URL, answer) for the URL as it is and with each format asked for."""
    variants = [kwargs]
    if "fmt" in kwargs:
        variants = [{**kwargs, "fmt": fmt} for fmt in exports.CONTENT_TYPES]
    if "table" in kwargs:
        # Every table the page offers for download, read from its download links (the default
        # view may be the one the rebuild prepared, so the links are what the page shows).
        page = client.get(reverse(TABLE_PAGES[name])).content.decode()
        link = re.escape(reverse(name, kwargs={**kwargs, "table": "tablename"})).replace("tablename", "([a-z_]+)")
        names = sorted(set(re.findall(link, page)))
        assert names, f"no download links on {TABLE_PAGES[name]}"
        variants = [{**variant, "table": table} for variant in variants for table in names]
    answers = []
    for variant in variants:
        url = reverse(name, kwargs=variant)
        for query in ("",) if "fmt" in kwargs else ("", "?format=csv", "?format=xlsx"):
            answers.append((url + query, client.get(url + query)))
    return answers


@pytest.mark.django_db
def test_every_download_neutralises_formulas(settings: Any) -> None:
    world = _world_with_records(settings)
    _hostile()
    found: dict[str, int] = {}
    problems: list[str] = []
    for name, route in sorted(ROUTES.items()):
        expectation = EXPECTATIONS.get(name, {}).get("GET")
        if not expectation or (route.arguments and name not in BUILDERS):
            continue
        target = "own" if route.arguments else "none"
        # The first role that may read it (practitioner, mentor, line manager ... administrator).
        for role in [r for r in ROLES[1:] if _expected(expectation, r, target) == HTTPStatus.OK][:1]:
            viewer = world.users[role]
            kwargs = {}
            if route.arguments:
                made = BUILDERS[name](world, viewer, "own")
                kwargs = made[0] if isinstance(made, tuple) else made
            _hostile()
            client = Client()
            client.force_login(viewer)
            for url, response in _requests(client, name, kwargs):
                cells = spreadsheet_cells(response) if response.status_code == HTTPStatus.OK else None
                if cells is None:
                    continue
                found[name] = found.get(name, 0) + len(neutralised(cells))
                if formulas(cells):
                    problems.append(f"{url} as {role}: formulas {formulas(cells)[:3]}")
    assert not problems, "Downloads with cells a spreadsheet would run:\n  " + "\n  ".join(problems)
    assert set(KNOWN_DOWNLOADS) <= set(found), f"Downloads not found: {sorted(set(KNOWN_DOWNLOADS) - set(found))}"
    unknown = sorted(set(found) - set(KNOWN_DOWNLOADS))
    assert not unknown, f"New downloads: add them to KNOWN_DOWNLOADS: {unknown}"
    blind = [name for name, shows in KNOWN_DOWNLOADS.items() if shows and not found[name]]
    assert not blind, f"These downloads showed none of the hostile texts, so prove nothing: {blind}"


@pytest.mark.django_db
@pytest.mark.parametrize("fmt", sorted(exports.CONTENT_TYPES))
def test_a_list_built_in_the_background_neutralises_formulas(settings: Any, monkeypatch: Any, fmt: str,
                                                             django_capture_on_commit_callbacks: Any) -> None:
    world = _world_with_records(settings)
    _hostile()
    monkeypatch.setattr(exports, "BACKGROUND_ROWS", 0)
    client = Client()
    client.force_login(world.users["programme_lead"])
    with django_capture_on_commit_callbacks(execute=True):
        response = client.get(reverse("programmes:enrolments-export", kwargs={"fmt": fmt}))
    assert response.status_code == HTTPStatus.FOUND
    job = exports.ExportJob.objects.get(requested_by=world.users["programme_lead"])
    assert job.status == exports.ExportJob.Status.DONE
    cells = spreadsheet_cells(client.get(reverse("programmes:export-job-download", kwargs={"pk": job.pk})))
    assert cells is not None and not formulas(cells)
    assert len(neutralised(cells)) >= 4  # the preceptee, programme, employer and team at least


def test_the_checks_can_fail() -> None:
    """A formula, and a hostile text left as it is, are both caught; numbers are numbers."""
    cells = [("f", "=1+1"), ("s", "+1+1"), ("n", -3), ("s", "'@SUM(A1)"), ("n", "-3")]
    assert formulas(cells) == ["=1+1", "+1+1"]
    assert neutralised(cells) == ["'@SUM(A1)"]
