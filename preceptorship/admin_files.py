"""Private files on the admin pages: named, never linked.

Evidence, letters, packs, exports and staff imports have no URL (``MEDIA_URL`` is None; a bucket's
URLs are never handed out): Django's admin would ask the storage for one to link a file field and
fail. An admin class shows such a field through ``private_file`` instead, and leaves it out of its
form (a private file is replaced only through the services)."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import PurePosixPath
from typing import Any

from django.contrib import admin
from django.template.defaultfilters import filesizeformat


def private_file(field_name: str, description: str) -> Callable[[Any, Any], str]:
    """An admin display (for ``readonly_fields``) naming the stored file and its size, without a link."""

    @admin.display(description=description)
    def show(model_admin: Any, obj: Any) -> str:
        stored = getattr(obj, field_name)
        if not stored:
            return "-"
        try:
            size = f" ({filesizeformat(stored.size)})"
        except (OSError, ValueError):  # gone from the storage: the name is still worth showing
            size = " (missing from the private storage)"
        return f"{PurePosixPath(stored.name).name}{size}: stored privately, opened from the record's own page"

    return show
