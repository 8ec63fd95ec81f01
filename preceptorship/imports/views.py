"""Bulk import of staff: upload, preview with every row's errors, confirm, progress.

Programme leads (into their own organisations) and administrators. An import is seen only by
the person who uploaded it (others get 404)."""

from __future__ import annotations

from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from preceptorship import access, imports, spreadsheets
from preceptorship.models import StaffImport
from preceptorship.pages import act, crumbs

CHECK_ROLE_MESSAGE = "Only a programme lead or an administrator can import staff."


class StaffFileForm(forms.Form):
    file = forms.FileField(
        label="Staff file",
        help_text="A CSV or Excel (.xlsx) file exported from the electronic staff record, smaller than 5 MB.",
        error_messages={"required": "Choose a CSV or Excel file to upload"},
    )


def _require_importer(user: Any) -> None:
    access.refuse_unless(access.may_import_staff(user), CHECK_ROLE_MESSAGE)


@require_http_methods(["GET", "POST"])
def upload(request: HttpRequest) -> HttpResponse:
    _require_importer(request.user)
    form = StaffFileForm(request.POST, request.FILES) if request.method == "POST" else StaffFileForm()
    if request.method == "POST" and form.is_valid():
        try:
            staff_import = imports.staff_import_upload(
                actor=request.user, upload=form.cleaned_data["file"], site_url=request.build_absolute_uri("/")
            )
        except ValidationError as error:
            form.add_error("file", error.message_dict.get("file", error.messages))
        else:
            return redirect("staff:import-detail", pk=staff_import.pk)
    imports.staff_imports_fail_stale(access.scope(request.user, StaffImport))
    recent = access.scope(request.user, StaffImport).order_by("-created_at")[:10]
    return render(request, "preceptorship/imports/upload.html", {
        "form": form, "recent": recent, "headings": imports.TEMPLATE_HEADINGS,
        "crumbs": crumbs(),
    })


@require_GET
def template_file(request: HttpRequest) -> HttpResponse:
    """An empty file with the expected headings and one example row."""
    _require_importer(request.user)
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = 'attachment; filename="staff-import-template.csv"'
    response.write("\ufeff")
    writer = spreadsheets.csv_writer(response)
    writer.writerow(imports.TEMPLATE_HEADINGS)
    writer.writerow(["sam.example@example.org", "Sam", "Example", "Your organisation's name", "Community Therapy",
                     "Occupational therapy", "Occupational Therapist", "Band 5", "OT12345", "01/07/2026",
                     "01/09/2026", "Practitioner"])
    return response


@require_GET
def detail(request: HttpRequest, pk: int) -> HttpResponse:
    staff_import = imports.staff_import_fail_if_stale(access.get_for_user(request.user, StaffImport, pk=pk))
    return render(request, "preceptorship/imports/detail.html", {
        "staff_import": staff_import, "preview": staff_import.preview or {},
        "working": staff_import.status in imports.WORKING,
        "may_try_again": imports.may_try_again(staff_import),
        "crumbs": crumbs(("Import staff", reverse("staff:import"))),
    })


@require_GET
def status(request: HttpRequest, pk: int) -> JsonResponse:
    staff_import = imports.staff_import_fail_if_stale(access.get_for_user(request.user, StaffImport, pk=pk))
    total = staff_import.total_rows or 0
    done = min(staff_import.processed_rows, total)
    return JsonResponse({
        "status": staff_import.status, "status_label": staff_import.step or staff_import.get_status_display(),
        "done": done, "total": total, "percent": round(100 * done / total) if total else 0,
        "finished": staff_import.status not in imports.WORKING,
    })


@require_POST
def confirm(request: HttpRequest, pk: int) -> HttpResponse:
    staff_import = access.get_for_user(request.user, StaffImport, action="import", pk=pk)
    act(request, lambda: imports.staff_import_start(actor=request.user, staff_import=staff_import))
    return redirect("staff:import-detail", pk=staff_import.pk)
