"""Dashboard tables and lists as CSV and Excel (.xlsx) files with stable column names.

Each table has a stable name and stable column codes (documented in ``docs/exports.md`` for
Power BI); the pages show the same tables with readable headers. A suppressed figure is written
as the text "fewer than 5" in its numeric column.

Exports of more than ``BACKGROUND_ROWS`` rows are built by a Celery task into an ``ExportJob``
whose page shows progress and, when ready, a download link.
"""

from __future__ import annotations

import datetime
import io
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.core.exceptions import PermissionDenied
from django.core.files.base import ContentFile
from django.db import transaction
from django.http import HttpResponse
from django.utils import timezone
from openpyxl import Workbook
from openpyxl.styles import Font

from preceptorship import jobs, spreadsheets
from preceptorship.figures import Figure
from programmes.models import ExportJob

BACKGROUND_ROWS = 2000
# The build task's hard time limit (seconds); a job still waiting or being built
# jobs.stale_after(this) after it was asked for is marked failed when next read.
EXPORT_TIME_LIMIT = 600
EXPORT_WAITING = (ExportJob.Status.QUEUED, ExportJob.Status.RUNNING)
PROGRESS_EVERY = 500
CONTENT_TYPES = {
    "csv": "text/csv; charset=utf-8",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
}


@dataclass
class Table:
    """A table as the page shows it and as the files hold it."""

    name: str  # stable: the file name and the table's name in docs/exports.md
    title: str
    columns: list[tuple[str, str]]  # (stable column code, header shown on the page)
    rows: list[list[Any]] = field(default_factory=list)
    # Columns the files hold but the page does not show: a measure's stable code beside its label.
    file_only: tuple[str, ...] = ()

    @property
    def codes(self) -> list[str]:
        return [code for code, _ in self.columns]

    def _shown(self) -> list[int]:
        return [i for i, (code, _) in enumerate(self.columns) if code not in self.file_only]

    @property
    def headers(self) -> list[str]:
        return [self.columns[i][1] for i in self._shown()]

    def display_rows(self) -> list[list[str]]:
        shown = self._shown()
        return [[_display(row[i]) for i in shown] for row in self.rows]

    @property
    def numeric(self) -> list[bool]:
        """For each column the page shows: does it hold numbers (right-aligned) rather than text?"""
        return [bool(self.rows) and all(_is_number(row[i]) for row in self.rows if row[i] not in (None, ""))
                for i in self._shown()]


def _is_number(cell: Any) -> bool:
    return isinstance(cell, (Figure, int, float, Decimal)) and not isinstance(cell, bool)


def _display(cell: Any) -> str:
    if cell is None:
        return ""
    if isinstance(cell, datetime.date):
        return f"{cell:%-d %b %Y}"
    return str(cell)


HIDDEN_SUFFIX = "_hidden"


def file_columns(codes: list[str], rows: list[list[Any]]) -> tuple[list[str], list[list[Any]]]:
    """The file's columns and rows. A column of figures holds numbers only: a hidden figure is an
    empty cell, and why it is hidden is in a flag column (``<code>_hidden``) added at the end, so
    every existing column keeps its place and a number column stays a number column."""
    flagged = [index for index in range(len(codes)) if any(isinstance(row[index], Figure) for row in rows)]
    if not flagged:
        return codes, rows
    flags = [f"{codes[index]}{HIDDEN_SUFFIX}" for index in flagged]
    return [*codes, *flags], [
        [*row, *(row[index].label if isinstance(row[index], Figure) else "" for index in flagged)] for row in rows
    ]


@dataclass(frozen=True)
class Coded:
    """A cell the page shows by its label and the files hold by its stable code ("none" shown as
    "None", the month "2026-05" as "May 2026")."""

    code: Any
    label: str

    def __str__(self) -> str:
        return self.label


def cell_value(cell: Any) -> Any:
    """What a file holds: numbers as numbers, dates as dates, a hidden figure as an empty cell."""
    if isinstance(cell, Coded):
        return cell.code
    if isinstance(cell, Figure):
        return "" if cell.hidden else cell.export_value()
    if isinstance(cell, Decimal):
        return float(cell)
    if cell is None:
        return ""
    return cell


def _csv_text(cell: Any) -> Any:
    value = cell_value(cell)
    if isinstance(value, datetime.date):
        return value.isoformat()
    return value


def write_csv(codes: list[str], rows: Iterable[list[Any]], stream: io.StringIO) -> None:
    writer = spreadsheets.csv_writer(stream)  # never a formula when opened in a spreadsheet
    writer.writerow(codes)
    for row in rows:
        writer.writerow([_csv_text(cell) for cell in row])


