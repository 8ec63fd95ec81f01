"""Staff files that are not what their name says, through the upload page: an Excel workbook with no
worksheet (only a chart sheet), a zip that is not a workbook, a workbook whose parts are damaged.
Each gets a message beside the file field; never a server error, and nothing is stored."""

from __future__ import annotations

import io
import zipfile
from http import HTTPStatus
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse
from openpyxl import Workbook
from openpyxl.chart import BarChart, Reference

from preceptorship import imports
from preceptorship.models import Membership, StaffImport
from preceptorship.tests.factories import person

pytestmark = pytest.mark.django_db


def _saved(workbook: Workbook) -> bytes:
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def _only_a_chart_sheet(with_chart: bool) -> bytes:
    workbook = Workbook()
    data = workbook.active
    data.append(["E-mail"])
    data.append([1])
    sheet = workbook.create_chartsheet("Chart")
    if with_chart:
        chart = BarChart()
        chart.add_data(Reference(data, min_col=1, min_row=1, max_row=2))
        sheet.add_chart(chart)
    workbook.remove(data)
    return _saved(workbook)


def _zip(**members: bytes) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        for name, content in members.items():
            archive.writestr(name, content)
    return buffer.getvalue()


def _with_part_replaced(workbook_bytes: bytes, part: str, content: bytes) -> bytes:
    source = zipfile.ZipFile(io.BytesIO(workbook_bytes))
    return _zip(**{info.filename: (content if info.filename == part else source.read(info))
                   for info in source.infolist()})


def _workbook() -> bytes:
    workbook = Workbook()
    workbook.active.append(imports.TEMPLATE_HEADINGS)
    return _saved(workbook)


HOSTILE = [
    pytest.param(_only_a_chart_sheet(with_chart=True), "no worksheet", id="only-a-chart-sheet"),
    pytest.param(_only_a_chart_sheet(with_chart=False), "not a valid Excel", id="only-an-empty-chart-sheet"),
    pytest.param(_zip(**{"word/document.xml": b"<w:document/>", "[Content_Types].xml": b"<Types/>"}),
                 "not a valid Excel", id="a-word-zip"),
    pytest.param(_zip(**{"hello.txt": b"hello"}), "not a valid Excel", id="a-plain-zip"),
    pytest.param(_zip(), "not a valid Excel", id="an-empty-zip"),
    pytest.param(_with_part_replaced(_workbook(), "[Content_Types].xml", b"<Types"), "not a valid Excel",
                 id="damaged-content-types"),
    pytest.param(_with_part_replaced(_workbook(), "xl/workbook.xml", b"<workbook><sheets>"), "not a valid Excel",
                 id="damaged-workbook-part"),
    pytest.param(_with_part_replaced(_workbook(), "xl/worksheets/sheet1.xml", b"<worksheet><sheetData><row>"),
                 "not a valid Excel", id="damaged-worksheet"),
]


@pytest.mark.parametrize(("content", "message"), HOSTILE)
def test_an_unreadable_workbook_gets_a_message_beside_the_file_field(organisation: Any, content: bytes,
                                                                   message: str) -> None:
    client = Client(raise_request_exception=False)
    client.force_login(person(organisation, Membership.Role.PROGRAMME_LEAD))
    response = client.post(reverse("staff:import"), {"file": SimpleUploadedFile("staff.xlsx", content)})
    assert response.status_code == HTTPStatus.OK
    page = response.content.decode()
    assert message in page and 'href="#id_file"' in page
    assert not StaffImport.objects.exists()
