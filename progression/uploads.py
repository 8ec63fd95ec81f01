"""Checking evidence files: size, extension and, above all, the content itself, as a whole.

The first bytes say what a file claims to be; the rest must not be something else. A PDF or an
image that also carries a web page (a browser that sniffs it would run its script) is refused, and
so is a Word document whose zip holds a program, macros or ActiveX controls, or unpacks to far more
than any document needs (a "zip bomb" that would exhaust whatever opens it).
"""

from __future__ import annotations

import re
import zipfile
from pathlib import Path, PurePosixPath

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
WORD_DOCUMENT = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"

# Web page markup anywhere in a file that is not a zip (PDF, images, old Word files).
WEB_PAGE = re.compile(rb"<(?:html|script|body|iframe|svg|object|embed|!doctype\s+html)[\s>/]", re.IGNORECASE)
WEB_PAGE_OVERLAP = 32  # bytes kept between chunks so markup split across two is still found
# Parts of a Word document's zip that are programs (by name or by their first bytes) or macros.
PROGRAM_SUFFIXES = {
    ".exe", ".dll", ".com", ".scr", ".pif", ".cpl", ".msi", ".msp", ".bat", ".cmd", ".ps1", ".sh",
    ".js", ".jse", ".vbs", ".vbe", ".wsf", ".wsh", ".hta", ".jar", ".lnk", ".reg",
}
PROGRAM_STARTS = (b"MZ", b"\x7fELF", b"\xca\xfe\xba\xbe", b"\xcf\xfa\xed\xfe", b"#!")
MACRO_PARTS = {"vbaproject.bin", "vbadata.xml"}
# A Word document unpacks to at most this many times the upload limit, in at most this many parts.
UNPACKED_FACTOR = 10
MAX_PARTS = 5000


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
    try:
        if mime == WORD_DOCUMENT:
            _check_word_document(upload, unpacked_limit=UNPACKED_FACTOR * limit)
        else:
            _check_no_web_page(upload)
    finally:
        upload.seek(0)
    return mime


def _check_no_web_page(upload: UploadedFile) -> None:
    upload.seek(0)
    tail = b""
    for chunk in upload.chunks():
        if WEB_PAGE.search(tail + chunk):
            raise ValidationError(
                "The file carries a web page (HTML or script) inside it. Save it again as a plain "
                f"{ALLOWED_TEXT} and upload that.", code="web_page",
            )
        tail = chunk[-WEB_PAGE_OVERLAP:]


def _is_program(name: str) -> bool:
    path = PurePosixPath(name.lower())
    return (path.suffix in PROGRAM_SUFFIXES or path.name in MACRO_PARTS
            or "activex" in (part for part in path.parts[:-1]))


def _check_word_document(upload: UploadedFile, *, unpacked_limit: int) -> None:
    """Look at every part of the document's zip: its name, its size and its first bytes. The sizes
    come from the zip's directory; reading never gives more than a part's stated size, so a part
    cannot unpack to more than its directory says."""
    program = ValidationError(
        "The Word document holds a program, macros or ActiveX controls, which cannot be accepted. "
        "Save it again as a plain Word document (.docx) or as a PDF and upload that.", code="program",
    )
    upload.seek(0)
    try:
        with zipfile.ZipFile(upload) as archive:
            parts = [part for part in archive.infolist() if not part.is_dir()]
            if any(_is_program(part.filename) for part in parts):
                raise program
            if len(parts) > MAX_PARTS or sum(part.file_size for part in parts) > unpacked_limit:
                raise ValidationError(
                    f"The Word document unpacks to more than {unpacked_limit // (1024 * 1024)} MB, far more "
                    "than any document needs. Save it again (or as a PDF) and upload that.", code="unpacked_size",
                )
            for part in parts:
                with archive.open(part) as opened:
                    if opened.read(4).startswith(PROGRAM_STARTS):
                        raise program
            if "word/document.xml" not in {part.filename for part in parts}:
                raise zipfile.BadZipFile("no document part")
    except (zipfile.BadZipFile, zipfile.LargeZipFile, NotImplementedError, RuntimeError, EOFError, OSError,
            ValueError) as error:
        raise ValidationError(
            "The file is not a complete Word document. Save it again in Word and upload that.", code="damaged",
        ) from error