def write_xlsx(title: str, codes: list[str], rows: Iterable[list[Any]]) -> bytes:
    workbook = Workbook(write_only=False)
    sheet = workbook.active
    sheet.title = title[:31]
    spreadsheets.xlsx_append(sheet, codes)
    for cell in sheet[1]:
        cell.font = Font(bold=True)
    for row in rows:
        spreadsheets.xlsx_append(sheet, [cell_value(cell) for cell in row])
    for index, code in enumerate(codes, start=1):
        sheet.column_dimensions[sheet.cell(row=1, column=index).column_letter].width = max(12, len(code) + 2)
    sheet.freeze_panes = "A2"
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def render(table: Table, fmt: str) -> bytes:
    codes, rows = file_columns(table.codes, table.rows)
    if fmt == "csv":
        stream = io.StringIO()
        write_csv(codes, rows, stream)
        return stream.getvalue().encode("utf-8-sig")  # the byte-order mark makes Excel read UTF-8
    if fmt == "xlsx":
        return write_xlsx(table.name, codes, rows)
    raise ValueError(f"Unknown export format {fmt!r}")


def file_name(name: str, fmt: str, today: datetime.date | None = None) -> str:
    return f"{name}-{(today or timezone.localdate()):%Y-%m-%d}.{fmt}"


def response(table: Table, fmt: str) -> HttpResponse:
    answer = HttpResponse(render(table, fmt), content_type=CONTENT_TYPES[fmt])
    answer["Content-Disposition"] = f'attachment; filename="{file_name(table.name, fmt)}"'
    return answer


# Background exports of long lists.


@dataclass(frozen=True)
class ListExport:
    """A long list: its stable columns and a function (user, parameters) -> (row count, rows)."""

    name: str
    title: str
    columns: list[tuple[str, str]]
    rows: Callable[[Any, dict[str, Any]], tuple[int, Iterator[list[Any]]]]


LISTS: dict[str, ListExport] = {}


def register_list(export: ListExport) -> ListExport:
    LISTS[export.name] = export
    return export


def export_job_start(*, actor: Any, name: str, fmt: str, parameters: dict[str, Any]) -> ExportJob:
    """Record the job and queue its task once the job is committed."""
    from programmes.tasks import build_export

    if name not in LISTS or fmt not in CONTENT_TYPES:
        raise ValueError("Unknown export")
    job = ExportJob.objects.create(requested_by=actor, table=name, format=fmt, parameters=parameters)
    transaction.on_commit(lambda: build_export.delay(job.pk), robust=True)
    return job


def export_job_retry(*, actor: Any, job: ExportJob) -> ExportJob:
    """Queue a failed job again, as it was asked for; a job that has not failed is left as it is."""
    from programmes.tasks import build_export

    if job.requested_by_id != actor.pk:
        raise PermissionDenied("Only the person who asked for the file can ask for it again.")
    with transaction.atomic():
        queued = ExportJob.objects.filter(pk=job.pk, status=ExportJob.Status.FAILED).update(
            status=ExportJob.Status.QUEUED, error="", total_rows=0, done_rows=0, finished_at=None,
            updated_at=timezone.now(),
        )
        if queued:
            transaction.on_commit(lambda: build_export.delay(job.pk), robust=True)
    job.refresh_from_db()
    return job


def export_job_fail_if_stale(job: ExportJob) -> ExportJob:
    """Mark the job failed if its build was lost (see preceptorship.jobs); read when shown."""
    jobs.fail_if_stale(job, waiting=EXPORT_WAITING, time_limit=EXPORT_TIME_LIMIT)
    return job


def export_job_build(*, job_id: int) -> ExportJob:
    """Build the file, writing progress to the job row as it goes (each update is its own commit)."""
    job = ExportJob.objects.select_related("requested_by").get(pk=job_id)
    if job.status == ExportJob.Status.DONE:
        return job
    try:
        export = LISTS[job.table]
        total, rows = export.rows(job.requested_by, job.parameters)
        ExportJob.objects.filter(pk=job.pk).update(status=ExportJob.Status.RUNNING, total_rows=total, done_rows=0)
        collected: list[list[Any]] = []
        for index, row in enumerate(rows, start=1):
            collected.append(row)
            if index % PROGRESS_EVERY == 0:
                ExportJob.objects.filter(pk=job.pk).update(done_rows=index)
        codes, collected = file_columns([code for code, _ in export.columns], collected)
        if job.format == "csv":
            stream = io.StringIO()
            write_csv(codes, collected, stream)
            content = stream.getvalue().encode("utf-8-sig")
        else:
            content = write_xlsx(export.name, codes, collected)
        job.refresh_from_db()
        job.file.save(file_name(export.name, job.format), ContentFile(content), save=False)
        job.status = ExportJob.Status.DONE
        job.done_rows = len(collected)
        job.finished_at = timezone.now()
        job.error = ""
        job.save(update_fields=["file", "status", "done_rows", "finished_at", "error", "updated_at"])
    except Exception as error:
        jobs.record_failure(ExportJob.objects.filter(pk=job.pk), error)
        raise
    return job
