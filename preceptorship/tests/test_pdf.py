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


@pytest.fixture
def collected(settings, tmp_path):
    """Production's layout: the collected files under their hashed names in STATIC_ROOT, which
    the finders (reading the source folders) do not know."""
    root = tmp_path / "staticfiles"
    (root / "css").mkdir(parents=True)
    (root / "css" / "print.0123456789ab.css").write_bytes(b"@page { size: A4 }")
    (tmp_path / "secret.txt").write_bytes(b"not for PDFs")
    settings.STATIC_ROOT = root
    settings.STORAGES = {**settings.STORAGES, "staticfiles": {
        "BACKEND": "django.contrib.staticfiles.storage.ManifestStaticFilesStorage"}}
    return root


def test_fetcher_serves_collected_files_by_their_hashed_names(collected):
    response = StaticOnlyURLFetcher().fetch(f"{PDF_BASE_URL}static/css/print.0123456789ab.css")
    assert response.read() == b"@page { size: A4 }"


@pytest.mark.parametrize(
    "path",
    [
        "static/../secret.txt",
        "static/%2e%2e/secret.txt",
        "static/css/%2e%2e/%2e%2e/secret.txt",
        "static/css/..%2f..%2fsecret.txt",
        "static//etc/passwd",
        "static/css%5c..%5c..%5csecret.txt",
        "static/css",
        "static/css/",
        "static/css/print.missing.css",
    ],
)
def test_fetcher_refuses_names_outside_the_collected_files(collected, path):
    with pytest.raises(FatalURLFetchingError):
        StaticOnlyURLFetcher().fetch(f"{PDF_BASE_URL}{path}")
