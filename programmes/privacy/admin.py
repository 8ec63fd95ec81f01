"""Administrators see the retention runs and subject access exports (read-only: rows are written
by the services alone)."""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.http import HttpRequest

from preceptorship.admin_files import private_file
from programmes.privacy.models import RetentionRun, SubjectAccessExport


class ReadOnlyAdmin(admin.ModelAdmin):
    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(RetentionRun)
class RetentionRunAdmin(ReadOnlyAdmin):
    list_display = ["started_at", "dry_run", "status", "trigger", "started_by", "total", "finished_at"]
    list_filter = ["dry_run", "status"]
    readonly_fields = ["started_at", "finished_at", "dry_run", "status", "trigger", "started_by", "claim", "as_of",
                       "counts", "ids", "error"]


@admin.register(SubjectAccessExport)
class SubjectAccessExportAdmin(ReadOnlyAdmin):
    # The file is not linked: it is downloaded through the audited page.
    list_display = ["pk", "person", "organisation", "requested_by", "status", "created_at", "expires_at", "downloads"]
    list_filter = ["status"]
    exclude = ["file"]
    readonly_fields = ["person", "organisation", "requested_by", "status", "stored_file", "counts", "error",
                       "finished_at", "expires_at", "downloads"]
    stored_file = private_file("file", "Export")
