"""Checking evidence files: size, extension and, above all, the content itself."""

from __future__ import annotations

from pathlib import Path

import filetype
from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import UploadedFile

OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"  # old Word (.doc) compound files

# Extension -> content types the file's bytes must show.
ALLOWED = {
    ".pdf": {"application/pdf"},
    ".docx": {"application/vnd.openxmlformats-officedocument.wordprocessingml.document"},
    ".doc": {"application/msword", "application/x-ole-storage"},
    ".png": {"image/png"},
    ".jpg": {"image/jpeg"},
    ".jpeg": {"image/jpeg"},
    ".gif": {"image/gif"},
    ".webp": {"image/webp"},
}
ALLOWED_TEXT = "PDF, Word (.doc or .docx) or an image (PNG, JPEG, GIF, WebP)"


def check_upload(upload: UploadedFile) -> str:
    """Return the content type of an acceptable file; raise ValidationError otherwise."""
    limit = settings.UPLOAD_MAX_BYTES
    if upload.size is None or upload.size > limit:
        raise ValidationError(f"The file must be {limit // (1024 * 1024)} MB or smaller.", code="too_big")
    if upload.size == 0:
        raise ValidationError("The file is empty.", code="empty")
    extension = Path(upload.name or "").suffix.lower()
    if extension not in ALLOWED:
        raise ValidationError(f"The file must be a {ALLOWED_TEXT}.", code="extension")
    upload.seek(0)
    head = upload.read(8192)
    upload.seek(0)
    kind = filetype.guess(head)
    mime = kind.mime if kind else ("application/x-ole-storage" if head.startswith(OLE_MAGIC) else "")
    if mime not in ALLOWED[extension]:
        raise ValidationError(
            f"The file's content is not a {ALLOWED_TEXT}, whatever its name says.", code="content"
        )
    return mime
