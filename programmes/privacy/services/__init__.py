"""Writes of the privacy app: subject access exports, the retention schedule and erasure."""

from programmes.privacy.services.erasure import erasure_preview, erasure_refusals, person_erase
from programmes.privacy.services.exports import (
    EXPORT_TIME_LIMIT,
    collect,
    export_build,
    export_download,
    export_fail_if_stale,
    export_request,
)
from programmes.privacy.services.retention import RETENTION_TIME_LIMIT, retention_find, retention_run

__all__ = [
    "EXPORT_TIME_LIMIT",
    "RETENTION_TIME_LIMIT",
    "collect",
    "erasure_preview",
    "erasure_refusals",
    "export_build",
    "export_download",
    "export_fail_if_stale",
    "export_request",
    "person_erase",
    "retention_find",
    "retention_run",
]
