"""Rendering PDFs with WeasyPrint, reading nothing but our own static files.

User text ends up in these documents, so the URL fetcher refuses every URL except our static
files (served by name, never by ``file://``) and ``data:`` URIs: a reflection or a comment can
never make the renderer read a local file or call out to the network.

A static name is looked up the way the site serves it: by the finders in development (the
source files, unhashed names) and then in the static files storage, which in production holds
the collected files under the hashed names (``css/print.<hash>.css``) that ``{% static %}``
renders.
"""

from __future__ import annotations

import base64
import mimetypes
from pathlib import Path
from typing import Any
from urllib.parse import unquote, urlparse

from django.conf import settings
from django.contrib.staticfiles import finders
from django.contrib.staticfiles.storage import staticfiles_storage
from django.core.exceptions import SuspiciousFileOperation
from django.template.loader import render_to_string
from weasyprint import HTML
from weasyprint.document import Document
from weasyprint.urls import FatalURLFetchingError, URLFetcher, URLFetcherResponse

PDF_BASE_URL = "https://pdf.invalid/"


class StaticOnlyURLFetcher(URLFetcher):
    def fetch(self, url: str, headers: dict | None = None) -> URLFetcherResponse:
        if url.startswith("data:"):
            return self._data(url)
        parsed = urlparse(url)
        if parsed.scheme == "https" and parsed.netloc == "pdf.invalid" and parsed.path.startswith(settings.STATIC_URL):
            name = unquote(parsed.path[len(settings.STATIC_URL):])
            body = static_file(name)
            if body is not None:
                content_type = mimetypes.guess_type(name)[0] or "application/octet-stream"
                return URLFetcherResponse(url, body=body, headers={"Content-Type": content_type})
        raise FatalURLFetchingError(f"Refused to fetch {url[:100]!r}: PDFs may use only the site's static files.")

    def _data(self, url: str) -> URLFetcherResponse:
        header, _, payload = url[5:].partition(",")
        content_type = header.split(";")[0] or "text/plain"
        body = base64.b64decode(payload) if header.endswith(";base64") else unquote(payload).encode()
        return URLFetcherResponse(url, body=body, headers={"Content-Type": content_type})


def static_file(name: str) -> bytes | None:
    """The content of the static file ``name`` (relative to ``STATIC_URL``), or None.

    Only plain relative names are looked up: no ``..`` or ``.`` segment, no absolute path, no
    backslash, no NUL; and the storage itself refuses a name that would leave its folder.
    """
    parts = name.split("/")
    if not name or "\\" in name or "\x00" in name or any(part in ("", ".", "..") for part in parts):
        return None
    try:
        path = finders.find(name)
        if isinstance(path, str) and Path(path).is_file():
            return Path(path).read_bytes()
        with staticfiles_storage.open(name, "rb") as handle:
            return handle.read()
    except (OSError, SuspiciousFileOperation, ValueError):
        return None


def render_pdf(template_name: str, context: dict[str, Any]) -> bytes:
    """Render a template from ``templates/pdf/`` to PDF bytes."""
    return render_document(template_name, context).write_pdf()


def render_document(template_name: str, context: dict[str, Any]) -> Document:
    """The laid-out pages of a template from ``templates/pdf/``: for a caller that needs to know on
    which page something fell (``page.anchors``) before writing the PDF."""
    html = render_to_string(template_name, context)
    return HTML(string=html, base_url=PDF_BASE_URL, url_fetcher=StaticOnlyURLFetcher()).render()


# Organisations whose documents carry the NHS logo. A council or an independent provider may
# not use it (NHS identity rules), so their letters and certificates carry their own name only;
# primary care here is the NHS's (general practices and their networks under NHS contracts).
NHS_KINDS = ("nhs_trust", "primary_care")


def nhs_branded(organisation: Any) -> bool:
    """True when ``organisation``'s letters, certificates and packs may carry the NHS logo."""
    return getattr(organisation, "kind", None) in NHS_KINDS
