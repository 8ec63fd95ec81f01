"""Rendering PDFs with WeasyPrint, reading nothing but our own static files.

User text ends up in these documents, so the URL fetcher refuses every URL except our static
files (served from disk by name, never by ``file://``) and ``data:`` URIs: a reflection or a
comment can never make the renderer read a local file or call out to the network.
"""

from __future__ import annotations

import base64
import mimetypes
from typing import Any
from urllib.parse import unquote, urlparse

from django.conf import settings
from django.contrib.staticfiles import finders
from django.template.loader import render_to_string
from weasyprint import HTML
from weasyprint.urls import FatalURLFetchingError, URLFetcher, URLFetcherResponse

PDF_BASE_URL = "https://pdf.invalid/"


class StaticOnlyURLFetcher(URLFetcher):
    def fetch(self, url: str, headers: dict | None = None) -> URLFetcherResponse:
        if url.startswith("data:"):
            return self._data(url)
        parsed = urlparse(url)
        if parsed.scheme == "https" and parsed.netloc == "pdf.invalid" and parsed.path.startswith(settings.STATIC_URL):
            name = unquote(parsed.path[len(settings.STATIC_URL):])
            if ".." not in name.split("/"):
                path = finders.find(name)
                if path:
                    with open(path, "rb") as handle:
                        body = handle.read()
                    content_type = mimetypes.guess_type(path)[0] or "application/octet-stream"
                    return URLFetcherResponse(url, body=body, headers={"Content-Type": content_type})
        raise FatalURLFetchingError(f"Refused to fetch {url[:100]!r}: PDFs may use only the site's static files.")

    def _data(self, url: str) -> URLFetcherResponse:
        header, _, payload = url[5:].partition(",")
        content_type = header.split(";")[0] or "text/plain"
        body = base64.b64decode(payload) if header.endswith(";base64") else unquote(payload).encode()
        return URLFetcherResponse(url, body=body, headers={"Content-Type": content_type})


def render_pdf(template_name: str, context: dict[str, Any]) -> bytes:
    """Render a template from ``templates/pdf/`` to PDF bytes."""
    html = render_to_string(template_name, context)
    return HTML(string=html, base_url=PDF_BASE_URL, url_fetcher=StaticOnlyURLFetcher()).write_pdf()
