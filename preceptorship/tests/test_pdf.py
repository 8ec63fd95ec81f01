import pytest
from weasyprint.urls import FatalURLFetchingError

from preceptorship.pdf import PDF_BASE_URL, StaticOnlyURLFetcher, render_pdf


def test_fetcher_serves_static_files_and_data_uris():
    fetcher = StaticOnlyURLFetcher()
    response = fetcher.fetch(f"{PDF_BASE_URL}static/css/print.css")
    assert b"@page" in response.read()
    assert fetcher.fetch("data:text/plain,hello").read() == b"hello"


@pytest.mark.parametrize(
    "url",
    [
        "file:///etc/passwd",
        "http://127.0.0.1:8000/",
        "https://example.org/x.png",
        f"{PDF_BASE_URL}static/../../settings.py",
        f"{PDF_BASE_URL}private/evidence.pdf",
    ],
)
def test_fetcher_refuses_everything_else(url):
    with pytest.raises(FatalURLFetchingError):
        StaticOnlyURLFetcher().fetch(url)


def test_render_pdf_produces_a_pdf(tmp_path):
    pdf = render_pdf("pdf/base.html", {})
    assert pdf.startswith(b"%PDF")
