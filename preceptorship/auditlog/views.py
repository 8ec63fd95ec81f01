"""The audit log page and its CSV and Excel downloads (the same filters)."""

from __future__ import annotations

import io
from collections.abc import Iterator
from typing import Any

from django.contrib import messages
from django.db.models import QuerySet
from django.http import Http404, HttpRequest, HttpResponse, StreamingHttpResponse
from django.utils import timezone
from django_filters.views import FilterView
from openpyxl import Workbook
from openpyxl.styles import Font

from preceptorship import access, spreadsheets
from preceptorship.auditlog import services, tables
from preceptorship.auditlog.access import may_read_audit_log
from preceptorship.auditlog.filters import AuditEntryFilter, kind_name
from preceptorship.models import AuditEntry
from preceptorship.pages import crumbs

PAGE_SIZE = 25
# An Excel file is built in memory (about a kilobyte a cell): longer lists are downloaded as CSV,
# which is streamed and holds any number of entries.
XLSX_MAX_ROWS = 10_000
FORMATS = ("csv", "xlsx")
CONTENT_TYPES = {
    "csv": "text/csv; charset=utf-8",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
}


class _Echo:
    """A file whose ``write`` hands the line back, for a CSV streamed as it is written."""

    def write(self, value: str) -> str:
        return value


class AuditLogView(FilterView):
    filterset_class = AuditEntryFilter
    template_name = "preceptorship/audit/list.html"
    paginate_by = PAGE_SIZE
    context_object_name = "entries"

    def dispatch(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        if not may_read_audit_log(request.user):
            raise Http404("Not found.")
        return super().dispatch(request, *args, **kwargs)

    def get_queryset(self) -> QuerySet[AuditEntry]:
        return (access.scope(self.request.user, AuditEntry)
                .select_related("actor", "subject", "organisation").order_by("-at", "-id"))

    def get_filterset_kwargs(self, filterset_class: Any) -> dict[str, Any]:
        return super().get_filterset_kwargs(filterset_class) | {"user": self.request.user}

    def render_to_response(self, context: dict[str, Any], **kwargs: Any) -> HttpResponse:
        file_format = self.request.GET.get("format")
        if file_format in FORMATS and self.filterset.is_valid():
            return self._download(file_format) or super().render_to_response(context, **kwargs)
        return super().render_to_response(context, **kwargs)

    def _download(self, file_format: str) -> HttpResponse | None:
        entries = self.object_list
        count = entries.count()
        if file_format == "xlsx" and count > XLSX_MAX_ROWS:
            messages.error(self.request, f"{count} entries are too many for an Excel file (at most {XLSX_MAX_ROWS}): "
                                         "narrow the filters, or download them as CSV.")
            return None
        services.audit_log_download(actor=self.request.user, file_format=file_format,
                                    filters=self.filterset.described(), rows=count)
        name = f"audit-log-{timezone.localdate():%Y-%m-%d}.{file_format}"
        if file_format == "csv":
            response: HttpResponse | StreamingHttpResponse = StreamingHttpResponse(
                self._csv_lines(entries), content_type=CONTENT_TYPES["csv"])
        else:
            response = HttpResponse(self._xlsx(entries), content_type=CONTENT_TYPES["xlsx"])
        response["Content-Disposition"] = f'attachment; filename="{name}"'
        return response

    @staticmethod
    def _csv_lines(entries: QuerySet[AuditEntry]) -> Iterator[str]:
        writer = spreadsheets.csv_writer(_Echo())
        yield "\ufeff"  # so Excel reads the file as UTF-8
        yield writer.writerow([label for _, label in tables.COLUMNS])
        for row in tables.file_rows(entries.iterator(chunk_size=500)):
            yield writer.writerow(row)

    @staticmethod
    def _xlsx(entries: QuerySet[AuditEntry]) -> bytes:
        book = Workbook()
        sheet = book.active
        sheet.title = "Audit log"
        spreadsheets.xlsx_append(sheet, [label for _, label in tables.COLUMNS])
        for cell in sheet[1]:
            cell.font = Font(bold=True)
        for row in tables.file_rows(entries.iterator(chunk_size=500)):
            spreadsheets.xlsx_append(sheet, row)
        out = io.BytesIO()
        book.save(out)
        return out.getvalue()

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        query = self.request.GET.copy()
        query.pop("page", None)
        query.pop("format", None)
        page = list(context["entries"])
        names = tables.person_names(page)
        rows = [{
            "entry": entry,
            "kind": kind_name(entry.object_type),
            "actor": tables.person(entry.actor, tables.SYSTEM),
            "subject": tables.person(entry.subject),
            "changes": tables.changes(entry, names),
        } for entry in page]
        return context | {
            "rows": rows,
            "query_string": query.urlencode(),
            "is_administrator": access.is_administrator(self.request.user),
            "xlsx_max_rows": XLSX_MAX_ROWS,
            "crumbs": crumbs(),
        }
