"""Hostile evidence files: oversize, empty, the wrong type, a renamed executable, HTML or SVG carrying
script, a path in the file name. Each is refused, by ``check_upload`` and through the evidence page,
with the message beside the file field, what was typed kept, and nothing stored: no evidence row and
no file in the private folder."""

from __future__ import annotations

import io
import zipfile
from http import HTTPStatus
from pathlib import Path
from typing import Any

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from progression import services
from progression.models import Competency, Evidence
from progression.uploads import check_upload

pytestmark = pytest.mark.django_db

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00\x00\x00\rIHDR" + b"\x00" * 64
WINDOWS_EXE = b"MZ\x90\x00\x03\x00\x00\x00\x04\x00\x00\x00\xff\xff\x00\x00" + b"\x00" * 200
LINUX_EXE = b"\x7fELF\x02\x01\x01\x00" + b"\x00" * 200
SCRIPT_HTML = b"<!DOCTYPE html><html><body><script>alert('evidence')</script></body></html>"
SCRIPT_SVG = b'<svg xmlns="http://www.w3.org/2000/svg" onload="alert(1)"><script>alert(2)</script></svg>'
ZIP = b"PK\x03\x04" + b"\x00" * 200



def _docx(*extra: tuple[str, bytes], compress: int = zipfile.ZIP_DEFLATED) -> bytes:
    """A small Word document (the parts Word needs first, as Word writes them) plus ``extra`` members."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compress) as archive:
        archive.writestr("[Content_Types].xml", '<?xml version="1.0"?><Types/>')
        archive.writestr("_rels/.rels", '<?xml version="1.0"?><Relationships/>')
        archive.writestr("word/document.xml", '<?xml version="1.0"?><w:document/>')
        for name, content in extra:
            archive.writestr(name, content)
    return buffer.getvalue()


DOCX = _docx()
# A first part that unpacks to 200 MB of nothing (a few hundred KB in the file).
ZIP_BOMB = _docx(("word/media/image1.png", b"\0" * (200 * 1024 * 1024)))

# name, bytes, the words of the message that must be shown.
HOSTILE = [
    pytest.param("report.exe", WINDOWS_EXE, "must be a PDF", id="executable"),
    pytest.param("report.pdf", WINDOWS_EXE, "whatever its name says", id="executable-renamed-pdf"),
    pytest.param("photo.png", LINUX_EXE, "whatever its name says", id="linux-executable-renamed-png"),
    pytest.param("notes.docx", ZIP, "whatever its name says", id="zip-renamed-docx"),
    pytest.param("page.html", SCRIPT_HTML, "must be a PDF", id="html"),
    pytest.param("page.pdf", SCRIPT_HTML, "whatever its name says", id="html-renamed-pdf"),
    pytest.param("drawing.svg", SCRIPT_SVG, "must be a PDF", id="svg-with-script"),
    pytest.param("drawing.png", SCRIPT_SVG, "whatever its name says", id="svg-renamed-png"),
    pytest.param("notes.txt", b"plain words", "must be a PDF", id="text"),
    pytest.param("no-extension", PDF, "must be a PDF", id="no-extension"),
    pytest.param("report.pdf.exe", PDF, "must be a PDF", id="double-extension"),
    pytest.param("empty.pdf", b"", "empty", id="empty"),
    # Files that start like an allowed type but are something else as a whole.
    pytest.param("report.pdf", PDF + b"<html><body><script>alert(1)</script></body></html>", "web page",
                 id="pdf-carrying-html"),
    pytest.param("photo.png", PNG + b"<script>alert(1)</script>", "web page", id="png-carrying-script"),
    pytest.param("photo.png", PNG + b"\0" * 20000 + b"<HtMl><BODY onload=alert(1)>", "web page",
                 id="png-carrying-html-past-the-first-bytes"),
    pytest.param("notes.docx", _docx(("word/media/setup.exe", b"x")), "program", id="docx-holding-exe"),
    pytest.param("notes.docx", _docx(("word/embeddings/helper.dll", b"x")), "program", id="docx-holding-dll"),
    pytest.param("notes.docx", _docx(("run.bat", b"x")), "program", id="docx-holding-bat"),
    pytest.param("notes.docx", _docx(("word/run.js", b"x")), "program", id="docx-holding-js"),
    pytest.param("notes.docx", _docx(("word/run.VBS", b"x")), "program", id="docx-holding-vbs"),
    pytest.param("notes.docx", _docx(("word/screen.scr", b"x")), "program", id="docx-holding-scr"),
    pytest.param("notes.docx", _docx(("word/media/image2.png", WINDOWS_EXE)), "program",
                 id="docx-holding-exe-named-png"),
    pytest.param("notes.docx", _docx(("word/vbaProject.bin", b"x")), "program", id="docx-holding-macros"),
    pytest.param("notes.docx", ZIP_BOMB, "unpacks to more than", id="docx-zip-bomb"),
    pytest.param("notes.docx", DOCX[:300], "not a complete Word document", id="docx-cut-short"),
]


@pytest.mark.parametrize(("name", "content", "message"), HOSTILE)
def test_check_upload_refuses(name: str, content: bytes, message: str) -> None:
    with pytest.raises(ValidationError, match=message):
        check_upload(SimpleUploadedFile(name, content))


def test_check_upload_refuses_a_file_over_the_limit(settings: Any) -> None:
    settings.UPLOAD_MAX_BYTES = 1024 * 1024
    with pytest.raises(ValidationError, match="1 MB or smaller"):
        check_upload(SimpleUploadedFile("big.pdf", PDF + b"0" * (1024 * 1024)))
    assert check_upload(SimpleUploadedFile("small.pdf", PDF)) == "application/pdf"


@pytest.mark.parametrize(("name", "content"), [
    ("a.pdf", PDF), ("b.PNG", PNG), ("c.docx", DOCX),
    ("d.docx", _docx(("word/media/image1.png", PNG), ("docProps/app.xml", b"<Properties/>"))),
])
def test_check_upload_accepts_real_files(name: str, content: bytes) -> None:
    assert check_upload(SimpleUploadedFile(name, content))


def _stored(root: Path) -> list[Path]:
    return [path for path in Path(root).rglob("*") if path.is_file()]


def _where_a_path_would_land(settings: Any, name: str) -> Path:
    """Where joining the name to the private folder would write, were the path obeyed."""
    return (Path(settings.PRIVATE_MEDIA_ROOT) / name.replace("\\", "/")).resolve()


def _post(client: Any, cast: Any, upload: SimpleUploadedFile) -> tuple[Any, Any]:
    case = cast.open_case()
    competency = Competency.objects.get(section__framework=case.framework, code="K1")
    client.force_login(cast.practitioner)
    response = client.post(reverse("progression:evidence-add", args=[case.pk]), {
        "title": "Supervision notes", "example_date_0": "3", "example_date_1": "2", "example_date_2": "2025",
        "description": "What the family said.", "competencies": [str(competency.pk)], "file": upload,
    })
    return case, response


@pytest.mark.parametrize(("name", "content", "message"), HOSTILE)
def test_the_evidence_page_refuses_and_stores_nothing(
    client: Any, cast: Any, settings: Any, name: str, content: bytes, message: str
) -> None:
    case, response = _post(client, cast, SimpleUploadedFile(name, content))
    assert response.status_code == HTTPStatus.OK
    page = response.content.decode()
    assert "nhsuk-error-summary" in page and message in page
    assert 'href="#id_file"' in page, "the error summary links to the file field"
    assert "Supervision notes" in page and "What the family said." in page, "what was typed is kept"
    assert not Evidence.objects.filter(case=case).exists()
    assert _stored(settings.PRIVATE_MEDIA_ROOT) == []


def test_the_evidence_page_refuses_an_oversize_file(client: Any, cast: Any, settings: Any) -> None:
    settings.UPLOAD_MAX_BYTES = 1024 * 1024
    case, response = _post(client, cast, SimpleUploadedFile("big.pdf", PDF + b"0" * (1024 * 1024)))
    assert response.status_code == HTTPStatus.OK and "1 MB or smaller" in response.content.decode()
    assert not Evidence.objects.filter(case=case).exists()
    assert _stored(settings.PRIVATE_MEDIA_ROOT) == []


@pytest.mark.parametrize("name", ["../../../../tmp/escape.pdf", "..\\..\\windows\\escape.pdf", "/etc/escape.pdf"])
def test_a_path_in_the_file_name_never_reaches_the_disk(client: Any, cast: Any, settings: Any, name: str) -> None:
    # With script inside: refused, nothing stored.
    case, response = _post(client, cast, SimpleUploadedFile(name, SCRIPT_HTML))
    assert response.status_code == HTTPStatus.OK and "whatever its name says" in response.content.decode()
    assert _stored(settings.PRIVATE_MEDIA_ROOT) == []
    # A real PDF: kept inside the private folder under a name of our own; the path is dropped.
    client.post(reverse("progression:evidence-add", args=[case.pk]), {
        "title": "Supervision notes", "example_date_0": "3", "example_date_1": "2", "example_date_2": "2025",
        "description": "What the family said.",
        "competencies": [str(Competency.objects.get(section__framework=case.framework, code="K1").pk)],
        "file": SimpleUploadedFile(name, PDF),
    })
    evidence = Evidence.objects.get(case=case)
    stored = _stored(settings.PRIVATE_MEDIA_ROOT)
    assert [path.parent for path in stored] == [Path(settings.PRIVATE_MEDIA_ROOT) / "progression" / "evidence"]
    assert "escape" not in stored[0].name
    assert "/" not in evidence.original_filename and "\\" not in evidence.original_filename
    assert not _where_a_path_would_land(settings, name).exists()


def test_the_service_keeps_a_path_in_the_name_out_of_the_folder(cast: Any, settings: Any) -> None:
    """Called directly (not through the browser's form parser), the name is still never a path."""
    import datetime

    case = cast.open_case()
    competency = Competency.objects.get(section__framework=case.framework, code="K1")
    evidence = services.evidence_add(
        actor=cast.practitioner, case=case, title="Notes", example_date=datetime.date(2025, 2, 3),
        description="Words.", competencies=[competency],
        upload=SimpleUploadedFile("../../../../tmp/service-escape.pdf", PDF),
    )
    stored = _stored(settings.PRIVATE_MEDIA_ROOT)
    assert len(stored) == 1 and stored[0].is_relative_to(Path(settings.PRIVATE_MEDIA_ROOT) / "progression")
    assert not _where_a_path_would_land(settings, "../../../../tmp/service-escape.pdf").exists()
    assert ".." not in evidence.file.name
